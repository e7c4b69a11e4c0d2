"""Siting (选址规划) for planners: where the next stations, standby posts or reserve
depots should go. Pick the problem (p-median, maximal covering, p-centre), the
capability, the mode (add p to the existing, choose p of all, move p) and p; the page
solves it for a day hour and a night hour, shows the cover before and after (who is
newly within the standard) on the map, and hands the proposal to the drills page
("try in a drill"), where the simulator compares it with today's layout.

Callbacks only adapt: the siting is :func:`command.app.planning.site_hours`, the views
are in :mod:`dashboard.views.planning`. Nothing is written to the store.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from command.access import allowed
from command.app.planning import site_hours
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import planning as views
from dashboard.views._common import SCALE_JS, error_text

dash.register_page(__name__, path="/planning", name="planning", name_key="nav.planning",
                   order=32)

#: Planning may take longer than a live recommendation: the proofs for p <= 5 on the
#: city take under 15 s (docs/planning.md).
TIME_LIMIT_S = 30.0


def _label(key: str, lang: str, control):
    return html.Label([t(key, lang), control])


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ds = context.current().dataset
    may_run = allowed(current_user().role, "planning.run")
    return html.Div(className="pg-grid pg-planning", children=[
        dcc.Store(id="plan-lang", data=lang),
        dcc.Store(id="plan-result"),
        dcc.Store(id="plan-scale", data=1.0),
        dcc.Interval(id="plan-scale-tick", interval=2000),
        html.Aside(className="side plan-form", children=[
            html.Section(className="card", children=[
                html.H2(t("planning.title", lang)),
                _label("planning.problem", lang, dcc.Dropdown(
                    id="plan-problem", options=views.problem_options(lang), value="mclp",
                    clearable=False, searchable=False)),
                _label("planning.capability", lang, dcc.Dropdown(
                    id="plan-capability", options=views.capability_options(ds, lang),
                    value="engine", clearable=False, searchable=False)),
                _label("planning.mode", lang, dcc.Dropdown(
                    id="plan-mode", options=views.mode_options(lang), value="add",
                    clearable=False, searchable=False)),
                html.Div(className="row3", children=[
                    _label("planning.p", lang, dcc.Input(
                        id="plan-p", type="number", value=2, min=1, max=views.MAX_P,
                        className="num")),
                    _label("planning.radius", lang, dcc.Input(
                        id="plan-radius", type="number", min=0, step="any", className="num")),
                    _label("planning.units", lang, dcc.Input(
                        id="plan-units", type="number", value=1, min=1, max=10,
                        className="num")),
                ]),
                html.Div(className="row2", children=[
                    _label("planning.hour_day", lang, dcc.Input(
                        id="plan-hour-day", type="number", value=18, min=0, max=23,
                        className="num")),
                    _label("planning.hour_night", lang, dcc.Input(
                        id="plan-hour-night", type="number", value=3, min=0, max=23,
                        className="num")),
                ]),
                dcc.Checklist(id="plan-risk", className="plan-risk",
                              options=[{"label": t("planning.risk", lang), "value": "risk"}],
                              value=[]),
                html.Button(t("planning.run", lang), id="plan-run", className="btn",
                            n_clicks=0) if may_run else html.Span(),
                html.Div(t("planning.hint", lang), id="plan-status", className="summary"),
                html.Div(t("planning.illustrative", lang), className="summary muted"),
            ]),
            html.Section(className="card grow", children=[
                html.H2(t("planning.sites", lang)),
                html.Div(id="plan-sites", className="pg-table-wrap"),
                html.Div(id="plan-night", className="summary"),
                html.Div(id="plan-drill"),
            ]),
        ]),
        html.Div(className="plan-main", children=[
            html.Section(className="card", children=[
                html.H2(t("planning.cover", lang)),
                html.Div(id="plan-cover", className="pg-table-wrap"),
            ]),
            html.Section(className="card grow", children=[
                html.H2(t("planning.map", lang)),
                dcc.Graph(id="plan-map", style={"flex": "1 1 auto", "minHeight": 0},
                          config={"displayModeBar": False, "scrollZoom": True}),
            ]),
        ]),
    ])


# --- plain functions the callbacks adapt --------------------------------------------

def run(ctx, fields: dict, lang: str) -> tuple[list | None, str, str]:
    """Solve the form's siting for its two hours: (plans or None, status, class)."""
    try:
        req = views.parse_form(fields, ctx.dataset, lang)
    except ValueError as exc:
        return None, str(exc), "summary error"
    risk_points = None
    if req["risk"]:
        from command.app.risk import register

        risk_points = register(ctx.engine)
    try:
        plans = site_hours(ctx.network, ctx.dataset, ctx.settings, hours=req["hours"],
                           problem=req["problem"], capability=req["capability"], p=req["p"],
                           mode=req["mode"], radius_min=req["radius_min"],
                           risk_points=risk_points, time_limit_s=TIME_LIMIT_S,
                           units_per_site=req["units_per_site"])
    except CommandError as exc:
        return None, error_text(exc, lang), "summary error"
    for plan in plans:
        plan["units_per_site"] = req["units_per_site"]
    return plans, views.status_text(plans[0], lang), "summary"


def cover_table(plans: list, lang: str):
    head = html.Tr([html.Th(t(f"planning.col.{c}", lang))
                    for c in ("when", "layout", "share", "mean", "cells", "new")])
    body = [html.Tr([html.Td(r["when"]), html.Td(r["layout"]),
                     html.Td(f"{r['share']:.1%}", className="n"),
                     html.Td(f"{r['mean_min']:.2f}", className="n"),
                     html.Td(f"{r['cells']:.1%}", className="n"),
                     html.Td("" if r["new"] is None else str(r["new"]), className="n best"
                             if r["new"] else "n")])
            for r in views.cover_rows(plans, lang)]
    return html.Table(className="rec pg-table", id="plan-cover-rows",
                      children=[html.Thead(head), html.Tbody(body)])


def sites_table(plan: dict, lang: str):
    rows = views.site_rows(plan, lang)
    return html.Table(className="rec pg-table", id="plan-site-rows", children=[html.Tbody([
        html.Tr([html.Td(r["sign"]), html.Td(r["name"]), html.Td(r["kind"], className="muted"),
                 html.Td(f"{r['lat']:.4f}, {r['lon']:.4f}", className="n")]) for r in rows])])


def drill_link(plan: dict, lang: str):
    href = views.drill_href(plan, lang, units_per_site=plan.get("units_per_site", 1))
    if href is None:
        return html.Div(t("planning.no_drill", lang), className="summary muted")
    return html.A(t("planning.try_drill", lang), href=href, id="plan-try-drill",
                  className="btn drill")


# --- callbacks -------------------------------------------------------------------------

@callback(Output("plan-result", "data"), Output("plan-status", "children"),
          Output("plan-status", "className"),
          Input("plan-run", "n_clicks"),
          State("plan-problem", "value"), State("plan-capability", "value"),
          State("plan-mode", "value"), State("plan-p", "value"), State("plan-radius", "value"),
          State("plan-units", "value"), State("plan-hour-day", "value"),
          State("plan-hour-night", "value"), State("plan-risk", "value"),
          State("plan-lang", "data"), prevent_initial_call=True)
@guard("planning.run")
def _on_run(_n, problem, capability, mode, p, radius, units, hour_day, hour_night, risk,
            lang):
    plans, status, cls = run(context.current(), {
        "problem": problem, "capability": capability, "mode": mode, "p": p,
        "radius_min": radius, "units": units, "hour_day": hour_day,
        "hour_night": hour_night, "risk": bool(risk)}, lang)
    return (plans if plans is not None else no_update), status, cls


clientside_callback(SCALE_JS, Output("plan-scale", "data"),
                    Input("plan-scale-tick", "n_intervals"), State("plan-scale", "data"))


@callback(Output("plan-map", "figure"), Output("plan-cover", "children"),
          Output("plan-sites", "children"), Output("plan-night", "children"),
          Output("plan-drill", "children"),
          Input("plan-result", "data"), Input("plan-scale", "data"), State("plan-lang", "data"))
@guard("page.planning")
def _on_result(plans, scale, lang):
    ctx = context.current()
    lat, lon = ctx.road_lines
    plan = plans[0] if plans else None
    fig = views.plan_map(plan, road_lat=lat, road_lon=lon, bbox=ctx.bbox, lang=lang,
                         scale=float(scale or 1.0))
    if not plans:
        return fig, None, None, "", None
    return (fig, cover_table(plans, lang), sites_table(plan, lang),
            views.night_note(plans, lang), drill_link(plan, lang))
