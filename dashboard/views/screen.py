"""The command screen's view: the live snapshot in, everything the wall shows out, as
plain data (rows, texts in the page's language, the map's live traces). No Dash here:
the page renders these, the tests and ``bench/screen_update.py`` call them directly.

Owns: KPIs, incident list, unit board, active units, plan panel, ticker and map traces
from a :class:`command.app.screen.LiveSnapshot`. Must not: call the application layer
(routes, swap candidates and the scenario overlay are handed in), read the clock
(the snapshot's ``now`` is the time), or write anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from command.app.incidents import NEXT_STATUS
from command.app.screen import LiveSnapshot, ScenarioOverlay, StandardShare
from command.clock import beijing
from command.i18n import t
from command.model import Dataset
from dashboard.figures import STATUS_COLORS, THEME, PointLayer, live_slot_index, live_traces
from dashboard.views._common import elapsed_text
from dashboard.views.liaison import agency_names, task_title

__all__ = ["LAYER_KEYS", "SLOTS", "TICKER_LINES", "LIAISON_LINES", "layers",
           "picked_from_click", "elapsed_text", "selected_incident", "screen_view",
           "patch_data", "liaison_view", "avoidance_view"]

LAYER_KEYS = ("layer.bases", "layer.depots", "layer.hospitals", "layer.shelters",
              "layer.hazards")
#: Trace index of each live slot: click grid and roads, the static layers, then the slots.
SLOTS = live_slot_index(2 + len(LAYER_KEYS))
#: Lines of the ticker (the newest audit entries) on the wall.
TICKER_LINES = 6

#: Lines of the unacknowledged liaison tasks panel (the oldest; then "n more").
LIAISON_LINES = 3

#: A road path (lat, lon) from a unit's base to an incident.
Route = Callable[[object, object], list]


def layers(ds: Dataset, lang: str) -> list[PointLayer]:
    """The static point layers of the data set."""
    name = (lambda x: x.name_en) if lang == "en" else (lambda x: x.name_zh)
    return [
        PointLayer("layer.bases", [b.lat for b in ds.bases], [b.lon for b in ds.bases],
                   [name(b) for b in ds.bases], THEME["blue"], "square", 10),
        PointLayer("layer.depots", [d.lat for d in ds.depots], [d.lon for d in ds.depots],
                   [name(d) for d in ds.depots], "#43a047", "diamond", 11, "legendonly"),
        PointLayer("layer.hospitals", [h.lat for h in ds.hospitals], [h.lon for h in ds.hospitals],
                   [name(h) for h in ds.hospitals], "#ffffff", "cross", 12, "legendonly"),
        PointLayer("layer.shelters", [s.lat for s in ds.shelters], [s.lon for s in ds.shelters],
                   [name(s) for s in ds.shelters], "#ab47bc", "triangle-up", 9, "legendonly"),
        PointLayer("layer.hazards", [h.lat for h in ds.hazard_sources],
                   [h.lon for h in ds.hazard_sources],
                   [f"{h.name_zh if lang != 'en' else h.substance_en} {h.quantity_t:g} t"
                    for h in ds.hazard_sources], THEME["orange"], "hexagon", 11),
    ]


def picked_from_click(click_data) -> tuple[float, float] | None:
    """(lat, lon) of a click on the map, rounded to 1e-5 degrees (about 1 m)."""
    if not click_data or not click_data.get("points"):
        return None
    p = click_data["points"][0]
    if p.get("x") is None or p.get("y") is None:
        return None
    return round(float(p["y"]), 5), round(float(p["x"]), 5)


def _hms(at: datetime) -> str:
    """Beijing wall-clock time of an aware instant."""
    return beijing(at).strftime("%H:%M:%S")


def _unit_labels(units, dataset: Dataset, lang: str) -> dict[str, str]:
    """unit id -> its name in ``lang``: the Chinese name, or in English its base, its
    capability and its id (as the recommendation names it, ``dispatch.unit_name``)."""
    if lang != "en":
        return {u.unit_id: u.name_zh for u in units}
    bases = {b.base_id: b.name_en for b in dataset.bases}
    return {u.unit_id: t("dispatch.unit_name", "en", base=bases.get(u.base_id, u.base_id),
                         capability=t(f"cap.{u.capability}", "en"), unit_id=u.unit_id)
            for u in units}


def selected_incident(snap: LiveSnapshot, selected: str | None):
    """The incident the plan panel shows: the chosen one while open, else the newest open
    incident with a plan awaiting decision, else the newest open incident."""
    open_ids = {i.incident_id: i for i in snap.incidents}
    if selected in open_ids:
        return open_ids[selected]
    for i in snap.incidents:
        p = snap.plans.get(i.incident_id)
        if p is not None and p.status == "proposed":
            return i
    return snap.incidents[0] if snap.incidents else None


def screen_view(snap: LiveSnapshot, *, dataset: Dataset, lang: str, selected,
                share: StandardShare, route: Route, swaps: dict | None = None,
                overlay: ScenarioOverlay | None = None,
                materials_short: int | None = None, no_plan: str | None = None) -> dict:
    """Everything the live screen shows, as plain data (JSON-able; no Dash).

    Parameters
    ----------
    snap : the live snapshot (its ``now`` is the screen's time).
    dataset : the data set (agency names).
    lang : ``zh`` or ``en``.
    selected : the incident of the plan panel (see :func:`selected_incident`), or None.
    share : today's share within standard (:func:`command.app.screen.share_within_standard`).
    route : ``route(incident, unit)`` -> road path (lat, lon) from the unit's base.
    swaps : unit id in the selected proposed plan -> capable alternatives, fastest first
        (:func:`command.app.incidents.swap_candidates`).
    overlay : the active scenario's zones and closed roads, or None.
    materials_short : items short in the material allocation of the current store
        state, when the material reserves page has computed it; None when unknown.
    no_plan : why the selected incident has no plan to decide (one of
        :data:`command.app.incidents.NO_PLAN_REASONS`), when it has none or its plan
        was rejected.
    """
    agencies = {a.agency_id: (a.name_en if lang == "en" else a.name_zh)
                for a in dataset.agencies}
    inc_by_id = {i.incident_id: i for i in snap.incidents}
    labels = _unit_labels(snap.units, dataset, lang)
    n_share = share.within + share.missed
    kpis = [
        {"key": "available", "value": str(sum(u.status == "available" for u in snap.units)),
         "detail": str(len(snap.units))},
        {"key": "open", "value": str(len(snap.incidents)), "detail": ""},
        {"key": "standard",
         "value": (t("dashboard.kpi.share", lang, share=share.share) if n_share
                   else t("dashboard.kpi.unknown", lang)),
         "detail": t("dashboard.kpi.share_detail", lang, within=share.within, n=n_share)
         if n_share else ""},
        {"key": "unmet", "value": (str(materials_short) if materials_short is not None
                                   else t("dashboard.kpi.unknown", lang)), "detail": ""},
    ]
    on_incident: dict[str, list] = {}
    for u in snap.units:
        if u.incident_id in inc_by_id:
            on_incident.setdefault(u.incident_id, []).append(u)
    incidents = []
    for i in snap.incidents:
        plan = snap.plans.get(i.incident_id)
        us = on_incident.get(i.incident_id, [])
        incidents.append({
            "incident_id": i.incident_id, "priority": i.priority,
            "type": t(f"incident.{i.incident_type}", lang),
            "elapsed": elapsed_text((snap.now - i.created_at).total_seconds()),
            "created_ms": int(i.created_at.timestamp() * 1000),
            "plan": t(f"dashboard.plan.status.{plan.status}", lang) if plan else "",
            "units": len(us), "can_advance": any(u.status in NEXT_STATUS for u in us)})
    board: dict[str, dict[str, int]] = {}
    for u in snap.units:
        board.setdefault(u.agency_id, {s: 0 for s in STATUS_COLORS})[u.status] += 1
    board_rows = [{"agency": agencies.get(a, a), "counts": counts} for a, counts in board.items()]
    active = [{"unit_id": u.unit_id, "label": labels[u.unit_id], "status": u.status,
               "status_text": t(f"status.{u.status}", lang), "incident_id": u.incident_id or "",
               "since": _hms(u.status_changed_at) if u.status_changed_at else ""}
              for u in snap.units if u.status in NEXT_STATUS]
    active.sort(key=lambda r: (r["incident_id"], r["unit_id"]))
    ticker = [_ticker_line(e, lang) for e in snap.audit[:TICKER_LINES]]
    sel = selected
    plan_view = _plan_view(snap, sel, swaps or {}, lang, no_plan, labels) if sel else None
    # map: units at base, on the road (half way) or on scene; routes of units under way
    map_units, routes = [], []
    for u in snap.units:
        inc = inc_by_id.get(u.incident_id)
        lat, lon = u.base_lat, u.base_lon
        if inc is not None and u.status in ("en_route", "returning", "dispatched", "on_scene"):
            path = route(inc, u)
            if u.status == "on_scene":
                lat, lon = inc.lat, inc.lon
            elif u.status != "dispatched" and path:
                lat, lon = path[len(path) // 2]
            if u.status in ("dispatched", "en_route") and path:
                routes.append(path)
        map_units.append({"lat": lat, "lon": lon, "status": u.status,
                          "label": f"{labels[u.unit_id]} {t(f'status.{u.status}', lang)}"})
    traces = live_traces(
        incidents=[{"lat": i.lat, "lon": i.lon, "priority": i.priority, "type": i.incident_type,
                    "label": f"{t(f'incident.{i.incident_type}', lang)} {i.incident_id}"}
                   for i in snap.incidents],
        units=map_units, routes=routes, selected=(sel.lat, sel.lon) if sel else None,
        closed=(overlay.closed_lat, overlay.closed_lon) if overlay else None,
        zones=overlay.zones_geojson[lang] if overlay else None)
    return {"change_id": snap.change_id, "selected": sel.incident_id if sel else None,
            "kpis": kpis, "incidents": incidents, "board": board_rows, "active": active,
            "plan": plan_view, "ticker": ticker, "traces": traces,
            "scenario": (overlay.name_en if lang == "en" else overlay.name_zh)
            if overlay else ""}


def _ticker_line(e, lang: str) -> str:
    key = f"dashboard.audit.{e.action}"
    if key not in _TICKER_KEYS:
        key = "dashboard.audit.other"
    subject = e.payload.get("scenario") or e.subject.split(":", 1)[-1]
    status = t(f"status.{e.payload['to']}", lang) if e.action == "unit.status" else ""
    step = (t(f"avoid.name.{e.payload['step']}", lang)
            if e.action == "avoidance.step" and e.payload.get("step") in _STEP_NAMES else "")
    return t(key, lang, time=_hms(e.at), actor=e.actor, subject=subject, status=status,
             step=step)


_TICKER_KEYS = frozenset({
    "dashboard.audit.incident.created", "dashboard.audit.incident.closed",
    "dashboard.audit.plan.proposed", "dashboard.audit.plan.approved",
    "dashboard.audit.plan.modified", "dashboard.audit.plan.rejected",
    "dashboard.audit.unit.status", "dashboard.audit.dataset.loaded",
    "dashboard.audit.scenario.loaded", "dashboard.audit.scenario.cleared",
    "dashboard.audit.alert.opened", "dashboard.audit.alert.raised",
    "dashboard.audit.alert.acknowledged", "dashboard.audit.alert.escalated",
    "dashboard.audit.avoidance.started", "dashboard.audit.avoidance.step",
    "dashboard.audit.avoidance.stop_requested"})
_STEP_NAMES = frozenset({"incident", "zone", "roads", "population", "agencies", "teams",
                         "plan"})


def _step_text(step: str, p: dict, lang: str) -> str:
    if step == "incident":
        return t("avoid.step.incident", lang, incident_id=p["incident_id"],
                 type=t(f"incident.{p['type']}", lang))
    if step == "zone":
        w = p.get("wind")
        wind = (t("avoid.step.wind", lang, speed=w["wind_m_s"], deg=w["wind_from_deg"])
                if w else t("avoid.step.no_wind", lang))
        return t("avoid.step.zone", lang, zones=p["zones"], scenario=p["scenario"], wind=wind)
    if step == "roads":
        return t("avoid.step.roads", lang, count=p["count"], km=p["km"])
    if step == "population":
        return t("avoid.step.population", lang, inside=p["inside"], shelters=len(p["shelters"]))
    if step == "agencies":
        return t("avoid.step.agencies", lang, n=len(p["agencies"]))
    if step == "teams":
        return t("avoid.step.teams", lang, n=sum(1 for x in p["teams"] if x["routed"]))
    if step == "plan":
        return (t("avoid.step.plan", lang, plan_id=p["plan_id"]) if p.get("plan_id") is not None
                else t("avoid.step.plan_none", lang))
    return step


def avoidance_view(chain, *, dataset: Dataset, lang: str) -> dict | None:
    """The avoidance chain panel: its head, one row per step done (name, what it did),
    and whether it is still running (the stop button); None without a chain."""
    if chain is None:
        return None
    hz = {h.hazard_id: h for h in dataset.hazard_sources}.get(chain.hazard_id)
    name = (hz.name_zh if lang != "en" else f"{hz.substance_en} ({hz.hazard_id})") if hz \
        else chain.hazard_id
    return {"chain_id": chain.chain_id, "running": chain.status == "running",
            "status": chain.status,
            "head": t("avoid.head", lang, hazard=name, status=t(f"avoid.status.{chain.status}",
                                                                 lang)),
            "rows": [{"step": st.step, "name": t(f"avoid.name.{st.step}", lang),
                      "text": _step_text(st.step, st.payload, lang), "time": _hms(st.at)}
                     for st in chain.steps if st.step in _STEP_NAMES]}


def _plan_view(snap: LiveSnapshot, inc, swaps: dict, lang: str,
               no_plan: str | None = None, labels: dict | None = None) -> dict:
    plan = snap.plans.get(inc.incident_id)
    head = t("dashboard.plan.head", lang, type=t(f"incident.{inc.incident_type}", lang),
             incident_id=inc.incident_id,
             status=t(f"dashboard.plan.status.{plan.status}", lang) if plan else "")
    # why there is nothing to decide, and whether "recommend again" may help
    why = t(f"dashboard.noplan.{no_plan}", lang) if no_plan else ""
    again = plan is None or plan.status == "rejected"
    if plan is None:
        return {"incident_id": inc.incident_id, "plan_id": None, "head": head, "rows": [],
                "proposed": False, "missing": "", "why": why, "again": again}
    names = labels or {u.unit_id: u.name_zh for u in snap.units}
    proposed = plan.status == "proposed"
    swaps = swaps if proposed else {}
    rows = []
    for a in plan.assignments:
        if a.get("incident_id") != inc.incident_id:
            continue
        eta = a.get("eta_s")
        rows.append({
            "unit_id": a["unit_id"], "name": names.get(a["unit_id"], a["unit_id"]),
            "capability": t(f"cap.{a['capability']}", lang) if a.get("capability") else "",
            "eta": (f"{eta / 60.0:.1f} {t('unit.min', lang)}" if eta is not None
                    else t("dashboard.plan.eta_unknown", lang)),
            "reason": a.get("reason_en" if lang == "en" else "reason_zh") or "",
            "swaps": [{"label": f"{names.get(c['unit_id'], c['unit_id'])} "
                                f"{c['eta_s'] / 60.0:.1f} {t('unit.min', lang)}",
                       "value": c["unit_id"]} for c in swaps.get(a["unit_id"], [])],
        })
    missing = plan.payload.get("missing") or {}
    return {"incident_id": inc.incident_id, "plan_id": plan.plan_id, "head": head, "rows": rows,
            "proposed": proposed, "why": why, "again": again,
            "missing": t("dashboard.plan.missing", lang, what="、".join(
                f"{t(f'cap.{c}', lang)} {n}" for c, n in missing.items())) if missing else ""}


def patch_data(traces: dict[str, dict]) -> dict[int, dict]:
    """Trace index -> the properties to set (what a Patch sends)."""
    out = {}
    for slot, data in traces.items():
        props = {"x": data["x"], "y": data["y"], "text": data["text"]}
        if "symbol" in data:
            props["marker.symbol"] = data["symbol"]
        out[SLOTS[slot]] = props
    return out


def liaison_view(pending, dataset: Dataset, lang: str, *, limit: int = LIAISON_LINES) -> dict:
    """The unacknowledged liaison tasks panel: the oldest ``limit`` tasks (agency's name,
    the task's text, age since issued, issue time in ms for the ticking age) and how many
    more wait.
    ``pending`` is :func:`command.app.screen.liaison_pending`'s list."""
    names = agency_names(dataset, lang)
    rows = [{"task_id": r["task"].task_id,
             "agency": names.get(r["task"].agency_id, r["task"].agency_id),
             "task": task_title(r["task"], lang),
             "age": elapsed_text(r["age_s"]),
             "issued_ms": int(r["task"].issued_at.timestamp() * 1000)}
            for r in pending[:limit]]
    return {"rows": rows, "more": max(0, len(pending) - limit), "total": len(pending)}
