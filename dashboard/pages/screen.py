"""The command screen (指挥大屏): the live situation for the video wall and the duty
officer's workflow (create an incident, decide its plan, move units through their status).

Callbacks only adapt: they parse the inputs, call one use case of :mod:`command.app`
and render what :mod:`dashboard.views.screen` builds; the tests and
``bench/screen_update.py`` call the plain functions directly. The page polls the store's
change id every second and rebuilds only when it moves, so a change from another browser
or the command line shows within two seconds. Drill incidents never appear here
(:func:`command.app.screen.live_snapshot` reads live data only).
"""

from __future__ import annotations

import math
from datetime import datetime

import dash
from dash import (
    ALL,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
    no_update,
)

from command.access import permissions_of
from command.app import incidents as use
from command.app.avoidance import stop_chain
from command.app.incidents import swap_candidates
from command.app.scenarios import clear_scenario, load_scenario, scenario_ids
from command.app.screen import (
    avoidance_panel,
    change_id,
    liaison_pending,
    live_snapshot,
    route_coords,
    scenario_overlay,
    share_within_standard,
)
from command.errors import CommandError, OffNetworkError
from command.i18n import t
from command.model import INCIDENT_TYPES
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.blocks import clicked
from dashboard.figures import STATUS_COLORS, live_map_figure, scaled_sizes
from dashboard.jobs import materials_jobs, materials_key
from dashboard.views import screen as views
from dashboard.views._common import SCALE_JS
from dashboard.views.screen import SLOTS, picked_from_click

dash.register_page(__name__, path="/", name="screen", name_key="nav.screen", order=0)

LAYER_KEYS = views.LAYER_KEYS
#: The kind of each action button (its pattern id's ``type``), and the permission of its
#: callback: a role without it gets no such button, and a forged click gets 403.
ACT_PERMISSIONS = {"act-decide": "plan.decide", "act-unit": "unit.advance",
                   "act-close": "incident.close", "act-avoid": "avoidance.stop"}
_OP_KIND = {"approve": "act-decide", "modify": "act-decide", "reject": "act-decide",
            "recommend": "act-decide", "advance": "act-unit", "advance_all": "act-unit",
            "close": "act-close"}
#: How many rows the incident list and the active units show before "n more"; the panels
#: keep a minimum height and scroll inside themselves (never the page).
MAX_INCIDENTS, MAX_ACTIVE = 100, 150


def base_figure(ctx: context.ScreenContext, lang: str):
    """The live map with empty slots (see :data:`SLOTS`); updates fill them by Patch."""
    lat, lon = ctx.road_lines
    return live_map_figure(road_lat=lat, road_lon=lon, bbox=ctx.bbox, layers=views.layers(ctx.dataset, lang),
                           lang=lang)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    perms = permissions_of(current_user().role)
    first = screen_update(ctx, lang, None, perms=perms)
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
        dcc.Interval(id="screen-poll", interval=ctx.settings.poll_interval_ms),
        html.Div(kpis, id="screen-kpis", className="kpis"),
        html.Div(className="map-wrap", children=[
            dcc.Graph(id="screen-map", figure=fig, style={"height": "100%"},
                      config={"displayModeBar": False, "scrollZoom": True, "doubleClick": "reset"}),
        ]),
        html.Div(className="col mid", children=[
            html.Section(className="card grow", children=[
                html.H2(t("dashboard.incidents", lang)),
                html.Div(incidents, id="screen-incidents")]),
            html.Section(className="card avoid", children=[
                html.H2(t("avoid.title", lang)),
                html.Div(avoidance_children(ctx, lang, perms), id="screen-avoid")]),
            html.Section(className="card grow plan", children=[
                html.H2(t("dashboard.plan", lang)),
                html.Div(plan, id="screen-plan"),
                html.Div(t("screen.no_incident", lang), id="rec-summary", className="summary")]),
        ]),
        html.Div(className="col right", children=[
            html.Section(className="card", children=[
                html.H2(t("dashboard.units", lang)), html.Div(board, id="screen-board")]),
            html.Section(className="card liaison-panel", children=[
                html.H2(t("screen.liaison", lang)),
                html.Div(render_liaison(liaison_update(ctx, lang), lang),
                         id="screen-liaison")]),
            html.Section(className="card grow", children=[
                html.H2(t("dashboard.active_units", lang)),
                html.Div(active, id="screen-active")]),
            *_form(ctx, lang, perms),
        ]),
        html.Div(ticker, id="screen-ticker", className="ticker"),
    ])


def _form(ctx: context.ScreenContext, lang: str, perms: frozenset) -> list:
    """The new-incident form and the scenario row, for the roles that may use them (the
    video wall and the planners see neither)."""
    rows = []
    if "incident.create" in perms:
        types = [{"label": t(f"incident.{k}", lang), "value": k} for k in INCIDENT_TYPES]
        rows += [
            html.H2(t("screen.new_incident", lang)),
            html.Div(className="form-row", children=[
                html.Label([t("screen.lat", lang),
                            dcc.Input(id="inc-lat", type="number", className="num",
                                      step="any", debounce=True)]),
                html.Label([t("screen.lon", lang),
                            dcc.Input(id="inc-lon", type="number", className="num",
                                      step="any", debounce=True)]),
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
        ]
    if "scenario.load" in perms:
        rows.append(html.Div(className="form-row scenario-row", children=[
            dcc.Dropdown(id="scenario-pick", options=scenario_options(ctx),
                         placeholder=t("dashboard.scenario", lang), clearable=False,
                         searchable=False),
            html.Button(t("dashboard.scenario.load", lang), id="scenario-load",
                        className="act", n_clicks=0),
            html.Button(t("dashboard.scenario.clear", lang), id="scenario-clear",
                        className="act ghost", n_clicks=0),
        ]))
    return [html.Section(className="card form", children=rows)] if rows else []


# --- plain functions the callbacks adapt --------------------------------------------

def recommendation_view(ctx: context.ScreenContext, lat, lon, incident_type: str,
                        priority: int, lang: str, user: str) -> dict:
    """Create the incident, recommend units and return what the screen shows (JSON-able)."""
    try:
        lat_f, lon_f = _number(lat, "screen.lat", lang), _number(lon, "screen.lon", lang)
        _in_city(ctx, lat_f, lon_f, lang)
        if incident_type not in INCIDENT_TYPES:
            raise ValueError(t("error.unknown_type", lang, value=incident_type))
        incident_id, plan_id, result = use.create_and_recommend(
            ctx.engine, ctx.network, ctx.dataset, incident_type=incident_type, lat=lat_f,
            lon=lon_f, priority=int(priority or 2), actor=user,
            limit=ctx.settings.recommend_limit,
            max_snap_distance_m=ctx.settings.max_snap_distance_m)
    except OffNetworkError:
        return {"error": t("error.off_network", lang, distance_m=use.distance_to_road_m(
            ctx.network, lat_f, lon_f))}
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


def _in_city(ctx: context.ScreenContext, lat: float, lon: float, lang: str) -> None:
    """Refuse a latitude or longitude outside the city's road network (its extent, widened
    by the snap distance), naming the valid range."""
    w, s_, e, n = ctx.bbox
    margin = ctx.settings.max_snap_distance_m / 111_320.0
    for value, key, lo, hi in (
            (lat, "screen.lat", s_ - margin, n + margin),
            (lon, "screen.lon", w - margin / max(0.1, math.cos(math.radians(lat))),
             e + margin / max(0.1, math.cos(math.radians(lat))))):
        if not lo <= value <= hi:
            raise ValueError(t("screen.out_of_range", lang, field=t(key, lang),
                               lo=f"{lo:.3f}", hi=f"{hi:.3f}", value=f"{value:g}"))


def update_view(ctx: context.ScreenContext, lang: str, selected: str | None, *,
                now: datetime | None = None, materials_short: int | None = None) -> dict:
    """Everything the live screen shows at ``now`` (the clock by default), as plain data:
    reads through the application layer, builds with :func:`views.screen_view`."""
    snap = live_snapshot(ctx.engine, now=now)
    sel = views.selected_incident(snap, selected)
    plan = snap.plans.get(sel.incident_id) if sel else None
    swaps = (swap_candidates(ctx.engine, ctx.network, ctx.dataset, plan.plan_id)
             if plan is not None and plan.status == "proposed" else {})
    no_plan = (use.why_no_plan(ctx.engine, ctx.network, ctx.dataset, sel.incident_id,
                               max_snap_distance_m=ctx.settings.max_snap_distance_m,
                               limit=ctx.settings.recommend_limit)
               if sel is not None and (plan is None or plan.status == "rejected") else None)

    def route(inc, unit):
        return route_coords(ctx.network, to_lat=inc.lat, to_lon=inc.lon,
                            from_lat=unit.base_lat, from_lon=unit.base_lon)

    return views.screen_view(
        snap, dataset=ctx.dataset, lang=lang, selected=sel,
        share=share_within_standard(snap, ctx.settings), route=route, swaps=swaps,
        overlay=scenario_overlay(ctx.engine, ctx.network, ctx.dataset, ctx.settings),
        materials_short=materials_short, no_plan=no_plan)


# --- rendering (plain data -> components) ---------------------------------------------

def _more(n: int, lang: str):
    return [html.Div(t("dashboard.more", lang, n=n), className="more")] if n > 0 else []


def render_kpis(kpis: list[dict], lang: str):
    return [html.Div(className=f"kpi kpi-{k['key']}", children=[
        html.Div(t(f"dashboard.kpi.{k['key']}", lang), className="k"),
        html.Div([html.Span(k["value"], className="v"),
                  html.Span(k["detail"], className="d")])]) for k in kpis]


def _act(op: str, target, text: str, cls: str = "act", *, perms: frozenset):
    """The button of ``op`` on ``target``, or an empty span for a role without its
    permission."""
    kind = _OP_KIND[op]
    if ACT_PERMISSIONS[kind] not in perms:
        return html.Span()
    return html.Button(text, id={"type": kind, "op": op, "target": str(target)},
                       n_clicks=0, className=cls)


def render_incidents(rows: list[dict], selected: str | None, lang: str, perms: frozenset):
    if not rows:
        return html.Div(t("dashboard.no_open", lang), className="empty")
    items = []
    for r in rows[:MAX_INCIDENTS]:
        items.append(html.Div(className="inc" + (" sel" if r["incident_id"] == selected else ""),
                              children=[
            html.Span(t("dashboard.priority", lang, p=r["priority"]), className=f"pri p{r['priority']}"),
            html.Button(r["type"], id={"type": "select", "target": r["incident_id"]},
                        n_clicks=0, className="inc-type"),
            html.Span(r["incident_id"], className="inc-id"),
            html.Span(r["elapsed"], id={"type": "elapsed", "index": r["incident_id"]},
                      className="elapsed"),
            html.Span(r["plan"], className="inc-plan"),
            _act("advance_all", r["incident_id"], t("dashboard.advance_all", lang), perms=perms)
            if r["can_advance"] else html.Span(),
            _act("close", r["incident_id"], t("dashboard.close", lang), "act ghost", perms=perms),
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


def render_active(rows: list[dict], lang: str, perms: frozenset):
    if not rows:
        return html.Div(t("dashboard.no_active", lang), className="empty")
    return [html.Div(className="unit", children=[
        html.Span(r["label"], className="unit-name", title=r["unit_id"]),
        html.Span(r["status_text"], className="status",
                  style={"color": STATUS_COLORS[r["status"]]}),
        html.Span(r["since"], className="since"),
        _act("advance", r["unit_id"], t("dashboard.advance", lang), perms=perms),
    ]) for r in rows[:MAX_ACTIVE]] + _more(len(rows) - MAX_ACTIVE, lang)


def render_plan(view: dict | None, lang: str, perms: frozenset):
    if view is None:
        return html.Div(t("dashboard.no_open", lang), className="empty")
    parts = [html.Div(view["head"], className="plan-head")]
    # no plan to decide: say why, and offer a new recommendation
    again = ([html.Div(view["why"], className="missing no-plan")] if view.get("why") else [])
    if view.get("again"):
        again.append(html.Div(className="decide", children=[_act(
            "recommend", view["incident_id"], t("dashboard.recommend_again", lang), "act go",
            perms=perms)]))
    if view["plan_id"] is None:
        return parts + (again or [html.Div(t("dashboard.no_plan", lang), className="empty")])
    deciding = view["proposed"] and "plan.decide" in perms
    head = [t("col.unit", lang), t("col.capability", lang), t("col.eta", lang),
            t("col.reason", lang)] + ([t("dashboard.swap", lang)] if deciding else [])
    body = []
    for r in view["rows"]:
        cells = [html.Td(r["name"], className="name"), html.Td(r["capability"]),
                 html.Td(r["eta"], className="eta"), html.Td(r["reason"], className="reason")]
        if deciding:
            cells.append(html.Td(dcc.Dropdown(
                id={"type": "swap", "unit": r["unit_id"]}, options=r["swaps"], value=None,
                placeholder=t("dashboard.swap_none", lang), clearable=True, searchable=False,
                className="swap")))
        body.append(html.Tr(cells))
    rows = [html.Table(className="rec", id="rec-rows", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)])]
    if view["missing"]:
        rows.append(html.Div(view["missing"], className="missing"))
    # the rows scroll inside the panel; the decision bar below them always shows
    parts.append(html.Div(rows, className="plan-rows"))
    if deciding:
        parts.append(html.Div(className="decide", children=[
            _act("approve", view["plan_id"], t("dashboard.approve", lang), "act go", perms=perms),
            _act("modify", view["plan_id"], t("dashboard.modify", lang), "act", perms=perms),
            _act("reject", view["plan_id"], t("dashboard.reject", lang), "act stop", perms=perms),
        ]))
    return parts + again


def liaison_update(ctx: context.ScreenContext, lang: str, *,
                   now: datetime | None = None) -> dict:
    """The unacknowledged liaison tasks panel as plain data (see
    :func:`views.liaison_view`)."""
    return views.liaison_view(liaison_pending(ctx.engine, now=now), ctx.dataset, lang)


def render_liaison(view: dict, lang: str):
    if not view["rows"]:
        return html.Div(t("screen.liaison.none", lang), className="empty")
    return [html.Div(className="liaison-row", children=[
        html.Span([html.Span(r["agency"], className="liaison-agency"),
                   html.Span(r["task"])], className="liaison-task"),
        html.Span(r["age"], id={"type": "liaison-age", "index": str(r["task_id"])},
                  className="elapsed", **{"data-issued": str(r["issued_ms"])})])
        for r in view["rows"]] + _more(view["more"], lang)


def render_ticker(lines: list[str]):
    return [html.Span(line, className="tick") for line in lines]


def _apply(target, data: dict[int, dict]) -> None:
    """Write ``patch_data`` into a Figure or a Patch."""
    for idx, props in data.items():
        for k, v in props.items():
            if k == "marker.symbol":
                target["data"][idx]["marker"]["symbol"] = v
            else:
                target["data"][idx][k] = v


def screen_update(ctx: context.ScreenContext, lang: str, selected: str | None, *,
                  perms: frozenset, now: datetime | None = None,
                  materials_short: int | None = None):
    """What the update callback returns, in its output order: KPIs, incident list, unit
    board, active units, plan panel, ticker, change id, selected incident, creation times
    (ms, for the ticking elapsed times) and the map's live traces by index. Buttons appear
    only for the permissions in ``perms`` (the viewer's role)."""
    v = update_view(ctx, lang, selected, now=now, materials_short=materials_short)
    return (render_kpis(v["kpis"], lang),
            render_incidents(v["incidents"], v["selected"], lang, perms),
            render_board(v["board"], lang), render_active(v["active"], lang, perms),
            render_plan(v["plan"], lang, perms), render_ticker(v["ticker"]), v["change_id"],
            v["selected"], {r["incident_id"]: r["created_ms"] for r in v["incidents"]},
            views.patch_data(v["traces"]))


def scenario_options(ctx: context.ScreenContext) -> list[dict]:
    """The scenarios of the data set's library, by id (the file's stem)."""
    return [{"label": s, "value": s} for s in scenario_ids(ctx.settings)]


def scenario_action(ctx: context.ScreenContext, op: str, name: str | None, user: str,
                    lang: str) -> str:
    """Load scenario ``name`` (op 'load') or clear the active one (op 'clear'), as
    ``user`` (the authenticated user's name)."""
    try:
        if op == "clear":
            clear_scenario(ctx.engine, user)
            return t("dashboard.done", lang, what=t("dashboard.scenario.clear", lang))
        if not name:
            return t("dashboard.failed", lang, detail=t("dashboard.scenario", lang))
        scenario_id, _ids = load_scenario(ctx.engine, ctx.network, ctx.dataset, ctx.settings,
                                          name, user)
    except CommandError as exc:
        return t("dashboard.failed", lang, detail=str(exc))
    return t("dashboard.done", lang, what=f"{t('dashboard.scenario.load', lang)} {scenario_id}")


def act(ctx: context.ScreenContext, op: str, target: str, user: str, swaps: dict,
        lang: str) -> str:
    """Carry out one button of the screen as ``user`` (the authenticated user's name);
    returns the message to show."""
    labels = {"approve": "dashboard.approve", "modify": "dashboard.modify",
              "reject": "dashboard.reject", "advance": "dashboard.advance",
              "advance_all": "dashboard.advance_all", "close": "dashboard.close"}
    limits = {"limit": ctx.settings.recommend_limit,
              "max_snap_distance_m": ctx.settings.max_snap_distance_m}
    try:
        if op in ("approve", "modify"):
            if op == "modify" and not any(swaps.values()):
                return t("dashboard.failed", lang, detail=t("dashboard.swap_none", lang))
            done = use.approve(ctx.engine, ctx.network, ctx.dataset, int(target), user,
                               swaps=swaps if op == "modify" else None, **limits)
            return approval_text(done, op, lang)
        if op == "recommend":
            new = use.recommend_again(ctx.engine, ctx.network, ctx.dataset, target, user,
                                      **limits)
            return _proposed_text(new, lang)
        if op == "reject":
            use.decide(ctx.engine, int(target), op, user)
        elif op == "advance":
            use.advance_unit(ctx.engine, target, user)
        elif op == "advance_all":
            use.advance_incident(ctx.engine, target, user)
        elif op == "close":
            use.close_incident(ctx.engine, target, user)
        else:
            return ""
    except (CommandError, ValueError) as exc:
        return t("dashboard.failed", lang, detail=str(exc))
    return t("dashboard.done", lang, what=f"{t(labels[op], lang)} {target}")


def _proposed_text(new: dict, lang: str) -> str:
    """What a re-proposal gave: the new plan(s) to check, or why there is none."""
    ids = [str(p) for p, _why in new.values() if p is not None]
    if ids:
        return t("dashboard.recommended", lang, plan_id="、".join(ids))
    why = next((w for _p, w in new.values() if w), "all_committed")
    return t("dashboard.failed", lang, detail=t(f"dashboard.noplan.{why}", lang))


def approval_text(done: use.Approval, op: str, lang: str) -> str:
    """The translated message of an approval (:func:`command.app.incidents.approve`):
    what was done, or why not and what to do."""
    label = t("dashboard.approve" if op == "approve" else "dashboard.modify", lang)
    if done.outcome == "approved":
        more = t("dashboard.refreshed", lang, n=len(done.refreshed)) if done.refreshed else ""
        return t("dashboard.done", lang, what=f"{label} {done.plan_id}") + more
    if done.outcome == "decided":
        return t("dashboard.failed", lang, detail=t(
            "dashboard.decided_already", lang, plan_id=done.plan_id, by=done.by,
            status=t(f"dashboard.plan.status.{done.status}", lang)))
    if done.outcome == "closed":
        return t("dashboard.failed", lang, detail=t(
            "dashboard.incident_closed", lang, plan_id=done.plan_id,
            incidents="、".join(done.taken)))
    units = "、".join(done.taken)
    ids = [str(p) for p, _why in done.new_plans.values() if p is not None]
    if ids:
        return t("dashboard.failed", lang, detail=t(
            "dashboard.reproposed", lang, plan_id=done.plan_id, units=units,
            new="、".join(ids)))
    why = next((w for _p, w in done.new_plans.values() if w), "all_committed")
    return t("dashboard.failed", lang, detail=t(
        "dashboard.reproposed_none", lang, plan_id=done.plan_id, units=units,
        why=t(f"dashboard.noplan.{why}", lang)))


def avoidance_children(ctx: context.ScreenContext, lang: str, perms: frozenset):
    """The avoidance chain panel: its steps as they happen, and the stop button for the
    roles that may stop it while it runs."""
    view = views.avoidance_view(avoidance_panel(ctx.engine), dataset=ctx.dataset, lang=lang)
    if view is None:
        return html.Div(t("avoid.none", lang), className="empty")
    head = [html.Span(view["head"], className="avoid-head")]
    if view["running"] and "avoidance.stop" in perms:
        head.append(html.Button(t("avoid.stop", lang), className="act stop",
                                id={"type": "act-avoid", "target": str(view["chain_id"])},
                                n_clicks=0))
    rows = [html.Div(className=f"avoid-step step-{r['step']}", children=[
        html.Span(r["time"], className="since"), html.Span(r["name"], className="avoid-name"),
        html.Span(r["text"], className="avoid-text")]) for r in view["rows"]]
    return [html.Div(head, className="avoid-top"), *rows]


def avoidance_stop(ctx: context.ScreenContext, chain_id: str, user: str, lang: str) -> str:
    """Stop avoidance chain ``chain_id`` as ``user`` before its next step."""
    try:
        stop_chain(ctx.engine, int(chain_id), user)
    except (CommandError, ValueError) as exc:
        return t("dashboard.failed", lang, detail=str(exc))
    return t("avoid.stopped", lang, chain_id=chain_id)


def materials_short(change: int) -> int | None:
    """Items short in the material reserves page's allocation for this store state, when
    that page has computed it in this process; None otherwise."""
    import flask

    job = materials_jobs(flask.current_app.config).get(materials_key(change))
    if job is None or job.state != "done":
        return None
    return len(job.result["materials"]["shortages"])


# --- callbacks -------------------------------------------------------------------------

def _outcome(msg: str, lang: str) -> tuple[str, str]:
    failed = msg.startswith(t("dashboard.failed", lang, detail=""))
    return msg, "summary error" if failed else "summary"


@callback(Output("inc-lat", "value"), Output("inc-lon", "value"),
          Input("screen-map", "clickData"), prevent_initial_call=True)
@guard("incident.create")
def _on_click(click_data):
    picked = picked_from_click(click_data)
    return (picked[0], picked[1]) if picked else (no_update, no_update)


@callback(Output("screen-map", "figure", allow_duplicate=True),
          Input("inc-lat", "value"), Input("inc-lon", "value"), prevent_initial_call=True)
@guard("incident.create")
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
          prevent_initial_call=True)
@guard("incident.create")
def _on_create(_n, lat, lon, incident_type, priority, lang):
    view = recommendation_view(context.current(), lat, lon, incident_type, priority, lang,
                               current_user().name)
    return view, view.get("incident_id", no_update)


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Input("screen-result", "data"), prevent_initial_call=True)
@guard("incident.create")
def _on_result(result):
    if not result:
        return no_update, no_update
    if "error" in result:
        return result["error"], "summary error"
    return result["summary"], "summary"


@callback(Output("screen-selected", "data", allow_duplicate=True),
          Input({"type": "select", "target": ALL}, "n_clicks"), prevent_initial_call=True)
@guard("page.screen")
def _on_select(_clicks):
    trig = clicked()
    return trig["target"] if trig else no_update


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Input({"type": "act-decide", "op": ALL, "target": ALL}, "n_clicks"),
          State({"type": "swap", "unit": ALL}, "value"), State({"type": "swap", "unit": ALL}, "id"),
          State("screen-lang", "data"), prevent_initial_call=True)
@guard("plan.decide")
def _on_decide(_clicks, swap_values, swap_ids, lang):
    trig = clicked()
    if not trig:
        return no_update, no_update
    swaps = {i["unit"]: v for i, v in zip(swap_ids, swap_values)}
    return _outcome(act(context.current(), trig["op"], trig["target"], current_user().name,
                        swaps, lang), lang)


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Input({"type": "act-unit", "op": ALL, "target": ALL}, "n_clicks"),
          State("screen-lang", "data"), prevent_initial_call=True)
@guard("unit.advance")
def _on_unit(_clicks, lang):
    trig = clicked()
    if not trig:
        return no_update, no_update
    return _outcome(act(context.current(), trig["op"], trig["target"], current_user().name,
                        {}, lang), lang)


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Input({"type": "act-close", "op": ALL, "target": ALL}, "n_clicks"),
          State("screen-lang", "data"), prevent_initial_call=True)
@guard("incident.close")
def _on_close(_clicks, lang):
    trig = clicked()
    if not trig:
        return no_update, no_update
    return _outcome(act(context.current(), "close", trig["target"], current_user().name, {},
                        lang), lang)


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Input("scenario-load", "n_clicks"), Input("scenario-clear", "n_clicks"),
          State("scenario-pick", "value"), State("screen-lang", "data"),
          prevent_initial_call=True)
@guard("scenario.load")
def _on_scenario(_load, _clear, name, lang):
    op = "clear" if dash.ctx.triggered_id == "scenario-clear" else "load"
    return _outcome(scenario_action(context.current(), op, name, current_user().name, lang),
                    lang)


@callback(Output("screen-avoid", "children"), Input("screen-change", "data"),
          State("screen-lang", "data"), prevent_initial_call=True)
@guard("page.screen")
def _render_avoid(_change, lang):
    return avoidance_children(context.current(), lang, permissions_of(current_user().role))


@callback(Output("rec-summary", "children", allow_duplicate=True),
          Output("rec-summary", "className", allow_duplicate=True),
          Input({"type": "act-avoid", "target": ALL}, "n_clicks"),
          State("screen-lang", "data"), prevent_initial_call=True)
@guard("avoidance.stop")
def _on_avoid_stop(_clicks, lang):
    trig = clicked()
    if not trig:
        return no_update, no_update
    return _outcome(avoidance_stop(context.current(), trig["target"], current_user().name, lang),
                    lang)


@callback(Output("screen-change", "data"), Input("screen-poll", "n_intervals"),
          State("screen-change", "data"))
@guard("page.screen")
def _poll(_n, have):
    now = change_id(context.current().engine)
    return now if now != have else no_update


@callback(Output("screen-kpis", "children"), Output("screen-incidents", "children"),
          Output("screen-board", "children"), Output("screen-active", "children"),
          Output("screen-plan", "children"), Output("screen-ticker", "children"),
          Output("screen-elapsed", "data"), Output("screen-map", "figure"),
          Input("screen-change", "data"), Input("screen-selected", "data"),
          State("screen-lang", "data"), prevent_initial_call=True)
@guard("page.screen")
def _render(change, selected, lang):
    ctx = context.current()
    kpis, incidents, board, active, plan, ticker, _c, _sel, elapsed, data = screen_update(
        ctx, lang, selected, perms=permissions_of(current_user().role),
        materials_short=materials_short(change))
    patch = Patch()
    _apply(patch, data)
    return kpis, incidents, board, active, plan, ticker, elapsed, patch


@callback(Output("screen-liaison", "children"), Input("screen-change", "data"),
          State("screen-lang", "data"), prevent_initial_call=True)
@guard("page.screen")
def _render_liaison(_change, lang):
    return render_liaison(liaison_update(context.current(), lang or "zh"), lang or "zh")


def scale_patch(ctx: context.ScreenContext, lang: str, scale: float) -> Patch:
    """The map's fonts, markers and lines for a wall ``scale`` times 1080 px high."""
    sizes = scaled_sizes(base_figure(ctx, lang), scale)
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
@guard("page.screen")
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


# The ages of unacknowledged liaison tasks tick in the browser too (from data-issued).
clientside_callback(
    """function(n, ids) {
        const now = Date.now();
        return ids.map((id) => {
            const el = document.getElementById(JSON.stringify(id, Object.keys(id).sort()));
            const t0 = el ? Number(el.dataset.issued) : now;
            const s = Math.max(0, Math.floor((now - t0) / 1000));
            const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
            const p = (v) => String(v).padStart(2, '0');
            return h ? `${h}:${p(m)}:${p(x)}` : `${p(m)}:${p(x)}`;
        });
    }""",
    Output({"type": "liaison-age", "index": ALL}, "children"),
    Input("clock-tick", "n_intervals"),
    State({"type": "liaison-age", "index": ALL}, "id"),
)
