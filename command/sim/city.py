"""The SimPy model of the city's response: calls arrive, the policy sends units, units
drive, work, convey patients, come back; depots give materials; roads close and reopen.

Each actor is a process function that reads like its story:

- ``_arrivals``: wait for the next call, open it (demand from the response package of
  its type and grade), take its materials, ask the policy for units;
- ``_trip``: a unit turns out and drives to the call (road time x congestion of the hour
  x a lognormal noise), works on scene, an ambulance may convey a patient to the nearest
  hospital with a free emergency bed (waiting for one if every hospital is full), then
  drives back to its post and is free again; then the waiting calls are offered to the
  policy again;
- ``_patient``: holds an emergency bed for the emergency-department stay;
- ``_relocate``: a move-up drive to another post; the unit stays dispatchable on the way:
  its travel time to a call is the better of going on (the rest of the drive plus the
  time from the new post) and turning back (the time driven so far, the drive taken as
  symmetric, plus the time from the old post);
- ``_resupply``: a depot's consumed stock comes back after the resupply delay;
- ``_coverage``: every interval, the share of zones with an idle engine within the fire
  standard and an idle ambulance within the EMS standard;
- ``_closure``, ``_unit_loss``: drill injects changing roads and the fleet.

Simplifications, stated: a unit is dispatchable when idle at its post or on a move-up
drive (not while returning from a call); travel times are fixed when a drive starts (a
closure during a drive does not reroute it); closures apply before the calls of the
same instant; a node a post can no longer reach under a closure (inside a closed zone)
is reached at the open network's time, and a leg back or to hospital that a closure
cuts off takes the open network's time; every unit of a call stays on scene for the
call's on-scene time counted from its own arrival; a unit lost while busy is lost when
it is back at its post.

Randomness (common random numbers): all draws of call ``k`` are made before the run from
two streams in call order: ``travel`` (a (K, 3) block of lognormal factors per call: to
the scene, to hospital, back, for the ``j``-th unit sent, ``j mod K``) and ``service``
(on-scene and handover factors and K uniforms deciding conveyance). Two variants of the
same replication therefore see the same calls with the same random times whatever units
they send.

Output: flat records (one per call, per trip, per coverage sample, per material line),
see :class:`RunRecords`; KPIs are pure functions over them (:mod:`command.sim.kpis`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from command.model import CAPABILITIES, response_standards_s
from command.sim._engine import run_counting
from command.sim.policies import DispatchView, OpenCall, Policy, moveup_moves
from command.sim.world import TravelTables, World

__all__ = ["K_SLOTS", "Closure", "UnitLoss", "RunRecords", "run_city", "draw_randoms"]

log = logging.getLogger(__name__)

#: Random slots per call (units beyond K reuse slot ``j mod K``).
K_SLOTS = 16

_CAP = {c: i for i, c in enumerate(CAPABILITIES)}
_AMBULANCE = _CAP["ambulance"]

#: Columns of the records.
CALL_RECORD = ("call", "t_s", "incident_type", "grade", "priority", "district", "lat",
               "lon", "node", "label", "standard", "standard_s", "demanded", "sent",
               "first_s", "full_s", "waited")
TRIP_RECORD = ("call", "unit", "capability", "dispatch_s", "arrive_s", "free_s",
               "hospital", "bed_wait_s")


@dataclass(frozen=True)
class Closure:
    """Edges closed from ``start_s`` to ``end_s`` (None: to the end)."""

    start_s: float
    end_s: float | None
    mask: np.ndarray
    label: str = ""


@dataclass(frozen=True)
class UnitLoss:
    """Units (indices) out of service from ``t_s`` on; ``posts`` stop being posts."""

    t_s: float
    units: tuple[int, ...]
    posts: tuple[int, ...] = ()
    label: str = ""


@dataclass
class RunRecords:
    """Flat records of one run (seconds from the start)."""

    calls: pd.DataFrame
    trips: pd.DataFrame
    coverage: pd.DataFrame
    materials: pd.DataFrame
    horizon_s: float
    units: int
    unit_capability: tuple[str, ...]
    events: int = 0
    moves: int = 0


def draw_randoms(n_calls: int, travel_rng: np.random.Generator,
                 service_rng: np.random.Generator, travel_sigma: float) -> dict:
    """The per-call random blocks (see the module docstring)."""
    s = float(travel_sigma)
    return {
        "travel": travel_rng.lognormal(-0.5 * s * s, s, (n_calls, K_SLOTS, 3)),
        "scene_z": service_rng.standard_normal(n_calls),
        "handover_z": service_rng.standard_normal(n_calls),
        "convey_u": service_rng.random((n_calls, K_SLOTS)),
    }


class _Run:
    """State of one running simulation."""

    def __init__(self, world: World, calls: pd.DataFrame, policy: Policy, randoms: dict,
                 horizon_s: float, closures: Sequence[Closure], losses: Sequence[UnitLoss],
                 start_hour: int) -> None:
        self.w = world
        self.env = simpy.Environment()
        self.policy = policy
        self.r = randoms
        self.horizon_s = horizon_s
        self.start_hour = start_hour
        factors = {int(h): float(f) for h, f in world.settings.congestion_factors.items()}
        self.hour_factor = [factors.get(h, 1.0) for h in range(24)]
        n_units = len(world.unit_ids)
        self.idle = np.ones(n_units, dtype=bool)  # at its post, free
        self.avail = np.ones(n_units, dtype=bool)  # dispatchable: idle or moving up
        self.lost = np.zeros(n_units, dtype=bool)
        self.where = world.unit_post.copy()  # post the unit is at / heads for
        # move-up drives in progress (see _relocate): origin post, start and end times
        self.moving = np.zeros(n_units, dtype=bool)
        self.move_from = world.unit_post.copy()
        self.move_t0 = np.zeros(n_units)
        self.move_t1 = np.zeros(n_units)
        self.move_seq = [0] * n_units
        self.n_moving = 0
        self.cap_units = {c: np.flatnonzero(world.unit_cap == c) for c in range(len(CAPABILITIES))}
        self.open_posts = np.ones(len(world.post_ids), dtype=bool)
        self.closed = np.zeros(world.network.n_edges, dtype=bool)
        self.tt = world.travel()
        self.closures, self.losses = list(closures), list(losses)
        self.beds = [simpy.Resource(self.env, capacity=int(c)) for c in world.hospital_beds]
        self.stock = dict(world.stock)
        self.calls = calls.reset_index(drop=True)
        self.c_type = self.calls["incident_type"].tolist()
        self.c_grade = self.calls["grade"].astype(int).tolist()
        self.c_node = self.calls["node"].astype(int).tolist()
        self.c_prio = self.calls["priority"].astype(int).tolist()
        self.c_t = self.calls["t_s"].astype(float).tolist()
        n = len(self.calls)
        times = [world.tables.times[kind] for kind in self.c_type]
        self.c_times = times
        # per-call service draws turned into durations once (same arithmetic per call)
        median = np.array([tm.on_scene_median_s for tm in times], dtype=float)
        sigma = np.array([tm.on_scene_sigma for tm in times], dtype=float)
        self.c_scene = (median * np.exp(sigma * randoms["scene_z"])).tolist()
        handover = world.tables.param("hospital_handover_s")
        self.c_handover = (handover * np.exp(0.3 * randoms["handover_z"] - 0.045)).tolist()
        self.travel_noise = randoms["travel"]
        self.convey_u = randoms["convey_u"]
        self.ed_stay_s = world.tables.param("ed_stay_s")
        self.demanded = [0] * n
        self.sent = [0] * n
        self.arrived = [0] * n
        self.first = [np.nan] * n
        self.full = [np.nan] * n
        self.waited = [False] * n
        self.waiting: dict[int, OpenCall] = {}
        self.trips: list[tuple] = []
        self.cover: list[tuple] = []
        self.material: list[tuple] = []
        self.moves = 0
        self.cap_standard = response_standards_s(fire_standard_s=world.fire_standard_s,
                                                 ems_standard_s=world.ems_standard_s)
        self._hospital_order: tuple = (None, {})
        self._responder_tt: dict[int, tuple] = {}
        self._view = DispatchView(idle=self.avail, unit_cap=world.unit_cap,
                                  unit_ids=world.unit_ids,
                                  unit_capability=world.unit_capability,
                                  eta_s=self.eta_all, cap_units=self.cap_units,
                                  eta_units=self.eta_units)
        self._post_to_zone = None
        self._packages: dict[tuple[str, int], tuple[dict, dict]] = {}

    # -- helpers -------------------------------------------------------------------------
    def factor(self) -> float:
        return self.hour_factor[int(self.start_hour + self.env._now // 3600.0) % 24]

    def eta_units(self, node: int, units: np.ndarray) -> np.ndarray:
        """Travel time (s, this hour, no noise) of ``units`` to ``node``: from their post,
        and for a unit on a move-up drive the better of (a) the rest of its drive plus
        the time from the post it heads for and (b) turning back: the time it has driven
        plus the time from the post it left (the drive taken as symmetric)."""
        f = self.factor()
        eta = self.tt.from_post[self.where[units], node] * f
        if self.n_moving:
            m = self.moving[units]
            if m.any():
                mu = units[m]
                now = self.env.now
                ahead = eta[m] + (self.move_t1[mu] - now)
                back = self.tt.from_post[self.move_from[mu], node] * f + (now - self.move_t0[mu])
                eta[m] = np.minimum(ahead, back)
        return eta

    def eta_all(self, node: int) -> np.ndarray:
        return self.eta_units(node, np.arange(self.where.size))

    def dispatch(self) -> None:
        if not self.waiting:
            return
        pairs = self.policy.assign(self._view, list(self.waiting.values()))
        avail, capability = self.avail, self.w.unit_capability
        for u, k in pairs:
            call = self.waiting.get(k)
            cap = capability[u]
            if call is None or not avail[u] or call.missing.get(cap, 0) <= 0:
                continue  # a policy's surplus is ignored, never double-booked
            call.missing[cap] -= 1
            avail[u] = False
            if self.moving[u]:
                self.env.process(self._trip(u, k, self.sent[k], self.take_from_move(u, k)))
            else:
                self.idle[u] = False
                self.env.process(self._trip(u, k, self.sent[k]))
            self.sent[k] += 1
        for k in [k for k, c in self.waiting.items() if not any(v > 0 for v in c.missing.values())]:
            del self.waiting[k]
        if pairs and self.policy.moveup:
            self.move_up()

    def take_from_move(self, u: int, k: int) -> tuple[float, float]:
        """End the move-up drive of ``u`` (dispatched to call ``k`` on the way): the
        (road seconds, fixed seconds) of its drive to the call, by the shorter of going
        on through its new post or turning back through the old one (see eta_units)."""
        self.moving[u] = False
        self.n_moving -= 1
        self.move_seq[u] += 1
        now, node = self.env.now, self.c_node[k]
        f = self.factor()
        ahead = self.tt.from_post[self.where[u], node] * f, self.move_t1[u] - now
        back = self.tt.from_post[self.move_from[u], node] * f, now - self.move_t0[u]
        return ahead if sum(ahead) <= sum(back) else back

    def move_up(self) -> None:
        w = self.w
        if self._post_to_zone is None or self._post_to_zone[0] is not self.tt:
            f = self.tt.from_post
            self._post_to_zone = (self.tt, f[:, w.zone_node], f[:, w.post_node])
        _, to_zone, to_post = self._post_to_zone
        n_cap = np.bincount(w.unit_cap, minlength=len(CAPABILITIES))
        busy = np.bincount(w.unit_cap[~self.idle], minlength=len(CAPABILITIES))
        share = {c: float(busy[_CAP[c]] / n_cap[_CAP[c]]) if n_cap[_CAP[c]] else 0.0
                 for c in ("engine", "ambulance")}
        moves = moveup_moves(
            idle=self.idle & ~self.lost, unit_cap=w.unit_cap, unit_ids=w.unit_ids,
            unit_capability=w.unit_capability, unit_where=self.where, post_kind=w.post_kind,
            open_posts=self.open_posts, post_to_post_s=to_post, post_to_zone_s=to_zone,
            zone_weight=w.zone_weight, busy_share=share, standard_s=self.cap_standard,
            max_moves=int(w.tables.param("moveup_max_moves")),
            max_move_s=w.tables.param("moveup_max_move_s"),
            move_cost_share=w.tables.param("moveup_cost_share"))
        for u, p in moves:
            self.start_move(u, p, float(to_post[self.where[u], p]))

    def start_move(self, u: int, post: int, drive_s: float) -> None:
        """Send idle unit ``u`` to ``post``, a drive of ``drive_s``; it stays
        dispatchable on the way (see eta_units)."""
        now = self.env.now
        self.idle[u] = False
        self.moving[u] = True
        self.n_moving += 1
        self.move_seq[u] += 1
        self.move_from[u], self.where[u] = self.where[u], post
        self.move_t0[u], self.move_t1[u] = now, now + drive_s
        self.moves += 1
        self.env.process(self._relocate(u, self.move_seq[u], drive_s))

    def free(self, u: int) -> None:
        if self.lost[u]:
            return
        self.idle[u] = True
        self.avail[u] = True
        self.dispatch()

    # -- processes -----------------------------------------------------------------------
    def _arrivals(self) -> Iterator[simpy.Event]:
        env = self.env
        timeout = env.timeout
        for k, t in enumerate(self.c_t):
            if t > env.now:
                yield timeout(t - env.now)
            package, materials = self.packages(self.c_type[k], self.c_grade[k])
            self.demanded[k] = sum(package.values())
            if materials:
                self.take_materials(k, materials)
            if not package:
                continue
            self.waiting[k] = OpenCall(key=k, priority=self.c_prio[k], node=self.c_node[k],
                                       missing=dict(package))
            self.dispatch()
            self.waited[k] = k in self.waiting

    def _trip(self, u: int, k: int, j: int, from_move: tuple[float, float] | None = None
              ) -> Iterator[simpy.Event]:
        env, w = self.env, self.w
        noise = self.travel_noise[k, j % K_SLOTS].tolist()
        node, post = self.c_node[k], self.where[u]
        times = self.c_times[k]
        start = env.now
        if from_move is None:
            drive = self.tt.from_post[post, node] * self.factor() * noise[0]
        else:  # dispatched on a move-up drive (see take_from_move)
            drive = from_move[0] * noise[0] + from_move[1]
        yield env.timeout(times.turnout_s + drive)
        arrive = env.now
        n = self.arrived[k] = self.arrived[k] + 1
        if n == 1:
            self.first[k] = arrive - self.c_t[k]
        if n == self.demanded[k]:
            self.full[k] = arrive - self.c_t[k]
        yield env.timeout(self.c_scene[k])
        here, hospital, bed_wait = node, -1, 0.0
        if (w.unit_cap[u] == _AMBULANCE
                and self.convey_u[k, j % K_SLOTS] < times.transport_share):
            hospital = self.hospital_for(node)
            to_hospital = self.tt.to_hospital[node, hospital]
            if not to_hospital < np.inf:  # every hospital cut off: the open network's time
                to_hospital = w.travel().to_hospital[node, hospital]
            yield env.timeout(to_hospital * self.factor() * noise[1])
            asked = env.now
            request = self.beds[hospital].request()
            yield request
            bed_wait = env.now - asked
            yield env.timeout(self.c_handover[k])
            env.process(self._patient(hospital, request))
            here = int(w.hospital_node[hospital])
        back = self.tt.to_post[here, post]
        if not back < np.inf:  # cut off by a closure: the open network's time
            back = w.travel().to_post[here, post]
        yield env.timeout(back * self.factor() * noise[2])
        self.trips.append((k, u, w.unit_capability[u], start, arrive, env.now, hospital,
                           bed_wait))
        self.free(u)

    def hospital_for(self, node: int) -> int:
        tt, orders = self._hospital_order
        if tt is not self.tt:
            orders = {}
            self._hospital_order = (self.tt, orders)
        t = self.tt.to_hospital[node]
        order = orders.get(node)
        if order is None:
            order = orders[node] = np.argsort(t, kind="stable").tolist()
        for h in order:
            if self.beds[h].count < self.beds[h].capacity and np.isfinite(t[h]):
                return int(h)
        return int(order[0])

    def _patient(self, hospital: int, request) -> Iterator[simpy.Event]:
        yield self.env.timeout(self.ed_stay_s)
        self.beds[hospital].release(request)

    def _relocate(self, u: int, seq: int, drive_s: float) -> Iterator[simpy.Event]:
        yield self.env.timeout(drive_s)
        if self.move_seq[u] != seq or not self.moving[u]:
            return  # dispatched (or lost) on the way: the trip or the loss has the unit
        self.moving[u] = False
        self.n_moving -= 1
        self.free(u)

    def packages(self, kind: str, grade: int) -> tuple[dict, dict]:
        """Units and materials a call of ``kind`` and ``grade`` asks for (kept)."""
        key = (kind, grade)
        if key not in self._packages:
            ds = self.w.dataset
            self._packages[key] = ({c: n for c, n in ds.package(kind, grade).items() if n > 0},
                                   ds.material_package(kind, grade))
        return self._packages[key]

    def take_materials(self, k: int, package: dict) -> None:
        if not package:
            return
        node = self.c_node[k]
        eta = self.tt.from_depot[:, node] * self.factor()
        order = np.argsort(eta, kind="stable")
        taken: list[tuple[int, str, float]] = []
        for item, (quantity, deadline_min) in package.items():
            need = float(quantity)
            for d in order:
                if need <= 0 or eta[d] > deadline_min * 60.0:
                    break
                have = self.stock.get((int(d), item), 0.0)
                got = min(have, need)
                if got > 0:
                    self.stock[(int(d), item)] = have - got
                    taken.append((int(d), item, got))
                    need -= got
            self.material.append((k, item, float(quantity), float(quantity) - max(need, 0.0)))
        if taken:
            self.env.process(self._resupply(taken))

    def _resupply(self, taken) -> Iterator[simpy.Event]:
        yield self.env.timeout(self.w.tables.param("resupply_delay_s"))
        for d, item, q in taken:
            self.stock[(d, item)] = self.stock.get((d, item), 0.0) + q

    def _coverage(self) -> Iterator[simpy.Event]:
        w, env = self.w, self.env
        step = self.w.tables.param("coverage_interval_s")
        engine, ambulance = _CAP["engine"], _CAP["ambulance"]
        weight = w.zone_weight / w.zone_weight.sum()
        n_zones, n_posts = w.zone_node.size, len(w.post_ids)
        is_cap = [(w.unit_cap == engine, w.fire_standard_s),
                  (w.unit_cap == ambulance, w.ems_standard_s)]
        within: dict = {}  # (travel tables, factor) -> per standard: post x zone in reach
        while env.now < self.horizon_s:
            f = self.factor()
            key = (id(self.tt), f)
            if key not in within or within[key][0] is not self.tt:
                to_zone = self.tt.from_post[:, w.zone_node]
                to_zone = to_zone * f if f != 1.0 else to_zone
                within[key] = (self.tt, [to_zone <= std for _, std in is_cap])
            reach = within[key][1]
            row = [env.now]
            for (mask, _), in_reach in zip(is_cap, reach):
                posts = np.zeros(n_posts, dtype=bool)
                posts[self.where[self.idle & mask]] = True
                covered = in_reach[posts].any(axis=0) if posts.any() else \
                    np.zeros(n_zones, dtype=bool)
                row.append(float(weight[covered].sum()))
            self.cover.append(tuple(row))
            yield env.timeout(step)

    def _closure(self, c: Closure) -> Iterator[simpy.Event]:
        if c.start_s > self.env.now:  # one due now applies before the calls of this instant
            yield self.env.timeout(c.start_s - self.env.now)
        self.closed = self.closed | c.mask
        self.tt = self.travel_closed(self.closed)
        if c.end_s is None:
            return
        yield self.env.timeout(c.end_s - c.start_s)
        mask = np.zeros_like(self.closed)
        for other in self.closures:
            if other is not c and other.start_s <= self.env.now and (
                    other.end_s is None or other.end_s > self.env.now):
                mask |= other.mask
        self.closed = mask
        self.tt = self.travel_closed(self.closed)

    def travel_closed(self, closed: np.ndarray) -> TravelTables:
        """The travel tables with ``closed`` edges, where a post that can no longer reach
        a node at all (inside a closed zone, e.g. the scenario's own incident) keeps the
        open network's time to it: responders detour where a detour exists and go through
        a cordon where none does."""
        tt = self.w.travel(closed)
        if tt is self.w.travel():
            return tt
        if id(tt) not in self._responder_tt:
            open_from = self.w.travel().from_post
            from_post = np.where(np.isfinite(tt.from_post), tt.from_post, open_from)
            self._responder_tt[id(tt)] = (tt, dataclasses.replace(tt, from_post=from_post))
        return self._responder_tt[id(tt)][1]

    def _unit_loss(self, loss: UnitLoss) -> Iterator[simpy.Event]:
        if loss.t_s > self.env.now:
            yield self.env.timeout(loss.t_s - self.env.now)
        units = list(loss.units)
        for p in loss.posts:
            self.open_posts[p] = False
            units.extend(np.flatnonzero(self.where == p).tolist())
        for u in units:
            self.lost[u] = True
            self.idle[u] = self.avail[u] = False
            if self.moving[u]:
                self.moving[u] = False
                self.n_moving -= 1

    # -- run -----------------------------------------------------------------------------
    def run(self) -> RunRecords:
        env = self.env
        # closures and losses first: at the same instant they come before calls
        for c in self.closures:
            env.process(self._closure(c))
        for loss in self.losses:
            env.process(self._unit_loss(loss))
        env.process(self._arrivals())
        env.process(self._coverage())
        return self.records(run_counting(env))

    def records(self, events: int) -> RunRecords:
        w = self.w
        calls = self.calls.copy()
        calls.insert(0, "call", np.arange(len(calls)))
        standard = [w.tables.times[t].standard for t in self.c_type]
        calls["standard"] = standard
        calls["standard_s"] = [w.fire_standard_s if s == "fire" else
                               w.ems_standard_s if s == "ems" else np.nan for s in standard]
        calls["demanded"] = self.demanded
        calls["sent"] = self.sent
        calls["first_s"] = self.first
        calls["full_s"] = self.full
        calls["waited"] = self.waited
        return RunRecords(
            calls=calls.loc[:, list(CALL_RECORD)],
            trips=pd.DataFrame.from_records(self.trips, columns=list(TRIP_RECORD)),
            coverage=pd.DataFrame.from_records(self.cover,
                                               columns=["t_s", "fire_cover", "ems_cover"]),
            materials=pd.DataFrame.from_records(self.material,
                                                columns=["call", "item", "demanded", "met"]),
            horizon_s=self.horizon_s, units=len(w.unit_ids),
            unit_capability=w.unit_capability, events=events, moves=self.moves)


def run_city(world: World, calls: pd.DataFrame, policy: Policy, *, horizon_s: float,
             travel_rng: np.random.Generator, service_rng: np.random.Generator,
             closures: Sequence[Closure] = (), losses: Sequence[UnitLoss] = (),
             start_hour: int = 0) -> RunRecords:
    """Simulate ``calls`` (columns of :data:`command.sim.arrivals.CALL_COLUMNS`, sorted
    by ``t_s``) in ``world`` under ``policy``.

    Parameters
    ----------
    horizon_s
        The observed period, seconds: coverage is sampled until then; every call is
        followed until its units are back (a call no unit can ever serve keeps NaN times).
    travel_rng, service_rng
        The travel-noise and service-time streams (see the module docstring).
    closures, losses
        Timed road closures and losses of units or stations.
    start_hour
        Hour of the day at ``t = 0`` (congestion factors).

    Returns
    -------
    RunRecords
    """
    randoms = draw_randoms(len(calls), travel_rng, service_rng,
                           world.tables.param("travel_sigma"))
    return _Run(world, calls, policy, randoms, float(horizon_s), closures, losses,
                int(start_hour)).run()
