"""The command screen (指挥大屏): the live situation for the video wall and the duty
officer's workflow (create an incident, decide its plan, move units through their status).

Callbacks only adapt: they parse the inputs, call one core function (``command.service``)
and render with the plain functions below, which the tests and ``bench/screen_update.py``
call directly. The page polls ``last_change_id`` every second and rebuilds only when it
moves, so a change from another browser or the command line shows within two seconds.
Drill incidents never appear here (``service.live_snapshot`` reads live data only).
"""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import parse_qs

import dash
from dash import (ALL, Input, Output, Patch, State, callback, clientside_callback, dcc, html,
                  no_update)

from command import roads, service, store
from command.errors import CommandError, OffNetworkError
from command.i18n import t
from command.model import INCIDENT_TYPES
from dashboard import context
from dashboard.figures import (STATUS_COLORS, THEME, PointLayer, live_map_figure,
                               live_slot_index, live_traces, scaled_sizes)
from dashboard.figures_pages import SCALE_JS

dash.register_page(__name__, path="/", name="screen", name_key="nav.screen", order=0)

LAYER_KEYS = ("layer.bases", "layer.depots", "layer.hospitals", "layer.shelters",
              "layer.hazards")
#: Trace index of each live slot: click grid and roads, the static layers, then the slots.
SLOTS = live_slot_index(2 + len(LAYER_KEYS))
DEFAULT_USER = "duty-officer"
#: How many rows each wall panel shows before "n more" (no scrolling on a wall).
MAX_INCIDENTS, MAX_ACTIVE, TICKER_LINES = 9, 9, 6


def layers(ctx: context.ScreenContext, lang: str) -> list[PointLayer]:
    """The static point layers of the data set."""
    ds = ctx.dataset
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


def base_figure(ctx: context.ScreenContext, lang: str):
    """The live map with empty slots (see :data:`SLOTS`); updates fill them by Patch."""
    lat, lon = ctx.road_lines
    return live_map_figure(road_lat=lat, road_lon=lon, bbox=ctx.bbox, layers=layers(ctx, lang),
                           lang=lang)


def user_from_search(search: str | None) -> str:
    """The user of ``?user=NAME`` (trimmed, at most 40 characters), else 'duty-officer'."""
    value = (parse_qs((search or "").lstrip("?")).get("user") or [""])[0].strip()[:40]
    return value or DEFAULT_USER


def layout(lang: str = "zh", user: str = "", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    types = [{"label": t(f"incident.{k}", lang), "value": k} for k in INCIDENT_TYPES]
    first = screen_update(ctx, lang, None)
    kpis, incidents, board, active, plan, ticker, change_id, selected, elapsed, patch = first
    fig = base_figure(ctx, lang)
    _apply(fig, patch)
    return html.Div(className="screen", children=[
        dcc.Store(id="screen-lang", data=lang),
        dcc.Store(id="screen-result"),
        dcc.Store(id="screen-change", data=change_id),
        dcc.Store(id="screen-selected", data=selected),
        dcc.Store(id="screen-elapsed", data=elapsed),
        dcc.Store(id="screen-scale", data=1.0),
        dcc.Interval(id="screen-poll", interval=1000),
        html.Div(kpis, id="screen-kpis", className="kpis"),
        html.Div(className="map-wrap", children=[
            dcc.Graph(id="screen-map", figure=fig, style={"height": "100%"},
                      config={"displayModeBar": False, "scrollZoom": True, "doubleClick": "reset"}),
        ]),
        html.Div(className="col mid", children=[
            html.Section(className="card grow", children=[
                html.H2(t("dashboard.incidents", lang)),
                html.Div(incidents, id="screen-incidents")]),
            html.Section(className="card grow plan", children=[
                html.H2(t("dashboard.plan", lang)),
                html.Div(plan, id="screen-plan"),
                html.Div(t("screen.no_incident", lang), id="rec-summary", className="summary")]),
        ]),
        html.Div(className="col right", children=[
            html.Section(className="card", children=[
                html.H2(t("dashboard.units", lang)), html.Div(board, id="screen-board")]),
            html.Section(className="card grow", children=[
                html.H2(t("dashboard.active_units", lang)),
                html.Div(active, id="screen-active")]),
            html.Section(className="card form", children=[
                html.H2(t("screen.new_incident", lang)),
                html.Div(className="form-row", children=[
                    html.Label([t("screen.lat", lang),
                                dcc.Input(id="inc-lat", type="number", className="num",
                                          step="any", debounce=True)]),
                    html.Label([t("screen.lon", lang),
                                dcc.Input(id="inc-lon", type="number", className="num",
                                          step="any", debounce=True)]),
                    html.Label([t("dashboard.user", lang),
                                dcc.Input(id="screen-user", type="text", className="num",
                                          value=user.strip()[:40] or DEFAULT_USER)]),
                ]),
                html.Div(className="form-row", children=[
                    html.Label([t("screen.type", lang),
                                dcc.Dropdown(id="inc-type", options=types, value="fire",
                                             clearable=False, searchable=False)]),
                    html.Label([t("screen.priority", lang),
                                dcc.Dropdown(id="inc-priority", value=2, clearable=False,
                                             searchable=False,
                                             options=[{"label": t("dashboard.priority", lang, p=p),
                                                       "value": p} for p in (1, 2, 3, 4)])]),
                    html.Button(t("screen.create", lang), id="inc-create", className="btn",
                                n_clicks=0, title=t("screen.click_hint", lang)),
                ]),
                html.Div(className="form-row scenario-row", children=[
                    dcc.Dropdown(id="scenario-pick", options=scenario_options(ctx),
                                 placeholder=t("dashboard.scenario", lang), clearable=False,
                                 searchable=False),
                    html.Button(t("dashboard.scenario.load", lang), id="scenario-load",
                                className="act", n_clicks=0),
                    html.Button(t("dashboard.scenario.clear", lang), id="scenario-clear",
                                className="act ghost", n_clicks=0),
                ]),
            ]),
        ]),
        html.Div(ticker, id="screen-ticker", className="ticker"),
    ])


# --- plain functions the callbacks adapt --------------------------------------------

def picked_from_click(click_data) -> tuple[float, float] | None:
    """(lat, lon) of a click on the map, rounded to 1e-5 degrees (about 1 m)."""
    if not click_data or not click_data.get("points"):
        return None
    p = click_data["points"][0]
    if p.get("x") is None or p.get("y") is None:
        return None
    return round(float(p["y"]), 5), round(float(p["x"]), 5)


def recommendation_view(ctx: context.ScreenContext, lat, lon, incident_type: str,
                        priority: int, lang: str, user: str = DEFAULT_USER) -> dict:
    """Create the incident, recommend units and return what the screen shows (JSON-able)."""
    try:
        lat_f, lon_f = _number(lat, "screen.lat", lang), _number(lon, "screen.lon", lang)
        if incident_type not in INCIDENT_TYPES:
            raise ValueError(t("error.unknown_type", lang, value=incident_type))
        incident_id, plan_id, result = service.create_and_recommend(
            ctx.engine, ctx.network, ctx.dataset, incident_type=incident_type, lat=lat_f,
            lon=lon_f, priority=int(priority or 2), actor=user or DEFAULT_USER,
            limit=ctx.settings.recommend_limit,
            max_snap_distance_m=ctx.settings.max_snap_distance_m)
    except OffNetworkError as exc:
        return {"error": t("error.off_network", lang, distance_m=_distance_of(exc))}
    except (ValueError, CommandError) as exc:
        return {"error": str(exc)}
    rows = [{
        "unit_id": o.unit_id, "name": o.name_en if lang == "en" else o.name_zh,
        "capability": t(f"cap.{o.capability}", lang),
        "eta_min": round(o.eta_s / 60.0, 1), "distance_km": round(o.distance_m / 1000.0, 1),
        "reason": o.reason_en if lang == "en" else o.reason_zh, "routed": o.routed,
    } for o in result.options]
    return {
        "incident_id": incident_id, "plan_id": plan_id, "incident": [lat_f, lon_f],
        "summary": t("screen.incident_created", lang, incident_id=incident_id,
                     type=t(f"incident.{incident_type}", lang), n=len(rows))
        if rows else t("screen.none_capable", lang),
        "rows": rows,
    }


def _number(value, key: str, lang: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(t("error.bad_number", lang, field=t(key, lang))) from None
    if not math.isfinite(x):
        raise ValueError(t("error.bad_number", lang, field=t(key, lang)))
    return x


def _distance_of(exc: OffNetworkError) -> float:
    for p in exc.problems:
        if p.field == "distance_m":
            return float(p.value)
    return float("nan")


def _hms(at: datetime) -> str:
    return at.astimezone(service.BEIJING).strftime("%H:%M:%S")


def elapsed_text(seconds: float) -> str:
    """'mm:ss' under an hour, else 'h:mm:ss' (the browser keeps it ticking)."""
    s = max(0, int(seconds))
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


def _unit_label(u, lang: str) -> str:
    return u.unit_id if lang == "en" else u.name_zh


def _routes_to(ctx: context.ScreenContext, inc, units) -> dict[str, list]:
    """Road paths (lat, lon) from each unit's base to the incident, memoised per
    (incident, base): bases and incidents do not move."""
    out, todo = {}, []
    for u in units:
        key = ("route", inc.incident_id, u.base_id)
        if key in ctx.memo:
            out[u.base_id] = ctx.memo[key]
        else:
            todo.append(u)
    if todo:
        bases = sorted({u.base_id: u for u in todo}.values(), key=lambda u: u.base_id)
        target, _ = roads.snap(ctx.network, inc.lat, inc.lon, max_distance_m=None)
        src, _ = roads.snap(ctx.network, [u.base_lat for u in bases],
                            [u.base_lon for u in bases], max_distance_m=None)
        for u, nodes in zip(bases, roads.paths_to(ctx.network, src, int(target))):
            coords = roads.path_coords(ctx.network, nodes) if nodes else []
            ctx.memo[("route", inc.incident_id, u.base_id)] = out[u.base_id] = coords
    return out


def _selected(snap: service.LiveSnapshot, selected: str | None):
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


def update_view(ctx: context.ScreenContext, lang: str, selected: str | None, *,
                now: datetime | None = None, materials_short: int | None = None) -> dict:
    """Everything the live screen shows, as plain data (JSON-able; no Dash).

    Parameters
    ----------
    selected : the incident id chosen for the plan panel (None: see :func:`_selected`).
    materials_short : items short in the material allocation of the current store
        state, when the material reserves page has computed it; None when unknown.
    """
    snap = service.live_snapshot(ctx.engine, now=now)
    agencies = {a.agency_id: (a.name_en if lang == "en" else a.name_zh)
                for a in ctx.dataset.agencies}
    inc_by_id = {i.incident_id: i for i in snap.incidents}
    share = service.share_within_standard(snap, ctx.settings)
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
            "units": len(us), "can_advance": any(u.status in service.NEXT_STATUS for u in us)})
    board: dict[str, dict[str, int]] = {}
    for u in snap.units:
        board.setdefault(u.agency_id, {s: 0 for s in STATUS_COLORS})[u.status] += 1
    board_rows = [{"agency": agencies.get(a, a), "counts": counts} for a, counts in board.items()]
    active = [{"unit_id": u.unit_id, "label": _unit_label(u, lang), "status": u.status,
               "status_text": t(f"status.{u.status}", lang), "incident_id": u.incident_id or "",
               "since": _hms(u.status_changed_at) if u.status_changed_at else ""}
              for u in snap.units if u.status in service.NEXT_STATUS]
    active.sort(key=lambda r: (r["incident_id"], r["unit_id"]))
    ticker = [_ticker_line(e, lang) for e in snap.audit[:TICKER_LINES]]
    sel = _selected(snap, selected)
    plan_view = _plan_view(ctx, snap, sel, lang) if sel else None
    # map: units at base, on the road (half way) or on scene; routes of units under way
    map_units, routes = [], []
    for u in snap.units:
        inc = inc_by_id.get(u.incident_id)
        lat, lon = u.base_lat, u.base_lon
        if inc is not None and u.status in ("en_route", "returning", "dispatched", "on_scene"):
            path = _routes_to(ctx, inc, [u]).get(u.base_id) or []
            if u.status == "on_scene":
                lat, lon = inc.lat, inc.lon
            elif u.status != "dispatched" and path:
                lat, lon = path[len(path) // 2]
            if u.status in ("dispatched", "en_route") and path:
                routes.append(path)
        map_units.append({"lat": lat, "lon": lon, "status": u.status,
                          "label": f"{_unit_label(u, lang)} {t(f'status.{u.status}', lang)}"})
    scenario = _scenario(ctx, lang)
    traces = live_traces(
        incidents=[{"lat": i.lat, "lon": i.lon, "priority": i.priority, "type": i.incident_type,
                    "label": f"{t(f'incident.{i.incident_type}', lang)} {i.incident_id}"}
                   for i in snap.incidents],
        units=map_units, routes=routes, selected=(sel.lat, sel.lon) if sel else None,
        closed=scenario["closed"] if scenario else None,
        zones=scenario["zones"] if scenario else None)
    return {"change_id": snap.change_id, "selected": sel.incident_id if sel else None,
            "kpis": kpis, "incidents": incidents, "board": board_rows, "active": active,
            "plan": plan_view, "ticker": ticker, "traces": traces,
            "scenario": scenario["name"] if scenario else ""}


def _scenario(ctx: context.ScreenContext, lang: str) -> dict | None:
    """Zones (GeoJSON), closed road lines and name of the active scenario, computed once
    per scenario and process (the consequence models take a second or two)."""
    scenario_id = service.active_scenario(ctx.engine)
    if scenario_id is None:
        return None
    key = ("scenario", scenario_id, lang)
    if key not in ctx.memo:
        from command.scenarios.consequences import consequences
        from command.scenarios.library import find_scenario, scenario_dir
        from command.scenarios.schema import load_scenario

        sc = load_scenario(find_scenario(scenario_id, scenario_dir(ctx.settings.resources_dir)),
                           dataset=ctx.dataset)
        c = consequences(sc, ctx.network, ctx.dataset, settings=ctx.settings)
        ctx.memo[key] = {"zones": c.geojson(lang),
                         "closed": roads.edge_lines(ctx.network, edges=c.closed_edges),
                         "name": c.name_en if lang == "en" else c.name_zh}
    return ctx.memo[key]


def _ticker_line(e, lang: str) -> str:
    key = f"dashboard.audit.{e.action}"
    if key not in _TICKER_KEYS:
        key = "dashboard.audit.other"
    subject = e.payload.get("scenario") or e.subject.split(":", 1)[-1]
    status = t(f"status.{e.payload['to']}", lang) if e.action == "unit.status" else ""
    return t(key, lang, time=_hms(e.at), actor=e.actor, subject=subject, status=status)


_TICKER_KEYS = frozenset({
    "dashboard.audit.incident.created", "dashboard.audit.incident.closed",
    "dashboard.audit.plan.proposed", "dashboard.audit.plan.approved",
    "dashboard.audit.plan.modified", "dashboard.audit.plan.rejected",
    "dashboard.audit.unit.status", "dashboard.audit.dataset.loaded",
    "dashboard.audit.scenario.loaded", "dashboard.audit.scenario.cleared"})


def _plan_view(ctx: context.ScreenContext, snap: service.LiveSnapshot, inc, lang: str) -> dict:
    plan = snap.plans.get(inc.incident_id)
    head = t("dashboard.plan.head", lang, type=t(f"incident.{inc.incident_type}", lang),
             incident_id=inc.incident_id,
             status=t(f"dashboard.plan.status.{plan.status}", lang) if plan else "")
    if plan is None:
        return {"incident_id": inc.incident_id, "plan_id": None, "head": head, "rows": [],
                "proposed": False, "missing": ""}
    names = {u.unit_id: _unit_label(u, lang) for u in snap.units}
    proposed = plan.status == "proposed"
    swaps = {}
    if proposed:
        key = ("swaps", plan.plan_id, snap.change_id)
        if key not in ctx.memo:
            ctx.memo[key] = service.swap_candidates(ctx.engine, ctx.network, ctx.dataset,
                                                    plan.plan_id)
        swaps = ctx.memo[key]
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
            "proposed": proposed,
            "missing": t("dashboard.plan.missing", lang, what="、".join(
                f"{t(f'cap.{c}', lang)} {n}" for c, n in missing.items())) if missing else ""}


# --- rendering (plain data -> components) ---------------------------------------------

def _more(n: int, lang: str):
    return [html.Div(t("dashboard.more", lang, n=n), className="more")] if n > 0 else []


def render_kpis(kpis: list[dict], lang: str):
    return [html.Div(className=f"kpi kpi-{k['key']}", children=[
        html.Div(t(f"dashboard.kpi.{k['key']}", lang), className="k"),
        html.Div([html.Span(k["value"], className="v"),
                  html.Span(k["detail"], className="d")])]) for k in kpis]


def _act(op: str, target, text: str, cls: str = "act"):
    return html.Button(text, id={"type": "act", "op": op, "target": str(target)},
                       n_clicks=0, className=cls)


def render_incidents(rows: list[dict], selected: str | None, lang: str):
    if not rows:
        return html.Div(t("dashboard.no_open", lang), className="empty")
    items = []
    for r in rows[:MAX_INCIDENTS]:
        items.append(html.Div(className="inc" + (" sel" if r["incident_id"] == selected else ""),
                              children=[
            html.Span(t("dashboard.priority", lang, p=r["priority"]), className=f"pri p{r['priority']}"),
            html.Button(r["type"], id={"type": "act", "op": "select", "target": r["incident_id"]},
                        n_clicks=0, className="inc-type"),
            html.Span(r["incident_id"], className="inc-id"),
            html.Span(r["elapsed"], id={"type": "elapsed", "index": r["incident_id"]},
                      className="elapsed"),
            html.Span(r["plan"], className="inc-plan"),
            _act("advance_all", r["incident_id"], t("dashboard.advance_all", lang))
            if r["can_advance"] else html.Span(),
            _act("close", r["incident_id"], t("dashboard.close", lang), "act ghost"),
        ]))
    return items + _more(len(rows) - MAX_INCIDENTS, lang)


def render_board(rows: list[dict], lang: str):
    head = html.Tr([html.Th(t("col.agency", lang))] + [
        html.Th(t(f"status.{s}", lang), style={"color": c}) for s, c in STATUS_COLORS.items()])
    body = [html.Tr([html.Td(r["agency"], className="agency")] + [
        html.Td(str(r["counts"][s]) if r["counts"][s] else "·",
                className="n" + (" zero" if not r["counts"][s] else ""))
        for s in STATUS_COLORS]) for r in rows]
    return html.Table(className="board", children=[html.Thead(head), html.Tbody(body)])


def render_active(rows: list[dict], lang: str):
    if not rows:
        return html.Div(t("dashboard.no_active", lang), className="empty")
    return [html.Div(className="unit", children=[
        html.Span(r["label"], className="unit-name", title=r["unit_id"]),
        html.Span(r["status_text"], className="status",
                  style={"color": STATUS_COLORS[r["status"]]}),
        html.Span(r["since"], className="since"),
        _act("advance", r["unit_id"], t("dashboard.advance", lang)),
    ]) for r in rows[:MAX_ACTIVE]] + _more(len(rows) - MAX_ACTIVE, lang)


def render_plan(view: dict | None, lang: str):
    if view is None:
        return html.Div(t("dashboard.no_open", lang), className="empty")
    parts = [html.Div(view["head"], className="plan-head")]
    if view["plan_id"] is None:
        return parts + [html.Div(t("dashboard.no_plan", lang), className="empty")]
    head = [t("col.unit", lang), t("col.capability", lang), t("col.eta", lang),
            t("col.reason", lang)] + ([t("dashboard.swap", lang)] if view["proposed"] else [])
    body = []
    for r in view["rows"]:
        cells = [html.Td(r["name"], className="name"), html.Td(r["capability"]),
                 html.Td(r["eta"], className="eta"), html.Td(r["reason"], className="reason")]
        if view["proposed"]:
            cells.append(html.Td(dcc.Dropdown(
                id={"type": "swap", "unit": r["unit_id"]}, options=r["swaps"], value=None,
                placeholder=t("dashboard.swap_none", lang), clearable=True, searchable=False,
                className="swap")))
        body.append(html.Tr(cells))
    parts.append(html.Table(className="rec", id="rec-rows", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)]))
    if view["missing"]:
        parts.append(html.Div(view["missing"], className="missing"))
    if view["proposed"]:
        parts.append(html.Div(className="decide", children=[
            _act("approve", view["plan_id"], t("dashboard.approve", lang), "act go"),
            _act("modify", view["plan_id"], t("dashboard.modify", lang), "act"),
            _act("reject", view["plan_id"], t("dashboard.reject", lang), "act stop"),
        ]))
    return parts


def render_ticker(lines: list[str]):
    return [html.Span(line, className="tick") for line in lines]


def patch_data(traces: dict[str, dict]) -> dict[int, dict]:
    """Trace index -> the properties to set (what a Patch sends)."""
    out = {}
    for slot, data in traces.items():
        props = {"x": data["x"], "y": data["y"], "text": data["text"]}
        if "symbol" in data:
            props["marker.symbol"] = data["symbol"]
        out[SLOTS[slot]] = props
    return out


def _apply(target, data: dict[int, dict]) -> None:
    """Write ``patch_data`` into a Figure or a Patch."""
    for idx, props in data.items():
        for k, v in props.items():
            if k == "marker.symbol":
                target["data"][idx]["marker"]["symbol"] = v
            else:
                target["data"][idx][k] = v


def screen_update(ctx: context.ScreenContext, lang: str, selected: str | None, *,
                  now: datetime | None = None, materials_short: int | None = None):
    """What the update callback returns, in its output order: KPIs, incident list, unit
    board, active units, plan panel, ticker, change id, selected incident, creation times
    (ms, for the ticking elapsed times) and the map's live traces by index."""
    v = update_view(ctx, lang, selected, now=now, materials_short=materials_short)
    return (render_kpis(v["kpis"], lang), render_incidents(v["incidents"], v["selected"], lang),
            render_board(v["board"], lang), render_active(v["active"], lang),
            render_plan(v["plan"], lang), render_ticker(v["ticker"]), v["change_id"],
            v["selected"], {r["incident_id"]: r["created_ms"] for r in v["incidents"]},
            patch_data(v["traces"]))


def scenario_options(ctx: context.ScreenContext) -> list[dict]:
    """The scenarios of the data set's library, by id (the file's stem)."""
    from command.scenarios.library import list_scenarios, scenario_dir

    return [{"label": p.stem, "value": p.stem}
            for p in list_scenarios(scenario_dir(ctx.settings.resources_dir))]


def scenario_action(ctx: context.ScreenContext, op: str, name: str | None, user: str,
                    lang: str) -> str:
    """Load scenario ``name`` (op 'load') or clear the active one (op 'clear')."""
    user = (user or "").strip()[:40] or DEFAULT_USER
    try:
        if op == "clear":
            service.clear_scenario(ctx.engine, user)
            return t("dashboard.done", lang, what=t("dashboard.scenario.clear", lang))
        if not name:
            return t("dashboard.failed", lang, detail=t("dashboard.scenario", lang))
        scenario_id, ids = service.load_scenario(ctx.engine, ctx.network, ctx.dataset,
                                                 ctx.settings, name, user)
    except CommandError as exc:
        return t("dashboard.failed", lang, detail=str(exc).split("\n")[0])
    return t("dashboard.done", lang, what=f"{t('dashboard.scenario.load', lang)} {scenario_id}")


def act(ctx: context.ScreenContext, op: str, target: str, user: str, swaps: dict,
        lang: str) -> str:
    """Carry out one button of the screen as ``user``; returns the message to show."""
    user = (user or "").strip()[:40] or DEFAULT_USER
    labels = {"approve": "dashboard.approve", "modify": "dashboard.modify",
              "reject": "dashboard.reject", "advance": "dashboard.advance",
              "advance_all": "dashboard.advance_all", "close": "dashboard.close"}
    try:
        if op in ("approve", "reject"):
            service.decide(ctx.engine, int(target), op, user)
        elif op == "modify":
            chosen = {old: new for old, new in swaps.items() if new}
            if not chosen:
                return t("dashboard.failed", lang, detail=t("dashboard.swap_none", lang))
            plan_swaps = next((v for k, v in ctx.memo.items()
                               if k[0] == "swaps" and k[1] == int(target)), {})
            full = {old: next((c for c in plan_swaps.get(old, []) if c["unit_id"] == new),
                              new) for old, new in chosen.items()}
            service.decide(ctx.engine, int(target), "modify", user, swaps=full)
        elif op == "advance":
            service.advance_unit(ctx.engine, target, user)
        elif op == "advance_all":
            service.advance_incident(ctx.engine, target, user)
        elif op == "close":
            service.close_incident(ctx.engine, target, user)
        else:
            return ""
    except (CommandError, ValueError) as exc:
        return t("dashboard.failed", lang, detail=str(exc).split("\n")[0])
    return t("dashboard.done", lang, what=f"{t(labels[op], lang)} {target}")


def materials_short(change_id: int) -> int | None:
    """Items short in the material reserves page's allocation for this store state, when
    that page has computed it in this process; None otherwise."""
    import flask

    jobs = flask.current_app.config.get("PAGES_JOBS")
    job = jobs.get(f"materials:{change_id}") if jobs is not None else None
    if job is None or job.state != "done":
        return None
    return len(job.result["materials"]["shortages"])


# --- callbacks -------------------------------------------------------------------------

@callback(Output("inc-lat", "value"), Output("inc-lon", "value"),
          Input("screen-map", "clickData"), prevent_initial_call=True)
def _on_click(click_data):
    picked = picked_from_click(click_data)
    return (picked[0], picked[1]) if picked else (no_update, no_update)


@callback(Output("screen-map", "figure", allow_duplicate=True),
          Input("inc-lat", "value"), Input("inc-lon", "value"), prevent_initial_call=True)
def _on_pick(lat, lon):
    patch = Patch()
    if lat is None or lon is None:
        return no_update
    patch["data"][SLOTS["picked"]]["x"] = [lon]
    patch["data"][SLOTS["picked"]]["y"] = [lat]
    return patch


@callback(Output("screen-result", "data"), Output("screen-selected", "data", allow_duplicate=True),
          Input("inc-create", "n_clicks"),
          State("inc-lat", "value"), State("inc-lon", "value"), State("inc-type", "value"),
          State("inc-priority", "value"), State("screen-lang", "data"),
          State("screen-user", "value"), prevent_initial_call=True)
def _on_create(_n, lat, lon, incident_type, priority, lang, user):
    view = recommendation_view(context.current(), lat, lon, incident_type, priority, lang, user)
    return view, view.get("incident_id", no_update)


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Input("screen-result", "data"), prevent_initial_call=True)
def _on_result(result):
    if not result:
        return no_update, no_update
    if "error" in result:
        return result["error"], "summary error"
    return result["summary"], "summary"


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Output("screen-selected", "data", allow_duplicate=True),
          Input({"type": "act", "op": ALL, "target": ALL}, "n_clicks"),
          State({"type": "swap", "unit": ALL}, "value"), State({"type": "swap", "unit": ALL}, "id"),
          State("screen-user", "value"), State("screen-lang", "data"), prevent_initial_call=True)
def _on_act(_clicks, swap_values, swap_ids, user, lang):
    trig = dash.ctx.triggered_id
    if not trig or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
        return no_update, no_update, no_update
    if trig["op"] == "select":
        return no_update, no_update, trig["target"]
    swaps = {i["unit"]: v for i, v in zip(swap_ids, swap_values)}
    msg = act(context.current(), trig["op"], trig["target"], user, swaps, lang)
    return msg, "summary error" if msg.startswith(t("dashboard.failed", lang, detail="")) \
        else "summary", no_update


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Input("scenario-load", "n_clicks"), Input("scenario-clear", "n_clicks"),
          State("scenario-pick", "value"), State("screen-user", "value"),
          State("screen-lang", "data"), prevent_initial_call=True)
def _on_scenario(_load, _clear, name, user, lang):
    op = "clear" if dash.ctx.triggered_id == "scenario-clear" else "load"
    msg = scenario_action(context.current(), op, name, user, lang)
    return msg, "summary error" if msg.startswith(t("dashboard.failed", lang, detail="")) \
        else "summary"


@callback(Output("screen-change", "data"), Input("screen-poll", "n_intervals"),
          State("screen-change", "data"))
def _poll(_n, have):
    with store.session_scope(context.current().engine, read_only=True) as s:
        now = store.last_change_id(s)
    return now if now != have else no_update


@callback(Output("screen-kpis", "children"), Output("screen-incidents", "children"),
          Output("screen-board", "children"), Output("screen-active", "children"),
          Output("screen-plan", "children"), Output("screen-ticker", "children"),
          Output("screen-elapsed", "data"), Output("screen-map", "figure"),
          Input("screen-change", "data"), Input("screen-selected", "data"),
          State("screen-lang", "data"), prevent_initial_call=True)
def _render(change_id, selected, lang):
    ctx = context.current()
    kpis, incidents, board, active, plan, ticker, _c, _sel, elapsed, data = screen_update(
        ctx, lang, selected, materials_short=materials_short(change_id))
    patch = Patch()
    _apply(patch, data)
    return kpis, incidents, board, active, plan, ticker, elapsed, patch


def scale_patch(ctx: context.ScreenContext, lang: str, scale: float) -> Patch:
    """The map's fonts, markers and lines for a wall ``scale`` times 1080 px high."""
    key = ("base-figure", lang)
    if key not in ctx.memo:
        ctx.memo[key] = base_figure(ctx, lang)
    sizes = scaled_sizes(ctx.memo[key], scale)
    patch = Patch()
    patch["layout"]["font"]["size"] = sizes["font"]
    patch["layout"]["legend"]["font"]["size"] = sizes["legend"]
    for i, px in sizes["markers"].items():
        patch["data"][i]["marker"]["size"] = px
    for i, px in sizes["lines"].items():
        patch["data"][i]["line"]["width"] = px
    return patch


clientside_callback(SCALE_JS, Output("screen-scale", "data"),
                    Input("screen-poll", "n_intervals"), State("screen-scale", "data"))


@callback(Output("screen-map", "figure", allow_duplicate=True), Input("screen-scale", "data"),
          State("screen-lang", "data"), prevent_initial_call=True)
def _on_scale(scale, lang):
    return scale_patch(context.current(), lang, float(scale or 1.0))


# The elapsed times tick in the browser between store changes.
clientside_callback(
    """function(n, created, ids) {
        const now = Date.now();
        return ids.map((id) => {
            const s = Math.max(0, Math.floor((now - (created[id.index] || now)) / 1000));
            const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
            const p = (v) => String(v).padStart(2, '0');
            return h ? `${h}:${p(m)}:${p(x)}` : `${p(m)}:${p(x)}`;
        });
    }""",
    Output({"type": "elapsed", "index": ALL}, "children"),
    Input("clock-tick", "n_intervals"), State("screen-elapsed", "data"),
    State({"type": "elapsed", "index": ALL}, "id"),
)
