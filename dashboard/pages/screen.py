"""The command screen (指挥大屏): situation map, new incident, recommended units.

Callbacks only adapt: they parse the inputs, call one core function, and render with the
plain functions below, which the tests call directly.
"""

from __future__ import annotations

import math

import dash
import numpy as np
from dash import Input, Output, Patch, State, callback, dcc, html, no_update

from command import service
from command.errors import CommandError, OffNetworkError
from command.i18n import t
from command.model import INCIDENT_TYPES
from dashboard import context
from dashboard.figures import THEME, PointLayer, map_figure

dash.register_page(__name__, path="/", name="screen", name_key="nav.screen", order=0)

# Fixed trace order of the map, so callbacks can patch the dynamic traces by index:
# click grid, roads, the point layers, then routes, picked place and incident.
LAYER_KEYS = ("layer.bases", "layer.depots", "layer.hospitals", "layer.shelters",
              "layer.hazards")
_T_ROUTES = 2 + len(LAYER_KEYS)
_T_PICKED, _T_INCIDENT = _T_ROUTES + 1, _T_ROUTES + 2


def layers(ctx: context.ScreenContext, lang: str) -> list[PointLayer]:
    """The static point layers of the data set."""
    ds = ctx.dataset
    name = (lambda x: x.name_en) if lang == "en" else (lambda x: x.name_zh)
    return [
        PointLayer("layer.bases", [b.lat for b in ds.bases], [b.lon for b in ds.bases],
                   [name(b) for b in ds.bases], THEME["blue"], "square", 10),
        PointLayer("layer.depots", [d.lat for d in ds.depots], [d.lon for d in ds.depots],
                   [name(d) for d in ds.depots], "#43a047", "diamond", 11),
        PointLayer("layer.hospitals", [h.lat for h in ds.hospitals], [h.lon for h in ds.hospitals],
                   [name(h) for h in ds.hospitals], "#ffffff", "cross", 12),
        PointLayer("layer.shelters", [s.lat for s in ds.shelters], [s.lon for s in ds.shelters],
                   [name(s) for s in ds.shelters], "#ab47bc", "triangle-up", 9, "legendonly"),
        PointLayer("layer.hazards", [h.lat for h in ds.hazard_sources],
                   [h.lon for h in ds.hazard_sources],
                   [f"{h.name_zh if lang != 'en' else h.substance_en} {h.quantity_t:g} t"
                    for h in ds.hazard_sources], THEME["orange"], "hexagon", 11),
    ]


def base_figure(ctx: context.ScreenContext, lang: str):
    """The map with fixed slots for routes, picked place and incident (empty at first)."""
    lat, lon = ctx.road_lines
    fig = map_figure(road_lat=lat, road_lon=lon, bbox=ctx.bbox, layers=layers(ctx, lang), lang=lang)
    fig.add_scattergl(x=[], y=[], mode="lines", name=t("layer.routes", lang),
                      line={"color": THEME["route"], "width": 4}, hoverinfo="skip")
    fig.add_scattergl(x=[], y=[], mode="markers", name=t("layer.picked", lang), showlegend=False,
                      marker={"color": THEME["yellow"], "size": 18, "symbol": "x"}, hoverinfo="skip")
    fig.add_scattergl(x=[], y=[], mode="markers", name=t("layer.incident", lang),
                      marker={"color": THEME["incident"], "size": 24, "symbol": "star",
                              "line": {"width": 2, "color": "#ffffff"}})
    return fig


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    types = [{"label": t(f"incident.{k}", lang), "value": k} for k in INCIDENT_TYPES]
    return html.Div(className="screen", children=[
        dcc.Store(id="screen-lang", data=lang),
        dcc.Store(id="screen-result"),
        html.Div(className="map-wrap", children=[
            dcc.Graph(id="screen-map", figure=base_figure(ctx, lang), style={"height": "100%"},
                      config={"displayModeBar": False, "scrollZoom": True, "doubleClick": "reset"}),
        ]),
        html.Aside(className="side", children=[
            html.Section(className="card", children=[
                html.H2(t("screen.new_incident", lang)),
                html.Div(t("screen.click_hint", lang), className="hint"),
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
                                             options=[{"label": str(p), "value": p}
                                                      for p in (1, 2, 3, 4)])]),
                ]),
                html.Button(t("screen.create", lang), id="inc-create", className="btn", n_clicks=0),
            ]),
            html.Section(className="card grow", children=[
                html.H2(t("screen.recommendation", lang)),
                html.Div(t("screen.no_incident", lang), id="rec-summary", className="summary"),
                html.Div(id="rec-table"),
            ]),
        ]),
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
                        priority: int, lang: str) -> dict:
    """Create the incident, recommend units and return what the screen shows (JSON-able)."""
    try:
        lat_f, lon_f = _number(lat, "screen.lat", lang), _number(lon, "screen.lon", lang)
        if incident_type not in INCIDENT_TYPES:
            raise ValueError(t("error.unknown_type", lang, value=incident_type))
        incident_id, _plan_id, result = service.create_and_recommend(
            ctx.engine, ctx.network, ctx.dataset, incident_type=incident_type, lat=lat_f,
            lon=lon_f, priority=int(priority or 2), actor="screen",
            limit=ctx.settings.recommend_limit,
            max_snap_distance_m=ctx.settings.max_snap_distance_m)
    except OffNetworkError as exc:
        return {"error": t("error.off_network", lang, distance_m=_distance_of(exc))}
    except ValueError as exc:
        return {"error": str(exc)}
    except CommandError as exc:
        return {"error": str(exc)}
    rows = [{
        "unit_id": o.unit_id, "name": o.name_en if lang == "en" else o.name_zh,
        "capability": t(f"cap.{o.capability}", lang),
        "base": o.base_name_en if lang == "en" else o.base_name_zh,
        "eta_min": round(o.eta_s / 60.0, 1), "distance_km": round(o.distance_m / 1000.0, 1),
        "reason": o.reason_en if lang == "en" else o.reason_zh,
        "routed": o.routed,
    } for o in result.options]
    route_lat, route_lon = [], []
    for o in result.options:
        if o.routed:
            route_lat += [p[0] for p in o.path] + [None]
            route_lon += [p[1] for p in o.path] + [None]
    return {
        "incident_id": incident_id,
        "incident": [lat_f, lon_f],
        "summary": t("screen.incident_created", lang, incident_id=incident_id,
                     type=t(f"incident.{incident_type}", lang), n=len(rows))
        if rows else t("screen.none_capable", lang),
        "rows": rows,
        "route_lat": route_lat,
        "route_lon": route_lon,
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


def table(rows: list[dict], lang: str):
    head = html.Tr([html.Th(t(k, lang)) for k in
                    ("col.rank", "col.unit", "col.capability", "col.eta", "col.distance")])
    body = []
    for i, r in enumerate(rows, start=1):
        body.append(html.Tr(className="first" if r["routed"] else "", children=[
            html.Td(str(i)), html.Td(r["name"], title=r["reason"], className="name"),
            html.Td(r["capability"]),
            html.Td(f"{r['eta_min']:.1f} {t('unit.min', lang)}", className="eta"),
            html.Td(f"{r['distance_km']:.1f} {t('unit.km', lang)}"),
        ]))
    return html.Table(className="rec", id="rec-rows", children=[html.Thead(head), html.Tbody(body)])


# --- callbacks -------------------------------------------------------------------------

@callback(Output("inc-lat", "value"), Output("inc-lon", "value"),
          Input("screen-map", "clickData"), prevent_initial_call=True)
def _on_click(click_data):
    picked = picked_from_click(click_data)
    return (picked[0], picked[1]) if picked else (no_update, no_update)


@callback(Output("screen-result", "data"), Input("inc-create", "n_clicks"),
          State("inc-lat", "value"), State("inc-lon", "value"), State("inc-type", "value"),
          State("inc-priority", "value"), State("screen-lang", "data"), prevent_initial_call=True)
def _on_create(_n, lat, lon, incident_type, priority, lang):
    return recommendation_view(context.current(), lat, lon, incident_type, priority, lang)


@callback(Output("rec-summary", "children"), Output("rec-summary", "className"),
          Output("rec-table", "children"),
          Input("screen-result", "data"), State("screen-lang", "data"), prevent_initial_call=True)
def _on_result(result, lang):
    if not result:
        return no_update, no_update, no_update
    if "error" in result:
        return result["error"], "summary error", no_update
    return result["summary"], "summary", table(result["rows"], lang)


@callback(Output("screen-map", "figure"), Input("inc-lat", "value"), Input("inc-lon", "value"),
          Input("screen-result", "data"), prevent_initial_call=True)
def _on_map(lat, lon, result):
    patch = Patch()
    if lat is not None and lon is not None:
        patch["data"][_T_PICKED]["x"] = [lon]
        patch["data"][_T_PICKED]["y"] = [lat]
    if result and "incident" in result:
        patch["data"][_T_INCIDENT]["x"] = [result["incident"][1]]
        patch["data"][_T_INCIDENT]["y"] = [result["incident"][0]]
        patch["data"][_T_ROUTES]["x"] = result["route_lon"]
        patch["data"][_T_ROUTES]["y"] = result["route_lat"]
    return patch
