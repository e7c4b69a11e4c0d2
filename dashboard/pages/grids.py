"""Grids (网格管理): the day's status of every community cell on the map (daily report in,
missing, a hazard overdue), the roll-up of the day per level (every level the exact sum of
the one below) and its CSV and HTML exports. A grid member sees the cells under their
own.

Callbacks only adapt: :mod:`command.app.grids` computes from the store.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dash_table, dcc, html, no_update

from command.app import grids, risk
from command.clock import beijing_date, utc_now
from command.errors import CommandError
from command.hazards.rollup import LEVELS, summary_rows
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import hazards as views

dash.register_page(__name__, path="/grids", name="grids", name_key="nav.grids", order=51)


def layout(lang: str = "zh", date: str | None = None, **_query):
    lang = "en" if lang == "en" else "zh"
    today = date or beijing_date(utc_now()).isoformat()
    return html.Div(className="pg-grid pg-grids", children=[
        dcc.Store(id="gr-lang", data=lang),
        dcc.Download(id="gr-download"),
        html.Section(className="card gr-head", children=[
            html.H2(t("grids.title", lang)),
            html.Div(className="hz-filters", children=[
                html.Label([t("grids.date", lang),
                            dcc.Input(id="gr-date", type="date", value=today,
                                      className="num", debounce=True)]),
                html.Label([t("grids.level", lang),
                            dcc.Dropdown(id="gr-level", value="town", clearable=False,
                                         options=[{"label": t(f"grids.level.{v}", lang),
                                                   "value": v} for v in LEVELS])]),
                html.Button(t("grids.download_csv", lang), id="gr-csv", n_clicks=0,
                            className="btn secondary"),
                html.Button(t("grids.download_html", lang), id="gr-html", n_clicks=0,
                            className="btn secondary"),
            ]),
            html.Div(id="gr-status", className="summary"),
        ]),
        html.Section(className="card gr-map", children=[
            dcc.Graph(id="gr-map", className="map", config={"displaylogo": False},
                      style={"height": "100%"})]),
        html.Section(className="card gr-table", id="gr-table"),
    ])


def day_block(ctx, user, day_text, level, lang: str):
    """(map figure, table, status line) of a day and level."""
    try:
        day = grids.parse_day(day_text)
        every = grids.day_summaries(ctx.engine, day, user=user)
        cells = grids.cell_status(ctx.engine, day, summaries=every)
        wanted = grids.check_level(level)
        rows = [x for x in every if wanted is None or x.level == wanted]
    except CommandError as exc:
        return no_update, None, html.Span(t("dashboard.failed", lang, detail=str(exc)), className="error")
    lat, lon = ctx.road_lines
    fig = views.grid_map(cells, lang, road_lat=lat, road_lon=lon, bbox=ctx.bbox,
                         outlines=risk.district_outlines(ctx.settings.resources_dir))
    table_rows = summary_rows(rows, lang)
    table = dash_table.DataTable(
        id="gr-rows", data=table_rows, page_size=30,
        columns=[{"name": c, "id": c} for c in (table_rows[0] if table_rows else [])],
        style_table={"overflowX": "auto", "overflowY": "auto", "height": "100%"},
        style_header={"backgroundColor": "#17293f", "color": "#e6edf5"},
        style_cell={"backgroundColor": "#122033", "color": "#e6edf5", "border": "1px solid #1f3b5c"})
    late = sum(c["status"] == "overdue" for c in cells)
    missing = sum(c["status"] == "missing" for c in cells)
    status = (f"{t('grids.status.overdue', lang)} {late} · "
              f"{t('grids.status.missing', lang)} {missing} · "
              f"{t('grids.status.ok', lang)} {len(cells) - late - missing}")
    return fig, table, status


@callback(Output("gr-map", "figure"), Output("gr-table", "children"),
          Output("gr-status", "children"),
          Input("gr-date", "value"), Input("gr-level", "value"), State("gr-lang", "data"))
@guard("page.grids")
def _on_day(day, level, lang):
    return day_block(context.current(), current_user(), day, level, lang or "zh")


@callback(Output("gr-download", "data"), Input("gr-csv", "n_clicks"),
          Input("gr-html", "n_clicks"), State("gr-date", "value"), State("gr-level", "value"),
          State("gr-lang", "data"), prevent_initial_call=True)
@guard("page.grids")
def _on_download(n_csv, n_html, day_text, level, lang):
    if not (n_csv or n_html):
        return no_update
    lang = lang or "zh"
    try:
        day = grids.parse_day(day_text)
        rows = grids.day_summaries(context.current().engine, day, level=level,
                                   user=current_user())
    except CommandError:
        return no_update
    if dash.ctx.triggered_id == "gr-csv":
        return {"content": grids.summaries_csv(rows), "filename": f"grids-{day}-{level}.csv"}
    return {"content": grids.summaries_html(rows, day=day, lang=lang),
            "filename": f"grids-{day}-{level}.html"}
