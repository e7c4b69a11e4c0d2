"""Enforcement: the blacklist of enterprises, the inspectors, and the double-random
inspection draw (双随机一公开), as use cases over the store.

Owns: checking every input against the store before anything is written (a bad input
raises :class:`~command.errors.DataError` naming each field and value, and nothing is
written), listing and lifting blacklist entries, adding inspectors with their
exclusions, and running a draw: read the enterprises, the active inspectors and the
previous draw's pairs, draw (:func:`command.risk.enforcement.draw_inspections`), and keep
the draw with its seed and whole input in one transaction with its audit entry, so that
:func:`replay_draw` can re-run it. Must not: know about the command line or the web, or
read the clock behind a caller's back (``now`` is an argument).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from command import store
from command.clock import BEIJING, UTC, as_utc, utc_now
from command.errors import DataError, Problem
from command.risk import enforcement as rules
from command.store import enforcement as es
from command.store.audit import to_json_data

__all__ = ["parse_until", "list_blacklist", "add_to_blacklist", "lift_from_blacklist",
           "list_inspectors", "add_inspector", "add_exclusion", "set_inspector_active",
           "run_draw", "replay_draw", "list_draws", "DEMO_INSPECTORS", "demo_inspectors"]

#: The reason recorded for an exclusion given without one.
DEFAULT_EXCLUSION_REASON = "conflict of interest"


def _now(now: datetime | None) -> datetime:
    return as_utc(now or utc_now(), field="now")


def _refuse(what: str, problems: list[Problem]) -> None:
    if problems:
        raise DataError(what, problems)


def parse_until(text: str, *, field: str = "until") -> datetime:
    """The instant an entry given ``--until TEXT`` ends: a date (``2027-12-31``) lists
    the enterprise to the end of that day in Beijing (midnight after it); a date and
    time must carry its zone (``2027-12-31T18:00+08:00``).

    Raises
    ------
    DataError
        Naming ``field`` and the text, if it is neither.
    """
    text = (text or "").strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return (datetime(day.year, day.month, day.day, tzinfo=BEIJING)
                + timedelta(days=1)).astimezone(UTC)
    try:
        return as_utc(datetime.fromisoformat(text), field=field)
    except ValueError as exc:
        rule = str(exc) if "time zone" in str(exc) else \
            "a date (2027-12-31) or a date and time with its zone (2027-12-31T18:00+08:00)"
        raise DataError("not a date", [Problem(rule, field=field, value=text)]) from None


# --- the blacklist ------------------------------------------------------------------------

def _listing_data(rec: es.BlacklistRecord, at: datetime) -> dict:
    return {**asdict(rec), "ends_at": rules.listing_ends_at(rec),
            "state": rules.listing_state(rec, at)}


def list_blacklist(engine: Engine, *, enterprise: str | None = None, in_force: bool = False,
                   now: datetime | None = None) -> list[dict]:
    """The blacklist entries (of ``enterprise``; only those in force at ``now`` with
    ``in_force``), newest first, each with ``state`` at ``now`` (``pending``,
    ``active``, ``expired``, ``lifted``) and ``ends_at``."""
    now = _now(now)
    with store.session_scope(engine, read_only=True) as s:
        recs = es.list_blacklist(s, enterprise_id=enterprise)
    rows = [_listing_data(r, now) for r in recs]
    return [r for r in rows if r["state"] == "active"] if in_force else rows


def add_to_blacklist(engine: Engine, enterprise: str, *, reason: str, until: datetime | str,
                     actor: str, decided_by: str | None = None,
                     listed_at: datetime | None = None, now: datetime | None = None) -> dict:
    """List ``enterprise`` on the blacklist from ``listed_at`` (``now`` by default) until
    ``until`` (an instant, or text as :func:`parse_until` reads it), decided by
    ``decided_by`` (``actor`` by default), audited as ``actor``.

    Raises
    ------
    DataError
        Every problem at once (unknown enterprise, empty reason, ``until`` not after the
        listing, a naive time, an entry of the enterprise not yet ended), naming the
        field and the value; nothing is written.
    """
    now = _now(now)
    listed_at = now if listed_at is None else listed_at
    decided_by = actor if decided_by is None else decided_by
    problems = []
    if isinstance(until, str):
        try:
            until = parse_until(until)
        except DataError as exc:
            problems, until = exc.problems, None
    with store.session_scope(engine) as s:
        problems = rules.listing_problems(
            enterprise_id=enterprise, reason=reason, listed_at=listed_at, expires_at=until,
            decided_by=decided_by,
            known_enterprises=[e.enterprise_id for e in es.list_enterprises(s)],
            current=es.list_blacklist(s, enterprise_id=enterprise)) + problems
        _refuse(f"enterprise '{enterprise}' not listed", problems)
        rec = es.add_listing(s, enterprise_id=enterprise, reason=reason.strip(),
                             listed_at=listed_at, expires_at=until,
                             decided_by=decided_by.strip(), actor=actor, now=now)
    return _listing_data(rec, now)


def lift_from_blacklist(engine: Engine, enterprise: str, *, reason: str, actor: str,
                        now: datetime | None = None) -> dict:
    """Lift the entry of ``enterprise`` in force at ``now`` (or listed from a later
    instant), audited as ``actor``.

    Raises
    ------
    DataError
        If the reason is empty or the enterprise has no such entry (naming the field and
        the value); nothing is written.
    """
    now = _now(now)
    with store.session_scope(engine) as s:
        problems = []
        if not (reason or "").strip():
            problems.append(Problem("say why the entry is lifted", field="reason",
                                    value=reason))
        # the entry in force first, else one listed from a later instant
        open_ = sorted((r for r in es.list_blacklist(s, enterprise_id=enterprise)
                        if rules.listing_state(r, now) in ("active", "pending")),
                       key=lambda r: rules.listing_state(r, now) != "active")
        if not open_:
            problems.append(Problem("not on the blacklist", field="enterprise",
                                    value=enterprise))
        _refuse(f"enterprise '{enterprise}' not lifted", problems)
        rec = es.lift_listing(s, open_[0].entry_id, reason=reason.strip(), actor=actor, now=now)
    return _listing_data(rec, now)


# --- inspectors ---------------------------------------------------------------------------

def _inspector_data(rec: es.InspectorRecord) -> dict:
    return {"inspector_id": rec.inspector_id, "name": rec.name, "agency_id": rec.agency_id,
            "active": rec.active,
            "exclusions": [{"enterprise_id": x.enterprise_id, "reason": x.reason}
                           for x in rec.exclusions]}


def list_inspectors(engine: Engine) -> list[dict]:
    """Every inspector by id: name, agency, active, exclusions (enterprise, reason)."""
    with store.session_scope(engine, read_only=True) as s:
        return [_inspector_data(r) for r in es.list_inspectors(s)]


def _exclusion_problems(s, inspector_id: str, exclusions: Mapping[str, str],
                        known: set[str]) -> list[Problem]:
    problems = []
    current = es.get_inspector(s, inspector_id)
    already = {x.enterprise_id for x in current.exclusions} if current else set()
    for enterprise, reason in exclusions.items():
        if enterprise not in known:
            problems.append(Problem("no such enterprise in the data set", field="exclude",
                                    value=enterprise))
        elif enterprise in already:
            problems.append(Problem("excluded already", field="exclude", value=enterprise))
        if not (reason or "").strip():
            problems.append(Problem("say why the inspector is excluded", field="reason",
                                    value=reason))
    return problems


def add_inspector(engine: Engine, inspector_id: str, *, name: str, agency: str, actor: str,
                  exclude: Mapping[str, str] | None = None,
                  now: datetime | None = None) -> dict:
    """Add an active inspector of ``agency`` and the enterprises they must not inspect
    (``exclude``: enterprise id -> reason), in one transaction, audited as ``actor``.

    Raises
    ------
    DataError
        Every problem at once (id form or taken, empty name, unknown agency or
        enterprise), naming the field and the value; nothing is written.
    """
    now = _now(now)
    exclude = dict(exclude or {})
    with store.session_scope(engine) as s:
        problems = []
        if not inspector_id or len(inspector_id) > 64 or not all(
                c.isalnum() or c in "-_." for c in inspector_id):
            problems.append(Problem("letters, digits, - _ . only; 1 to 64 characters",
                                    field="id", value=inspector_id))
        elif es.get_inspector(s, inspector_id) is not None:
            problems.append(Problem("an inspector with this id exists already", field="id",
                                    value=inspector_id))
        if not (name or "").strip() or len(name) > 100:
            problems.append(Problem("1 to 100 characters", field="name", value=name))
        if agency not in es.agency_ids(s):
            problems.append(Problem("no such agency in the data set", field="agency",
                                    value=agency))
        known = {e.enterprise_id for e in es.list_enterprises(s)}
        problems += _exclusion_problems(s, inspector_id, exclude, known)
        _refuse(f"inspector '{inspector_id}' not added", problems)
        es.add_inspector(s, inspector_id=inspector_id, name=name.strip(), agency_id=agency,
                         actor=actor, now=now)
        for enterprise, reason in exclude.items():
            es.add_exclusion(s, inspector_id=inspector_id, enterprise_id=enterprise,
                             reason=reason.strip(), actor=actor, now=now)
        return _inspector_data(es.get_inspector(s, inspector_id))


def _known_inspector(s, inspector_id: str) -> es.InspectorRecord:
    rec = es.get_inspector(s, inspector_id)
    _refuse(f"no inspector '{inspector_id}'", [] if rec else [
        Problem("no such inspector", field="inspector", value=inspector_id)])
    return rec


def add_exclusion(engine: Engine, inspector_id: str, enterprise: str, *, reason: str,
                  actor: str, now: datetime | None = None) -> dict:
    """Record that ``inspector_id`` must not inspect ``enterprise`` (and why).

    Raises
    ------
    DataError
        Unknown inspector or enterprise, an exclusion kept already, an empty reason;
        nothing is written.
    """
    now = _now(now)
    with store.session_scope(engine) as s:
        _known_inspector(s, inspector_id)
        known = {e.enterprise_id for e in es.list_enterprises(s)}
        _refuse(f"inspector '{inspector_id}' not excluded from '{enterprise}'",
                _exclusion_problems(s, inspector_id, {enterprise: reason}, known))
        es.add_exclusion(s, inspector_id=inspector_id, enterprise_id=enterprise,
                         reason=reason.strip(), actor=actor, now=now)
        return _inspector_data(es.get_inspector(s, inspector_id))


def set_inspector_active(engine: Engine, inspector_id: str, active: bool, *, actor: str,
                         now: datetime | None = None) -> dict:
    """Make an inspector eligible for draws again, or not (leave, transfer ...).

    Raises
    ------
    DataError
        If there is no such inspector; nothing is written.
    """
    now = _now(now)
    with store.session_scope(engine) as s:
        _known_inspector(s, inspector_id)
        return _inspector_data(es.set_inspector_active(s, inspector_id, active, actor=actor,
                                                       now=now))


# --- the draw -----------------------------------------------------------------------------

def _draw_input(parameters: dict) -> dict:
    """The keyword arguments of :func:`~command.risk.enforcement.draw_inspections` from a
    draw's stored ``parameters``."""
    return dict(
        enterprises=[rules.DrawEnterprise(**e) for e in parameters["pool"]],
        inspectors=[rules.Inspector(i["inspector_id"], i["agency_id"], frozenset(i["excluded"]))
                    for i in parameters["inspectors"]],
        n_enterprises=parameters["enterprises"],
        inspectors_per_enterprise=parameters["inspectors_per_enterprise"],
        seed=parameters["seed"], max_per_inspector=parameters["max_per_inspector"],
        previous=[tuple(p) for p in parameters["previous_pairs"]])


def _draw_data(rec: es.DrawRecord) -> dict:
    return {"draw_id": rec.draw_id, "seed": rec.seed, "drawn_at": rec.drawn_at,
            "drawn_by": rec.drawn_by, "parameters": rec.parameters, **rec.result}


def run_draw(engine: Engine, *, enterprises: int, inspectors: int = 2, seed: int, actor: str,
             max_per_inspector: int | None = None, district: str | None = None,
             industry: str | None = None, avoid_previous: bool = True,
             now: datetime | None = None) -> dict:
    """Draw ``enterprises`` enterprises (of ``district`` and ``industry`` when given) and
    ``inspectors`` active inspectors for each, from ``seed``; keep the draw and audit it.

    The same store and seed give the same draw. With ``avoid_previous`` nobody is sent
    to an enterprise they were drawn for in the previous draw.

    Returns
    -------
    dict
        ``draw_id``, ``seed``, ``drawn_at``, ``drawn_by``, ``parameters`` (the whole
        input) and the result: ``enterprises`` (draw order), ``pairs`` (enterprise,
        inspector, agency), ``unstaffed`` (enterprise, reason, eligible, needed).

    Raises
    ------
    DataError
        Every problem at once (counts below 1, more enterprises than are eligible or
        inspectors than are active, a negative seed, a district or industry without
        enterprises), naming the field and the value; nothing is written.
    """
    now = _now(now)
    with store.session_scope(engine) as s:
        all_ents = es.list_enterprises(s)
        problems = []
        for field, value, have in (("district", district, {e.district for e in all_ents}),
                                   ("industry", industry, {e.industry for e in all_ents})):
            if value is not None and value not in have:
                problems.append(Problem(f"no enterprise in this {field}; one of: "
                                        + ", ".join(sorted(have)), field=field, value=value))
        pool = [rules.DrawEnterprise(e.enterprise_id, e.district, e.industry) for e in all_ents
                if district in (None, e.district) and industry in (None, e.industry)]
        people = [rules.Inspector(r.inspector_id, r.agency_id,
                                  frozenset(x.enterprise_id for x in r.exclusions))
                  for r in es.list_inspectors(s, active_only=True)]
        last = es.last_draw(s) if avoid_previous else None
        previous = sorted((p["enterprise_id"], p["inspector_id"])
                          for p in (last.result["pairs"] if last else []))
        problems += rules.draw_problems(pool, people, n_enterprises=enterprises,
                                        inspectors_per_enterprise=inspectors, seed=seed,
                                        max_per_inspector=max_per_inspector)
        _refuse("the inspection draw cannot be made", problems)
        parameters = {
            "seed": seed, "enterprises": enterprises, "inspectors_per_enterprise": inspectors,
            "max_per_inspector": max_per_inspector, "district": district,
            "industry": industry, "previous_draw_id": last.draw_id if last else None,
            "previous_pairs": previous, "pool": [asdict(e) for e in pool],
            "inspectors": [{"inspector_id": i.inspector_id, "agency_id": i.agency_id,
                            "excluded": sorted(i.excluded)} for i in people]}
        result = rules.draw_inspections(**_draw_input(parameters))
        rec = es.save_draw(s, seed=seed, parameters=parameters, result=result, actor=actor,
                           now=now)
    return _draw_data(rec)


def replay_draw(engine: Engine, draw_id: int) -> dict:
    """Re-run draw ``draw_id`` from its stored input and seed (anyone can check a
    published draw). ``same`` says whether it gives the stored pairs again.

    Raises
    ------
    DataError
        If there is no such draw.
    """
    with store.session_scope(engine, read_only=True) as s:
        rec = es.get_draw(s, draw_id)
    _refuse(f"no draw {draw_id}", [] if rec else [
        Problem("no such draw", field="draw", value=draw_id)])
    again = to_json_data(rules.draw_inspections(**_draw_input(rec.parameters)))
    return {"draw_id": draw_id, "seed": rec.seed, "same": again == rec.result,
            "stored": rec.result, "replayed": again}


def list_draws(engine: Engine, *, limit: int = 50) -> list[dict]:
    """The ``limit`` most recent draws, newest first (as :func:`run_draw` returns)."""
    with store.session_scope(engine, read_only=True) as s:
        return [_draw_data(r) for r in es.list_draws(s, limit=limit)]


#: Demo inspectors for an illustrative data set (``demo_accounts: true``): made-up
#: officers of the emergency management bureau, one with a conflict of interest, so the
#: draw can be tried at once. A real city adds its own with `risk inspectors add`.
DEMO_INSPECTORS = (("INS-01", "演示检查员甲", {}), ("INS-02", "演示检查员乙", {}),
                   ("INS-03", "演示检查员丙", {"N01": "illustrative: formerly employed there"}),
                   ("INS-04", "演示检查员丁", {}), ("INS-05", "演示检查员戊", {}),
                   ("INS-06", "演示检查员己", {}))


def demo_inspectors(engine: Engine, dataset, *, now: datetime | None = None) -> int:
    """Add :data:`DEMO_INSPECTORS` (of the data set's first agency) when the store has no
    inspector yet and the data set is illustrative; how many were added."""
    if not dataset.meta.get("demo_accounts") or list_inspectors(engine) or not dataset.agencies:
        return 0
    agency = dataset.agencies[0].agency_id
    known = {e.enterprise_id for e in dataset.enterprises}
    for inspector_id, name, exclude in DEMO_INSPECTORS:
        add_inspector(engine, inspector_id, name=name, agency=agency, actor="system",
                      exclude={e: r for e, r in exclude.items() if e in known}, now=now)
    return len(DEMO_INSPECTORS)
