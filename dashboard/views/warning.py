"""The early-warning page's views: sensors on the map by state, the chart of one sensor
with its thresholds and predicted crossing, the open alerts and the active faults, as
plain data and Plotly figures. No Dash here; the page renders these.

Owns: turning what :mod:`command.app.warning` reads into rows and figures in the page's
language. Must not: read the store or the clock (``now`` is handed in).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import plotly.graph_objects as go

from command.clock import beijing
from command.i18n import t
from dashboard.figures import GRADE_COLORS, THEME, PointLayer, map_figure

__all__ = ["STATES", "STATE_COLORS", "sensor_options", "sensors_map", "chart_figure",
           "prediction_text", "alert_rows", "fault_rows"]

#: Sensor states, drawn in this order (the most urgent last, on top).
STATES = ("unknown", "ok", "stale", "fault", "blue", "yellow", "orange", "red")
STATE_COLORS = {"unknown": THEME["muted"], "ok": "#43a047", "stale": "#9e9e9e",
                "fault": "#ab47bc", **GRADE_COLORS}


def _name(row: dict, lang: str) -> str:
    return row["name_en"] if lang == "en" else row["name_zh"]


def _hms(at: datetime | None) -> str:
    return beijing(at).strftime("%m-%d %H:%M:%S") if at else ""


def sensor_options(states: Sequence[dict], lang: str) -> list[dict]:
    return [{"label": f"{r['sensor_id']} · {_name(r, lang)}", "value": r["sensor_id"]}
            for r in states]


def sensors_map(states: Sequence[dict], *, road_lat, road_lon, bbox, lang: str) -> go.Figure:
    """Sensors on the road map, one layer per state in its colour."""
    layers = []
    for state in STATES:
        chosen = [r for r in states if r["state"] == state]
        layers.append(PointLayer(
            f"warning.state.{state}", [r["lat"] for r in chosen], [r["lon"] for r in chosen],
            [f"{r['sensor_id']} {_name(r, lang)} · {t(f'warning.state.{state}', lang)}"
             + ("" if r["value"] is None else f" · {r['value']:g} {r['unit']}")
             for r in chosen], STATE_COLORS[state], "circle", 12))
    return map_figure(road_lat=road_lat, road_lon=road_lon, bbox=bbox, layers=layers,
                      lang=lang)


def prediction_text(chart: dict, lang: str) -> str:
    p = chart.get("prediction")
    if not chart["series"]:
        return t("warning.chart.no_data", lang)
    if p is None:
        return ""
    if p["crossing_at"] is None:
        return t("warning.chart.no_crossing", lang, rate=p["rate_per_min"])
    return t("warning.chart.crossing", lang, time=_hms(p["crossing_at"]),
             grade=t(f"grade.{p['grade']}", lang), value=p["threshold"],
             minutes=p["minutes_to_threshold"])


def chart_figure(chart: dict, lang: str) -> go.Figure:
    """The sensor's readings (mean line, min-max band), a dashed line per threshold in
    its grade's colour, and the trend to the predicted crossing (a marker there)."""
    spec = chart["sensor"]
    xs = [beijing(b["at"]) for b in chart["series"]]
    fig = go.Figure()
    if xs:
        fig.add_trace(go.Scatter(x=xs + xs[::-1], y=[b["max"] for b in chart["series"]]
                                 + [b["min"] for b in chart["series"]][::-1],
                                 fill="toself", mode="lines", line={"width": 0},
                                 fillcolor="rgba(100,181,246,0.2)", hoverinfo="skip",
                                 name=t("warning.chart.range", lang)))
        fig.add_trace(go.Scatter(x=xs, y=[b["mean"] for b in chart["series"]], mode="lines",
                                 line={"color": "#64b5f6", "width": 2},
                                 name=t("warning.chart.value", lang)))
    x0, x1 = beijing(chart["since"]), beijing(chart["until"])
    p = chart.get("prediction")
    if p and p["crossing_at"] is not None and xs:
        x1 = max(x1, beijing(p["crossing_at"]))
        last = chart["series"][-1]
        fig.add_trace(go.Scatter(x=[beijing(last["last_at"]), beijing(p["crossing_at"])],
                                 y=[last["last"], p["threshold"]], mode="lines+markers",
                                 line={"color": "#ffffff", "dash": "dot"},
                                 marker={"size": [0, 12], "symbol": "x"},
                                 name=t("warning.chart.predicted", lang)))
    for grade, value in chart["thresholds"]:
        fig.add_trace(go.Scatter(x=[x0, x1], y=[value, value], mode="lines",
                                 line={"color": GRADE_COLORS[grade], "dash": "dash", "width": 1},
                                 name=f"{t(f'grade.{grade}', lang)} {value:g}"))
    fig.update_layout(
        title=t("warning.chart.title", lang, name=spec["name_en"] if lang == "en"
                else spec["name_zh"], minutes=round((chart["until"] - chart["since"])
                                                    .total_seconds() / 60)),
        paper_bgcolor=THEME["panel"], plot_bgcolor=THEME["bg"],
        font={"color": THEME["text"]}, margin={"l": 50, "r": 10, "t": 40, "b": 30},
        yaxis={"title": spec["unit"], "gridcolor": "#223"}, xaxis={"gridcolor": "#223"},
        legend={"orientation": "h", "y": -0.15})
    return fig


def alert_rows(alerts: Sequence[dict], lang: str) -> list[dict]:
    return [{"alert_id": a["alert_id"], "time": _hms(a["raised_at"]),
             "sensor": f"{a['sensor_id']} {_name(a, lang)}", "level": a["level"],
             "level_text": t(f"grade.{a['level']}", lang),
             "value": f"{a['value']:g} {a['unit']}",
             "state": t(f"warning.alert.{a['state']}", lang),
             "escalations": a["escalations"],
             "can_ack": a["state"] in ("open", "escalated")} for a in alerts]


def fault_rows(faults: Sequence[dict], lang: str) -> list[dict]:
    return [{"time": _hms(f["raised_at"]), "sensor": f["sensor_id"],
             "fault": t(f"warning.fault.{f['code']}", lang),
             "value": "" if f["value"] is None else f"{f['value']:g}"} for f in faults]
