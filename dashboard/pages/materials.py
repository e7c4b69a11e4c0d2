"""Material reserves (物资储备): stocks by depot on the map and in a table, the
allocation plan for the open live incidents with its delivery routes, and shortages.

The plan is solved off the request thread (a few seconds with delivery routing), once
per state of the store: the page polls :func:`command.store.last_change_id` and shows
the newest finished plan with a status line while the next one is being solved. Drill
incidents never enter it. Callbacks only adapt; the views are in
:mod:`dashboard.views.materials`.
"""

from __future__ import annotations

import dash
import flask
from dash import Input, Output, Patch, State, callback, clientside_callback, dcc, html, no_update

from command.app.screen import change_id
from command.app.situations import materials_from_store
from command.i18n import t
from dashboard import context
from dashboard.auth import guard
from dashboard.jobs import Jobs, materials_jobs, materials_key
from dashboard.views import materials as views
from dashboard.views._common import SCALE_JS, error_text

dash.register_page(__name__, path="/materials", name="materials", name_key="nav.materials",
                   order=20)

#: Rows of a table that fit the video wall without scrolling (1080 and 2160 lines).
MAX_PLAN_ROWS = 9
MAX_SHORT_ROWS = 5


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    depots = [{"label": t("pages.mat.all_depots", lang), "value": "*"}] + [
        {"label": d.name_en if lang == "en" else d.name_zh, "value": d.depot_id}
        for d in ctx.dataset.depots]
    return html.Div(className="pg-grid pg-materials", children=[
        dcc.Store(id="mat-lang", data=lang),
        dcc.Store(id="mat-plan"),
        dcc.Store(id="mat-scale", data=1.0),
        dcc.Interval(id="mat-tick", interval=1500),
        html.Div(className="map-wrap", children=[
            dcc.Graph(id="mat-map", figure=map_of(ctx, None, "weight", lang),
                      style={"height": "100%"},
                      config={"displayModeBar": False, "scrollZoom": True,
                              "doubleClick": "reset"}),
            html.Div(className="pg-map-tools", children=[
                html.Span(t("pages.mat.size_by", lang)),
                dcc.RadioItems(id="mat-size", value="weight", inline=True,
                               options=[{"label": t("pages.mat.size_weight", lang),
                                         "value": "weight"},
                                        {"label": t("pages.mat.size_lines", lang),
                                         "value": "lines"}]),
            ]),
        ]),
        html.Aside(className="side", children=[
            html.Section(className="card grow", children=[
                html.H2(t("pages.mat.stocks", lang)),
                dcc.Dropdown(id="mat-depot", options=depots, value="*", clearable=False,
                             searchable=False),
                html.Div(id="mat-stock-table", className="pg-table-wrap",
                         children=stock_table(views.stock_rows(ctx.dataset, None, None, lang),
                                              lang)),
            ]),
        ]),
        html.Aside(className="side", children=[
            html.Section(className="card", children=[
                html.H2(t("pages.mat.plan", lang)),
                html.Div(t("pages.mat.solving", lang), id="mat-status", className="summary"),
                html.Div(id="mat-kpis", className="kpis pg-kpis5",
                         children=kpi_cards(views.materials_kpis(None), lang)),
            ]),
            html.Section(className="card grow", children=[
                html.Div(id="mat-plan-table", className="pg-table-wrap"),
            ]),
            html.Section(className="card", children=[
                html.H2(t("pages.mat.shortages", lang)),
                html.Div(id="mat-shortages"),
            ]),
        ]),
    ])


# --- plain functions the callbacks adapt --------------------------------------------

def map_of(ctx: context.ScreenContext, plan, size_by: str, lang: str, scale: float = 1.0):
    lat, lon = ctx.road_lines
    return views.materials_map(road_lat=lat, road_lon=lon, bbox=ctx.bbox, dataset=ctx.dataset,
                               plan=plan, size_by=size_by, lang=lang, scale=scale)


def map_patch(ctx: context.ScreenContext, plan, size_by: str, lang: str,
              scale: float = 1.0) -> Patch:
    """Every trace of the map but the click grid and the roads (about 1 MB stays put),
    and the fonts."""
    fig = map_of(ctx, plan, size_by, lang, scale)
    patch = Patch()
    for k in range(2, len(fig.data)):
        patch["data"][k] = fig.data[k].to_plotly_json()
    patch["layout"]["font"]["size"] = fig.layout.font.size
    patch["layout"]["legend"]["font"]["size"] = fig.layout.legend.font.size
    return patch


def poll(ctx: context.ScreenContext, jobs: Jobs, have_change, lang: str):
    """One poll: start (or find) the solve for the store's current state.

    Returns (plan or None when the page has it already, status text, status class).
    While a new state is being solved the page keeps the previous plan.
    """
    job = jobs.start(materials_key(change_id(ctx.engine)), materials_from_store, ctx.engine,
                     ctx.network, ctx.dataset, ctx.settings)
    if job.state == "running":
        return None, t("pages.mat.solving", lang), "summary busy"
    if job.state == "error":
        return None, error_text(job.error, lang), "summary error"
    plan = job.result
    status = (t("pages.mat.solved", lang, change_id=plan["change_id"], seconds=plan["seconds"])
              if plan["situation"]["incidents"] else t("pages.mat.no_incident", lang))
    return (None if have_change == plan["change_id"] else plan), status, "summary"


def depot_from_click(click_data, depot_ids) -> str | None:
    """The depot of a clicked bubble (its ``customdata``), or None."""
    for p in (click_data or {}).get("points", []):
        if p.get("customdata") in depot_ids:
            return p["customdata"]
    return None


def kpi_cards(kpis: dict, lang: str):
    return [html.Div(className="kpi", children=[
        html.Div(str(kpis[k]), className="v" + (" bad" if k == "short" and kpis[k] else "")),
        html.Div(t(f"pages.mat.kpi_{k}", lang), className="k")])
        for k in ("incidents", "shipments", "depots", "trucks", "short")]


def _more(n_hidden: int, lang: str):
    return [html.Div(t("pages.more_rows", lang, n=n_hidden), className="hint")] \
        if n_hidden > 0 else []


def plan_table(rows: list[dict], lang: str):
    head = html.Tr([html.Th(t(k, lang)) for k in ("pages.mat.col_incident", "pages.mat.col_depot",
                                                  "pages.mat.col_items", "pages.mat.col_arrival")])
    body = [html.Tr(className="late" if r["late"] else "", children=[
        html.Td(r["incident"], className="name"), html.Td(r["depot"], className="name"),
        html.Td(r["items"], className="items"),
        html.Td(("—" if r["arrival_min"] is None else
                 f"{r['arrival_min']:.0f} {t('unit.min', lang)}")
                + (f" {t('pages.mat.late', lang)}" if r["late"] else ""), className="eta"),
    ]) for r in rows[:MAX_PLAN_ROWS]]
    return [html.Table(className="rec pg-table", id="mat-plan-rows",
                       children=[html.Thead(head), html.Tbody(body)])] + \
        _more(len(rows) - MAX_PLAN_ROWS, lang)


def shortage_table(rows: list[dict], lang: str):
    if not rows:
        return html.Div(t("pages.mat.no_shortage", lang), className="hint ok")
    head = html.Tr([html.Th(t(k, lang)) for k in ("pages.mat.col_item", "pages.mat.col_demand",
                                                  "pages.mat.col_stock", "pages.mat.col_unmet")])
    body = [html.Tr([html.Td(r["item"]), html.Td(f"{r['demand']:,.0f} {r['unit']}"),
                     html.Td(f"{r['stock']:,.0f}"),
                     html.Td(f"{r['unmet']:,.0f}", className="bad")])
            for r in rows[:MAX_SHORT_ROWS]]
    return [html.Table(className="rec pg-table", id="mat-short-rows",
                       children=[html.Thead(head), html.Tbody(body)])] + \
        _more(len(rows) - MAX_SHORT_ROWS, lang)


def stock_table(rows: list[dict], lang: str):
    head = html.Tr([html.Th(t(k, lang)) for k in ("pages.mat.col_item", "pages.mat.col_stock",
                                                  "pages.mat.col_shipped",
                                                  "pages.mat.col_remaining")])
    body = [html.Tr([html.Td(r["item"]), html.Td(f"{r['stock']:,.0f} {r['unit']}", className="n"),
                     html.Td(f"{r['shipped']:,.0f}" if r["shipped"] else "",
                             className="n eta"),
                     html.Td(f"{r['remaining']:,.0f}", className="n")]) for r in rows]
    return html.Table(className="rec pg-table", id="mat-stock-rows",
                      children=[html.Thead(head), html.Tbody(body)])


# --- callbacks -------------------------------------------------------------------------

@callback(Output("mat-plan", "data"), Output("mat-status", "children"),
          Output("mat-status", "className"),
          Input("mat-tick", "n_intervals"), State("mat-plan", "data"), State("mat-lang", "data"))
@guard("page.materials")
def _on_tick(_n, have, lang):
    ctx = context.current()
    plan, status, cls = poll(ctx, materials_jobs(flask.current_app.config),
                             (have or {}).get("change_id"), lang)
    return (no_update if plan is None else plan), status, cls


clientside_callback(SCALE_JS, Output("mat-scale", "data"),
                    Input("mat-tick", "n_intervals"), State("mat-scale", "data"))


@callback(Output("mat-map", "figure"), Input("mat-plan", "data"), Input("mat-size", "value"),
          Input("mat-scale", "data"), State("mat-lang", "data"), prevent_initial_call=True)
@guard("page.materials")
def _on_map(plan, size_by, scale, lang):
    return map_patch(context.current(), plan, size_by or "weight", lang, float(scale or 1.0))


@callback(Output("mat-kpis", "children"), Output("mat-plan-table", "children"),
          Output("mat-shortages", "children"),
          Input("mat-plan", "data"), State("mat-lang", "data"), prevent_initial_call=True)
@guard("page.materials")
def _on_plan(plan, lang):
    ds = context.current().dataset
    if not plan:
        return no_update, no_update, no_update
    return (kpi_cards(views.materials_kpis(plan), lang),
            plan_table(views.plan_rows(plan, ds, lang), lang),
            shortage_table(views.shortage_rows(plan, ds, lang), lang))


@callback(Output("mat-depot", "value"), Input("mat-map", "clickData"), prevent_initial_call=True)
@guard("page.materials")
def _on_click(click_data):
    ids = {d.depot_id for d in context.current().dataset.depots}
    return depot_from_click(click_data, ids) or no_update


@callback(Output("mat-stock-table", "children"), Input("mat-depot", "value"),
          Input("mat-plan", "data"), State("mat-lang", "data"), prevent_initial_call=True)
@guard("page.materials")
def _on_stock(depot, plan, lang):
    ds = context.current().dataset
    return stock_table(views.stock_rows(ds, plan, None if depot in (None, "*") else depot, lang),
                       lang)
