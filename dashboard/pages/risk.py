"""Risk map and register (风险一张图): every graded risk point of the city in the four
colours on the map, the register filtered by district, industry, grade and text, each
point's grade history, and a CSV export.

Callbacks only adapt: reads go through :mod:`command.app.risk`, rows and the map come
from :mod:`dashboard.views.risk`.
"""

from __future__ import annotations

from collections import Counter

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from command.app import risk
from command.i18n import t
from command.model import RISK_GRADES
from dashboard import context
from dashboard.auth import guard
from dashboard.views import risk as views

dash.register_page(__name__, path="/risk", name="risk", name_key="nav.risk", order=40)

#: Register rows that fit the wall without scrolling.
MAX_ROWS = 10


def _options(values, lang: str, labels_en: dict | None = None) -> list[dict]:
    names = labels_en if lang == "en" and labels_en else {}
    return [{"label": t("risk.filter.all", lang), "value": ""}] + [
        {"label": names.get(v, v), "value": v} for v in sorted(values)]


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    districts = ctx.dataset.meta.get("districts", {})
    industries = sorted({e.industry for e in ctx.dataset.enterprises})
    grades = [{"label": t("risk.filter.all", lang), "value": ""}] + [
        {"label": views.grade_label(g, lang), "value": g} for g in RISK_GRADES]
    map_fig, table, count = render(ctx, lang, {})
    return html.Div(className="pg-grid pg-risk", children=[
        dcc.Store(id="risk-lang", data=lang),
        dcc.Download(id="risk-download"),
        html.Div(className="map-wrap", children=[
            dcc.Graph(id="risk-map", figure=map_fig, style={"height": "100%"},
                      config={"displayModeBar": False, "scrollZoom": True}),
        ]),
        html.Aside(className="side", children=[
            html.Section(className="card", children=[
                html.H2(t("risk.register", lang)),
                html.Div(className="row2", children=[
                    html.Label([t("risk.filter.district", lang), dcc.Dropdown(
                        id="risk-district", options=_options(districts, lang, districts), value="",
                        clearable=False, searchable=False)]),
                    html.Label([t("risk.filter.industry", lang), dcc.Dropdown(
                        id="risk-industry", options=_options(industries, lang), value="",
                        clearable=False, searchable=False)]),
                ]),
                html.Div(className="row2", children=[
                    html.Label([t("risk.filter.grade", lang), dcc.Dropdown(
                        id="risk-grade", options=grades, value="", clearable=False,
                        searchable=False)]),
                    html.Label([t("risk.filter.text", lang),
                                dcc.Input(id="risk-text", className="num", debounce=True)]),
                ]),
                html.Div(count, id="risk-count", className="summary"),
                html.Button(t("risk.export", lang), id="risk-export",
                            className="btn secondary", n_clicks=0),
            ]),
            html.Section(className="card grow", children=[
                html.Div(table, id="risk-table", className="pg-table-wrap")]),
            html.Section(className="card", children=[
                html.H2(t("risk.history", lang)),
                html.Div(t("risk.history.pick", lang), id="risk-history",
                         className="pg-table-wrap")]),
        ]),
    ])


def _filters(district, industry, grade, text) -> dict:
    return {k: v for k, v in (("district", district), ("industry", industry),
                              ("grade", grade), ("text", text)) if v}


def render(ctx, lang: str, filters: dict):
    """(map figure, register table, count line) for ``filters``."""
    points = risk.register(ctx.engine, **filters)
    lat, lon = ctx.road_lines
    fig = views.risk_map(points, road_lat=lat, road_lon=lon, bbox=ctx.bbox, lang=lang,
                         outlines=risk.district_outlines(ctx.settings.resources_dir))
    by = Counter(p.grade for p in points)
    count = t("risk.count", lang, n=len(points), **{g: by.get(g, 0) for g in RISK_GRADES})
    rows = views.register_rows(points, lang, ctx.dataset.meta.get("districts", {}))
    return fig, register_table(rows, lang), count


def register_table(rows: list[dict], lang: str):
    head = [t(k, lang) for k in ("risk.col.name", "risk.filter.district", "risk.col.grade",
                                 "risk.col.method", "risk.col.updated")]
    body = [html.Tr(id={"type": "risk-row", "risk": r["risk_id"]}, n_clicks=0,
                    className="clickable", children=[
        html.Td(r["name"], className="name", title=r["risk_id"]), html.Td(r["district"]),
        html.Td(r["grade_label"], className=f"grade g-{r['grade']}"),
        html.Td(r["method"], title=r["method_long"]), html.Td(r["updated"])])
        for r in rows[:MAX_ROWS]]
    more = ([html.Div(t("pages.more_rows", lang, n=len(rows) - MAX_ROWS), className="hint")]
            if len(rows) > MAX_ROWS else [])
    return [html.Table(className="rec pg-table", id="risk-rows", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)])] + more


def history_table(rows: list[dict], lang: str):
    head = [t(k, lang) for k in ("risk.col.at", "risk.col.actor", "risk.col.from",
                                 "risk.col.to", "risk.col.method", "risk.col.reason")]
    return html.Table(className="rec pg-table", id="risk-history-rows", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])),
        html.Tbody([html.Tr([html.Td(r["at"]), html.Td(r["actor"]), html.Td(r["from"]),
                             html.Td(r["to"], className=f"grade g-{r['to_grade']}"),
                             html.Td(r["method"]), html.Td(r["reason"])]) for r in rows])])


@callback(Output("risk-map", "figure"), Output("risk-table", "children"),
          Output("risk-count", "children"),
          Input("risk-district", "value"), Input("risk-industry", "value"),
          Input("risk-grade", "value"), Input("risk-text", "value"),
          State("risk-lang", "data"), prevent_initial_call=True)
@guard("page.risk")
def _on_filter(district, industry, grade, text, lang):
    return render(context.current(), lang, _filters(district, industry, grade, text))


@callback(Output("risk-history", "children"),
          Input({"type": "risk-row", "risk": dash.ALL}, "n_clicks"),
          State("risk-lang", "data"), prevent_initial_call=True)
@guard("page.risk")
def _on_row(_clicks, lang):
    trig = dash.ctx.triggered_id
    if not trig or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
        return no_update
    changes = risk.history(context.current().engine, trig["risk"])
    return history_table(views.history_rows(changes, lang), lang)


@callback(Output("risk-download", "data"), Input("risk-export", "n_clicks"),
          State("risk-district", "value"), State("risk-industry", "value"),
          State("risk-grade", "value"), State("risk-text", "value"), prevent_initial_call=True)
@guard("page.risk")
def _on_export(_n, district, industry, grade, text):
    points = risk.register(context.current().engine,
                           **_filters(district, industry, grade, text))
    return {"content": risk.register_csv(points), "filename": "risk-register.csv",
            "type": "text/csv"}
