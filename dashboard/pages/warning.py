"""Risk early warning (风险预警): every sensor on the map by state, the live chart of
one sensor with its thresholds and predicted crossing, the open alerts (acknowledged
here by an authenticated user) and the sensor faults.

Callbacks only adapt: they read through :mod:`command.app.warning` and render with
:mod:`dashboard.views.warning`. The page polls the store's change id (alerts and faults
are audited) and redraws the chart every few seconds (readings are not).
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from command.access import allowed
from command.app import warning as use
from command.app.screen import change_id
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import warning as views

dash.register_page(__name__, path="/warning", name="warning", name_key="nav.warning", order=15)

#: How often the chart of the chosen sensor is redrawn, ms.
CHART_MS = 3000


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    states = use.sensor_states(ctx.engine)
    first = next((r["sensor_id"] for r in states if r["state"] not in ("ok", "unknown")),
                 states[0]["sensor_id"] if states else None)
    return html.Div(className="pg-grid pg-warning", children=[
        dcc.Store(id="warning-lang", data=lang),
        dcc.Store(id="warning-change", data=-1),
        dcc.Interval(id="warning-poll", interval=ctx.settings.poll_interval_ms),
        dcc.Interval(id="warning-chart-poll", interval=CHART_MS),
        html.Section(className="card", children=[
            html.H2(t("warning.title", lang)),
            html.Div(t("warning.illustrative", lang), className="summary"),
            html.Label([t("warning.sensor", lang), dcc.Dropdown(
                id="warning-sensor", options=views.sensor_options(states, lang), value=first,
                clearable=False)]),
            dcc.Graph(id="warning-chart", config={"displayModeBar": False},
                      style={"height": "340px"}),
            html.Div(id="warning-prediction", className="summary"),
        ]),
        html.Section(className="card", children=[
            html.H2(t("warning.map", lang)),
            dcc.Graph(id="warning-map", config={"displayModeBar": False, "scrollZoom": True},
                      style={"height": "340px"})]),
        html.Section(className="card", children=[
            html.H2(t("warning.alerts", lang)),
            html.Div(id="warning-alerts"),
            html.Div(id="warning-status", className="summary")]),
        html.Section(className="card", children=[
            html.H2(t("warning.faults", lang)), html.Div(id="warning-faults")]),
    ])


# --- plain functions the callbacks adapt ---------------------------------------------

def render_alerts(rows: list[dict], lang: str, may_ack: bool):
    if not rows:
        return html.Div(t("warning.none_alerts", lang), className="empty")
    head = [t(f"warning.col.{k}", lang) for k in ("time", "sensor", "level", "value", "state",
                                                   "escalations")] + [""]
    body = [html.Tr([
        html.Td(r["time"]), html.Td(r["sensor"]),
        html.Td(r["level_text"], className=f"grade-{r['level']}"), html.Td(r["value"]),
        html.Td(r["state"]), html.Td(str(r["escalations"])),
        html.Td(html.Button(t("warning.ack", lang), className="act",
                            id={"type": "warning-ack", "alert": str(r["alert_id"])}, n_clicks=0)
                if may_ack and r["can_ack"] else "")]) for r in rows]
    return html.Table(className="rec", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)])


def render_faults(rows: list[dict], lang: str):
    if not rows:
        return html.Div(t("warning.none_faults", lang), className="empty")
    head = [t(f"warning.col.{k}", lang) for k in ("time", "sensor", "fault", "value")]
    return html.Table(className="rec", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])),
        html.Tbody([html.Tr([html.Td(r["time"]), html.Td(r["sensor"]), html.Td(r["fault"]),
                             html.Td(r["value"])]) for r in rows])])


def panels(ctx, lang: str, role: str):
    """Map, alerts and faults as the page shows them."""
    states = use.sensor_states(ctx.engine)
    lat, lon = ctx.road_lines
    fig = views.sensors_map(states, road_lat=lat, road_lon=lon, bbox=ctx.bbox, lang=lang)
    alerts = render_alerts(views.alert_rows(use.open_alerts(ctx.engine), lang), lang,
                           allowed(role, "warning.ack"))
    faults = render_faults(views.fault_rows(use.active_faults(ctx.engine), lang), lang)
    return fig, alerts, faults


def chart_view(ctx, sensor_id: str | None, lang: str):
    if not sensor_id:
        return {}, t("warning.chart.no_data", lang)
    try:
        c = use.chart(ctx.engine, sensor_id)
    except CommandError as exc:
        return {}, t("warning.failed", lang, detail=str(exc))
    return views.chart_figure(c, lang), views.prediction_text(c, lang)


def acknowledge(ctx, alert_id: str, user: str, lang: str) -> str:
    try:
        use.acknowledge(ctx.engine, int(alert_id), user)
    except (CommandError, ValueError) as exc:
        return t("warning.failed", lang, detail=str(exc))
    return t("warning.acked", lang, alert_id=alert_id)


# --- callbacks -------------------------------------------------------------------------

@callback(Output("warning-change", "data"), Input("warning-poll", "n_intervals"),
          State("warning-change", "data"))
@guard("page.warning")
def _poll(_n, have):
    now = change_id(context.current().engine)
    return now if now != have else no_update


@callback(Output("warning-map", "figure"), Output("warning-alerts", "children"),
          Output("warning-faults", "children"), Input("warning-change", "data"),
          State("warning-lang", "data"))
@guard("page.warning")
def _render(_change, lang):
    return panels(context.current(), lang, current_user().role)


@callback(Output("warning-chart", "figure"), Output("warning-prediction", "children"),
          Input("warning-sensor", "value"), Input("warning-chart-poll", "n_intervals"),
          State("warning-lang", "data"))
@guard("page.warning")
def _chart(sensor_id, _n, lang):
    return chart_view(context.current(), sensor_id, lang)


@callback(Output("warning-status", "children"),
          Input({"type": "warning-ack", "alert": ALL}, "n_clicks"),
          State("warning-lang", "data"), prevent_initial_call=True)
@guard("warning.ack")
def _on_ack(_clicks, lang):
    trig = dash.ctx.triggered_id
    if not trig or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
        return no_update
    return acknowledge(context.current(), trig["alert"], current_user().name, lang)
