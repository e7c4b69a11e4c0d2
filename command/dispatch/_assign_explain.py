"""Reasons for an assignment plan, computed from the numbers (private).

Every figure in a reason is read off the ETA matrix for the plan that was chosen: the
unit's ETA, the nearest unit of the same capability that is left idle (the next best),
and, when a nearer unit was not sent, where that unit goes instead or which zone it
keeps covered. Texts are short enough for a table cell on the command screen.
"""

from __future__ import annotations

import numpy as np

from command.dispatch._assign_core import Prepared
from command.dispatch.reasons import Reason, reason


def _min(eta_s: float) -> float:
    return float(eta_s) / 60.0


def _cap(capability: str) -> dict:
    """A capability name used mid-sentence."""
    return {"term": f"cap.{capability}", "inline": True}


def _name(prep: Prepared, u: int) -> dict:
    p = prep.problem
    return {"zh": p.unit_names_zh[u] if p.unit_names_zh else p.unit_ids[u],
            "en": p.unit_names_en[u] if p.unit_names_en else p.unit_ids[u]}


def _nearest(units: np.ndarray, eta_col: np.ndarray) -> int | None:
    """The unit of ``units`` with the smallest ETA (ties: lowest index)."""
    if units.size == 0:
        return None
    return int(units[np.argsort(eta_col[units], kind="stable")[0]])


def _zone_kept(prep: Prepared, to_inc: np.ndarray, v: int, capability: str) -> str | None:
    """A zone that idle unit ``v`` keeps covered: preferably one it alone covers."""
    idle = to_inc < 0
    zones = [(j, z) for j, (z, c) in enumerate(prep.pairs) if c == capability
             and prep.cover[v, j]]
    for j, z in zones:
        if (prep.cover[:, j] & idle).sum() == 1:
            return prep.problem.zone_ids[z]
    return prep.problem.zone_ids[zones[0][1]] if zones else None


def _assignment_reason(prep: Prepared, to_inc: np.ndarray, u: int, same: np.ndarray,
                       nb: int | None) -> Reason:
    """Why unit ``u`` goes to its incident in the plan ``to_inc``; ``same`` marks the
    units of its capability that can reach the incident, ``nb`` is the next best."""
    p = prep.problem
    i, c = int(to_inc[u]), p.unit_capability[u]
    col = prep.eta[:, i]
    e = float(col[u])
    if nb is not None:
        next_best = reason("dispatch.assign.next_best", unit=_name(prep, nb),
                           eta_min=_min(col[nb]))
    else:
        next_best = reason("dispatch.assign.no_other", capability=_cap(c))
    # nearer units of the capability that are not part of this incident's package
    x = _nearest(np.flatnonzero(same & (col < e) & (to_inc != i)), col)
    if x is not None:
        nearer = dict(nearer=_name(prep, x), nearer_min=_min(col[x]), eta_min=_min(e),
                      next_best=next_best)
        if to_inc[x] >= 0:
            return reason("dispatch.assign.nearer_elsewhere",
                          other_incident=p.incident_ids[int(to_inc[x])], **nearer)
        z = _zone_kept(prep, to_inc, x, c)
        if z is not None:
            return reason("dispatch.assign.nearer_keeps_zone", zone=z, **nearer)
        return reason("dispatch.assign.nearer_in_reserve", **nearer)
    # rank among the units of the package: nearer ones first, ties by unit order
    ahead = (col < e) | ((col == e) & (np.arange(prep.n) < u))
    rank = 1 + int((same & (to_inc == i) & ahead).sum())
    if rank == 1:
        return reason("dispatch.assign.nearest", capability=_cap(c), eta_min=_min(e),
                      next_best=next_best)
    return reason("dispatch.assign.ranked", demand=int(p.demand.get((i, c), 0)),
                  capability=_cap(c), rank=rank, eta_min=_min(e), next_best=next_best)


def explain_assignments(prep: Prepared, to_inc: np.ndarray) -> list[dict]:
    """One mapping of :class:`Assignment` fields per unit sent, by incident then
    capability then ETA."""
    p = prep.problem
    rows = []
    sent = np.flatnonzero(to_inc >= 0)
    order = sorted(sent, key=lambda u: (int(to_inc[u]), int(prep.capk[u]),
                                        float(prep.eta[u, to_inc[u]]), int(u)))
    for u in order:
        i, c = int(to_inc[u]), p.unit_capability[u]
        col = prep.eta[:, i]
        same = (np.array(p.unit_capability, dtype=object) == c) & prep.reach[:, i]
        nb = _nearest(np.flatnonzero(same & (to_inc < 0)), col)
        rows.append(dict(unit_id=p.unit_ids[u], incident_id=p.incident_ids[i], capability=c,
                         eta_s=float(col[u]),
                         next_best_unit_id=None if nb is None else p.unit_ids[nb],
                         next_best_eta_s=None if nb is None else float(col[nb]),
                         **_assignment_reason(prep, to_inc, u, same, nb).fields()))
    return rows


def explain_shortfalls(prep: Prepared, to_inc: np.ndarray) -> list[dict]:
    """One mapping of :class:`Shortfall` fields per incident and capability not met in
    full, with the nearest mutual-aid options when the problem lists outside units."""
    p = prep.problem
    caps = np.array(p.unit_capability, dtype=object)
    aid_caps = np.array(p.aid_capability, dtype=object)
    aid_eta = (np.asarray(p.aid_eta_s, dtype=float).reshape(len(p.aid_unit_ids), prep.m)
               if p.aid_unit_ids else np.zeros((0, prep.m)))
    rows = []
    for i in range(prep.m):
        for k in np.flatnonzero(prep.demand[i]):
            c = prep.caps[k]
            d = int(prep.demand[i, k])
            got = int(((to_inc == i) & (caps == c)).sum())
            if got >= d:
                continue
            missing = d - got
            options = []
            if aid_eta.shape[0]:
                cand = np.flatnonzero((aid_caps == c) & np.isfinite(aid_eta[:, i]))
                cand = cand[np.argsort(aid_eta[cand, i], kind="stable")][:missing]
                options = [(p.aid_unit_ids[a], float(aid_eta[a, i])) for a in cand]
            if options:
                aid = reason("dispatch.shortfall.aid", unit=options[0][0],
                             eta_min=_min(options[0][1]))
            else:
                aid = reason("dispatch.shortfall.no_aid")
            reach = np.flatnonzero((caps == c) & prep.reach[:, i])
            if reach.size == 0:
                why = reason("dispatch.shortfall.unreachable", capability=_cap(c), aid=aid)
            else:
                where = sorted({p.incident_ids[int(j)] for j in to_inc[reach] if j >= 0})
                why = reason("dispatch.shortfall.committed", reachable=int(reach.size),
                             capability=_cap(c), incidents=where, aid=aid)
            rows.append(dict(incident_id=p.incident_ids[i], capability=c, missing=missing,
                             aid_options=tuple(options), **why.fields()))
    return rows
