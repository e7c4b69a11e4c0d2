"""Pure figure builders: plain data in, Plotly figures out; testable without a browser.

The map is drawn on plain cartesian axes in degrees (x = longitude, y = latitude) with the
aspect ratio fixed to 1/cos(latitude), so no tile server is needed and the product stays
offline. The road network is one Scattergl trace with NaN separators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from command.i18n import t

__all__ = ["THEME", "PointLayer", "Route", "map_figure", "click_grid"]

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
