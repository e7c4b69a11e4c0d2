"""Pure figure builders: plain data in, Plotly figures out; testable without a browser.

The map is drawn on plain cartesian axes in degrees (x = longitude, y = latitude) with the
aspect ratio fixed to 1/cos(latitude), so no tile server is needed and the product stays
offline. The road network is one Scattergl trace with NaN separators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from command.i18n import t

__all__ = ["THEME", "PointLayer", "Route", "map_figure", "click_grid", "STATUS_COLORS",
           "PRIORITY_COLORS", "GRADE_COLORS", "TYPE_SYMBOLS", "LIVE_SLOTS", "live_map_figure",
           "live_slot_index", "live_traces", "scaled_sizes"]

#: Video-wall dark theme; risk grades use the national colours.
THEME = {
    "bg": "#0b1420",
    "panel": "#122033",
    "text": "#e6edf5",
    "muted": "#8aa0b8",
    "road": "#3c5470",
    "road_major": "#6c89a8",
    "red": "#e53935",
    "orange": "#fb8c00",
    "yellow": "#fdd835",
    "blue": "#1e88e5",
    "route": "#00e5ff",
    "incident": "#ff1744",
}


@dataclass(frozen=True)
class PointLayer:
    """A set of places drawn as one marker trace."""

    key: str  # translation key of the layer name, e.g. "layer.bases"
    lat: Sequence[float]
    lon: Sequence[float]
    labels: Sequence[str]
    color: str
    symbol: str = "circle"
    size: int = 9
    visible: bool | str = True


@dataclass(frozen=True)
class Route:
    lat: Sequence[float]
    lon: Sequence[float]
    label: str
    color: str = THEME["route"]
    width: float = 4.0


@dataclass(frozen=True)
class MapView:
    bbox: tuple[float, float, float, float]  # W, S, E, N degrees
    extra: dict = field(default_factory=dict)


def click_grid(bbox: Sequence[float], *, cells: int = 120) -> go.Heatmap:
    """A transparent heatmap over the map area so a click anywhere reports its coordinates.

    Plotly reports clicks only on data; this layer is the data under every pixel.
    """
    w, s, e, n = bbox
    xs = np.linspace(w, e, cells)
    ys = np.linspace(s, n, cells)
    return go.Heatmap(
        x=xs, y=ys, z=np.zeros((cells, cells)), opacity=0.0, showscale=False,
        hoverinfo="none", name="click", colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
    )


def map_figure(
    *,
    road_lat: np.ndarray,
    road_lon: np.ndarray,
    bbox: Sequence[float],
    layers: Sequence[PointLayer] = (),
    routes: Sequence[Route] = (),
    incident: tuple[float, float] | None = None,
    picked: tuple[float, float] | None = None,
    lang: str = "zh",
) -> go.Figure:
    """The situation map.

    Parameters
    ----------
    road_lat, road_lon : arrays with NaN separators between road segments (degrees).
    bbox : (W, S, E, N) of the area to show, degrees.
    layers : point layers (bases, depots, hospitals ...), drawn in order.
    routes : drawn above the roads, below the points.
    incident, picked : (lat, lon) of the current incident and of a picked place.
    lang : 'zh' or 'en' for legend names.
    """
    w, s, e, n = bbox
    fig = go.Figure()
    fig.add_trace(click_grid(bbox))
    fig.add_trace(go.Scattergl(
        x=road_lon, y=road_lat, mode="lines", name=t("layer.roads", lang),
        line={"color": THEME["road"], "width": 1}, hoverinfo="skip",
    ))
    for r in routes:
        fig.add_trace(go.Scattergl(
            x=list(r.lon), y=list(r.lat), mode="lines", name=r.label, showlegend=False,
            line={"color": r.color, "width": r.width}, hoverinfo="name",
        ))
    for layer in layers:
        fig.add_trace(go.Scattergl(
            x=list(layer.lon), y=list(layer.lat), mode="markers", name=t(layer.key, lang),
            text=list(layer.labels), hoverinfo="text", visible=layer.visible,
            marker={"color": layer.color, "size": layer.size, "symbol": layer.symbol,
                    "line": {"width": 1, "color": THEME["bg"]}},
        ))
    if picked is not None:
        fig.add_trace(go.Scattergl(
            x=[picked[1]], y=[picked[0]], mode="markers", name=t("layer.picked", lang),
            marker={"color": THEME["yellow"], "size": 16, "symbol": "x"}, hoverinfo="skip",
        ))
    if incident is not None:
        fig.add_trace(go.Scattergl(
            x=[incident[1]], y=[incident[0]], mode="markers", name=t("layer.incident", lang),
            marker={"color": THEME["incident"], "size": 22, "symbol": "star",
                    "line": {"width": 2, "color": "#ffffff"}}, hoverinfo="name",
        ))
    mid_lat = (s + n) / 2.0
    fig.update_layout(
        paper_bgcolor=THEME["bg"], plot_bgcolor=THEME["bg"],
        font={"color": THEME["text"], "size": 16,
              "family": "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={"bgcolor": "rgba(18,32,51,0.85)", "x": 0.01, "y": 0.99, "font": {"size": 15}},
        xaxis={"visible": False, "range": [w, e], "fixedrange": False},
        yaxis={"visible": False, "range": [s, n], "scaleanchor": "x",
               "scaleratio": 1.0 / math.cos(math.radians(mid_lat))},
        clickmode="event", dragmode="pan", uirevision="map", hovermode="closest",
    )
    return fig


# --- the live command screen ---------------------------------------------------------------

#: Colours of unit statuses on the map and the board.
STATUS_COLORS = {
    "available": "#43a047", "dispatched": THEME["yellow"], "en_route": THEME["route"],
    "on_scene": THEME["red"], "returning": "#ab47bc", "out_of_service": "#78909c",
}
#: Priority 1 (highest) .. 4 in the national risk colours 红 橙 黄 蓝.
PRIORITY_COLORS = {1: THEME["red"], 2: THEME["orange"], 3: THEME["yellow"], 4: THEME["blue"]}
GRADE_COLORS = {"red": THEME["red"], "orange": THEME["orange"], "yellow": THEME["yellow"],
                "blue": THEME["blue"]}
#: Marker symbol by incident type (family), so type reads without a legend entry each.
TYPE_SYMBOLS = {
    "fire": "star", "highrise_fire": "star", "industrial_fire": "star",
    "hazmat_leak": "hexagram", "gas_leak": "hexagram", "traffic_accident": "diamond-wide",
    "medical": "cross", "mass_casualty": "cross", "flood": "circle", "water_rescue": "circle",
    "collapse": "square", "mine_accident": "square", "power_outage": "bowtie",
    "crowd": "triangle-up", "aviation": "triangle-down",
}

#: The dynamic traces of the live map, in their fixed order after the static layers, so
#: an update patches them by index and never resends the roads.
LIVE_SLOTS: tuple[str, ...] = (
    ("zones.blue", "zones.yellow", "zones.orange", "zones.red", "closed", "routes")
    + tuple(f"units.{s}" for s in STATUS_COLORS)
    + tuple(f"incidents.{p}" for p in (4, 3, 2, 1))
    + ("selected", "picked")
)


def _slot_trace(slot: str, lang: str) -> go.Scatter | go.Scattergl:
    kind, _, arg = slot.partition(".")
    if kind == "zones":
        return go.Scatter(x=[], y=[], mode="lines", fill="toself", hoverinfo="text",
                          name=t("dashboard.layer.zones", lang), showlegend=arg == "red",
                          legendgroup="zones", fillcolor=_rgba(GRADE_COLORS[arg], 0.28),
                          line={"color": GRADE_COLORS[arg], "width": 2})
    if kind == "closed":
        return go.Scattergl(x=[], y=[], mode="lines", name=t("dashboard.layer.closed", lang),
                            line={"color": "#ff5252", "width": 4, "dash": "dot"},
                            hoverinfo="skip")
    if kind == "routes":
        return go.Scattergl(x=[], y=[], mode="lines", name=t("layer.routes", lang),
                            line={"color": THEME["route"], "width": 4}, hoverinfo="skip")
    if kind == "units":
        return go.Scattergl(x=[], y=[], mode="markers", hoverinfo="text",
                            name=t("dashboard.layer.units", lang, status=t(f"status.{arg}", lang)),
                            visible="legendonly" if arg == "available" else True,
                            marker={"color": STATUS_COLORS[arg], "size": 13, "symbol": "circle",
                                    "line": {"width": 1.5, "color": THEME["bg"]}})
    if kind == "incidents":
        p = int(arg)
        return go.Scattergl(x=[], y=[], mode="markers", hoverinfo="text",
                            name=t("dashboard.layer.priority", lang, p=p),
                            marker={"color": PRIORITY_COLORS[p], "size": 26, "symbol": "star",
                                    "line": {"width": 2, "color": "#ffffff"}})
    if kind == "selected":
        return go.Scattergl(x=[], y=[], mode="markers", hoverinfo="skip",
                            name=t("dashboard.layer.selected", lang), showlegend=False,
                            marker={"color": "rgba(0,0,0,0)", "size": 46, "symbol": "circle",
                                    "line": {"width": 4, "color": THEME["route"]}})
    return go.Scattergl(x=[], y=[], mode="markers", name=t("layer.picked", lang),
                        showlegend=False, hoverinfo="skip",
                        marker={"color": THEME["yellow"], "size": 20, "symbol": "x"})


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def live_map_figure(*, road_lat: np.ndarray, road_lon: np.ndarray, bbox: Sequence[float],
                    layers: Sequence[PointLayer], lang: str = "zh") -> go.Figure:
    """The live map: roads (as float32, half the bytes of float64 and still finer than a
    metre), the static layers, then empty :data:`LIVE_SLOTS` that updates fill.

    The index of slot ``k`` is ``live_slot_index(fig)[k]``.
    """
    fig = map_figure(road_lat=np.asarray(road_lat, dtype=np.float32),
                     road_lon=np.asarray(road_lon, dtype=np.float32),
                     bbox=bbox, layers=layers, lang=lang)
    for slot in LIVE_SLOTS:
        fig.add_trace(_slot_trace(slot, lang))
    fig.update_layout(legend={"font": {"size": 18}}, font={"size": 18})
    return fig


def live_slot_index(n_static: int) -> dict[str, int]:
    """Trace index of each live slot when ``n_static`` traces come before them."""
    return {slot: n_static + k for k, slot in enumerate(LIVE_SLOTS)}


def _lines(paths: Sequence[Sequence[tuple[float, float]]]) -> tuple[list, list]:
    """(x, y) lists of many polylines with None separators; points are (lat, lon)."""
    xs: list = []
    ys: list = []
    for path in paths:
        if not path:
            continue
        xs += [round(p[1], 6) for p in path] + [None]
        ys += [round(p[0], 6) for p in path] + [None]
    return xs, ys


def _rings(geometry: dict) -> list[list]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def live_traces(*, incidents: Sequence[dict], units: Sequence[dict],
                routes: Sequence[Sequence[tuple[float, float]]] = (),
                closed: tuple[Sequence[float], Sequence[float]] | None = None,
                zones: dict | None = None, selected: tuple[float, float] | None = None,
                ) -> dict[str, dict]:
    """The data of every live slot but ``picked``: slot -> ``{"x", "y", "text"}``.

    Parameters
    ----------
    incidents : dicts with ``lat``, ``lon``, ``priority`` (1-4), ``type`` and ``label``.
    units : dicts with ``lat``, ``lon``, ``status`` and ``label``.
    routes : polylines of (lat, lon) points.
    closed : (lats, lons) of closed roads with NaN separators, or None.
    zones : a GeoJSON FeatureCollection whose features carry ``grade`` and ``label``.
    selected : (lat, lon) of the incident the plan panel shows.
    """
    out: dict[str, dict] = {}
    by_grade: dict[str, list] = {g: [] for g in GRADE_COLORS}
    labels: dict[str, list] = {g: [] for g in GRADE_COLORS}
    for f in (zones or {}).get("features", []):
        grade = f["properties"].get("grade")
        if grade in by_grade:
            for ring in _rings(f["geometry"]):
                by_grade[grade].append([(c[1], c[0]) for c in ring])
                labels[grade] += [f["properties"].get("label", "")] * (len(ring) + 1)
    for g in GRADE_COLORS:
        x, y = _lines(by_grade[g])
        out[f"zones.{g}"] = {"x": x, "y": y, "text": labels[g]}
    if closed is not None and len(closed[0]):
        lat = np.asarray(closed[0], dtype=float)
        lon = np.asarray(closed[1], dtype=float)
        out["closed"] = {"x": [None if math.isnan(v) else round(v, 6) for v in lon.tolist()],
                         "y": [None if math.isnan(v) else round(v, 6) for v in lat.tolist()],
                         "text": []}
    else:
        out["closed"] = {"x": [], "y": [], "text": []}
    x, y = _lines(routes)
    out["routes"] = {"x": x, "y": y, "text": []}
    for status in STATUS_COLORS:
        us = [u for u in units if u["status"] == status]
        out[f"units.{status}"] = {"x": [u["lon"] for u in us], "y": [u["lat"] for u in us],
                                  "text": [u["label"] for u in us]}
    for p in (4, 3, 2, 1):
        inc = [i for i in incidents if i["priority"] == p]
        out[f"incidents.{p}"] = {
            "x": [i["lon"] for i in inc], "y": [i["lat"] for i in inc],
            "text": [i["label"] for i in inc],
            "symbol": [TYPE_SYMBOLS.get(i["type"], "star") for i in inc]}
    out["selected"] = ({"x": [selected[1]], "y": [selected[0]], "text": []} if selected
                       else {"x": [], "y": [], "text": []})
    return out


def scaled_sizes(fig: go.Figure, scale: float) -> dict[str, object]:
    """Font, marker and line sizes of ``fig`` multiplied by ``scale`` (a 4K wall is 2),
    as ``{"font": px, "legend": px, "markers": {index: px}, "lines": {index: px}}``;
    the roads keep their hairline width."""
    markers, lines = {}, {}
    for i, tr in enumerate(fig.data):
        marker = getattr(tr, "marker", None)
        if marker is not None and isinstance(marker.size, (int, float)):
            markers[i] = round(marker.size * scale, 1)
        line = getattr(tr, "line", None)
        if i > 1 and line is not None and isinstance(line.width, (int, float)):
            lines[i] = round(line.width * scale, 1)
    return {"font": round(fig.layout.font.size * scale, 1),
            "legend": round(fig.layout.legend.font.size * scale, 1),
            "markers": markers, "lines": lines}


def add_outlines(fig: go.Figure, outlines: Sequence[dict], lang: str) -> go.Figure:
    """Draw district outlines (``lat``, ``lon``, ``name_zh``, ``name_en``) on ``fig`` as
    dotted lines, one legend entry for all."""
    for i, o in enumerate(outlines):
        fig.add_trace(go.Scatter(
            x=o["lon"], y=o["lat"], mode="lines", name=t("risk.districts", lang),
            legendgroup="districts", showlegend=i == 0, hoverinfo="text",
            text=o["name_en"] if lang == "en" else o["name_zh"],
            line={"color": THEME["muted"], "width": 2, "dash": "dot"}))
    return fig
