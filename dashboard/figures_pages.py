"""Views of the material reserves and drills pages: plain data in, figures and rows out.

Tested without a browser; the page modules' callbacks only call these and render. The
map reuses :func:`dashboard.figures.map_figure` (roads from the graph, no tiles).
Background work (solves, simulations) runs through :mod:`dashboard.jobs`.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import plotly.graph_objects as go

from command.errors import CommandError
from command.i18n import t
from command.model import Dataset
from dashboard.figures import THEME, Route, map_figure

__all__ = ["ROUTE_COLORS", "depot_stocks", "materials_map", "plan_rows", "shortage_rows",
           "stock_rows", "materials_kpis", "incident_label", "scale_map", "SCALE_JS", 
           "error_text", "CHANGE_KINDS", "DRILL_KPIS", "variant_summary", "parse_change",
           "comparison_of", "comparison_rows", "response_figure", "missed_map"]


#: One colour per depot's routes (cycled), distinct from the roads and the risk colours.
ROUTE_COLORS = ("#00e5ff", "#76ff03", "#ff4081", "#ffd740", "#b388ff", "#64ffda",
                "#ff9e80", "#82b1ff")

#: Largest bubble on the map, px (diameter), for the depot with the most stock by weight.
BUBBLE_MAX_PX = 60.0


def _name(x, lang: str) -> str:
    return x.name_en if lang == "en" else x.name_zh


def _unit(item, lang: str) -> str:
    return item.unit_en if lang == "en" else item.unit


def _qty(q: float) -> str:
    return f"{q:,.0f}" if abs(q - round(q)) < 1e-9 else f"{q:,.1f}"


# --------------------------------------------------------------------- materials page

def depot_stocks(dataset: Dataset) -> list[dict]:
    """Per depot (data set order): ``depot_id``, ``lat``, ``lon``, ``weight_kg`` (sum of
    quantity x kg per unit of ``item_loads.csv``), ``lines`` (number of items held) and
    ``items`` [(item_id, quantity)] in item order."""
    kg = {r.item_id: r.kg_per_unit for r in dataset.item_loads}
    order = {i.item_id: k for k, i in enumerate(dataset.items)}
    held: dict[str, list[tuple[str, float]]] = {d.depot_id: [] for d in dataset.depots}
    for s in dataset.stocks:
        if s.quantity > 0:
            held[s.depot_id].append((s.item_id, float(s.quantity)))
    out = []
    for d in dataset.depots:
        items = sorted(held[d.depot_id], key=lambda x: order[x[0]])
        out.append({"depot_id": d.depot_id, "lat": d.lat, "lon": d.lon,
                    "weight_kg": sum(q * kg.get(i, 0.0) for i, q in items),
                    "lines": len(items), "items": items})
    return out


def incident_label(incident: Mapping, lang: str) -> str:
    """'危化品泄漏 I-…-ab12' from a situation incident dict."""
    return f"{t('incident.' + incident['type'], lang)} {incident['id']}"


def scale_map(fig: go.Figure, scale: float) -> go.Figure:
    """Fonts of a map for a wall ``scale`` times 1080 lines high (plotly sizes are px)."""
    if scale != 1.0:
        fig.update_layout(font={"size": round(16 * scale)},
                          legend={"font": {"size": round(15 * scale)}})
    return fig


def materials_map(*, road_lat, road_lon, bbox, dataset: Dataset, plan: Mapping | None,
                  size_by: str = "weight", lang: str = "zh", scale: float = 1.0) -> go.Figure:
    """The reserves map: depots as bubbles (area proportional to the stock's weight in kg,
    or to the number of items held with ``size_by="lines"``; hover lists the items),
    the open incidents, and the delivery routes along the roads.

    ``plan`` is the output of :func:`command.live_situation.materials_from_store` (or
    None before the first solve). Trace order is fixed, so a callback can patch all but
    the roads: click grid, roads, one route trace per depot of the data set (its trucks'
    paths joined by None; empty when it ships nothing), the depot bubbles, the incidents.
    ``scale`` multiplies fonts and marker sizes (2 on a 2160-line wall).
    """
    items = {i.item_id: i for i in dataset.items}
    incidents = {i["id"]: i for i in plan["situation"]["incidents"]} if plan else {}
    by_depot = {d["depot_id"]: d for d in plan["deliveries"]["depots"]} if plan else {}
    routes = []
    for k, depot in enumerate(dataset.depots):
        lat: list = []
        lon: list = []
        stops: list[str] = []
        for r in by_depot.get(depot.depot_id, {}).get("routes", []):
            lat += [p[0] for p in r["path"]] + [None]
            lon += [p[1] for p in r["path"]] + [None]
            stops += [incident_label(incidents[s["point_id"]], lang)
                      if s["point_id"] in incidents else s["point_id"] for s in r["stops"]]
        label = f"{_name(depot, lang)} → {'、'.join(dict.fromkeys(stops))}" if stops else ""
        routes.append(Route(lat=lat[:-1], lon=lon[:-1], label=label,
                            color=ROUTE_COLORS[k % len(ROUTE_COLORS)], width=4.0 * scale))
    fig = map_figure(road_lat=road_lat, road_lon=road_lon, bbox=bbox, routes=routes, lang=lang)
    stocks = depot_stocks(dataset)
    sizes = [s["weight_kg"] if size_by == "weight" else float(s["lines"]) for s in stocks]
    biggest = max(sizes, default=0.0) or 1.0
    hover = []
    for depot, s in zip(dataset.depots, stocks):
        lines = [f"<b>{_name(depot, lang)}</b>",
                 t("pages.mat.hover_weight", lang, t=s["weight_kg"] / 1000.0)]
        lines += [f"{_name(items[i], lang)} {_qty(q)} {_unit(items[i], lang)}"
                  for i, q in s["items"]]
        hover.append("<br>".join(lines))
    fig.add_trace(go.Scatter(
        x=[s["lon"] for s in stocks], y=[s["lat"] for s in stocks], mode="markers",
        name=t("pages.mat.layer_stock", lang), text=hover, hoverinfo="text",
        customdata=[s["depot_id"] for s in stocks],
        marker={"size": sizes, "sizemode": "area", "sizeref": 2.0 * biggest / (BUBBLE_MAX_PX * scale) ** 2,
                "sizemin": 6 * scale, "color": "rgba(67,160,71,0.55)",
                "line": {"width": 2, "color": "#a5d6a7"}},
    ))
    shown = list(incidents.values())
    fig.add_trace(go.Scatter(
        x=[i["lon"] for i in shown], y=[i["lat"] for i in shown], mode="markers",
        name=t("layer.incident", lang), text=[incident_label(i, lang) for i in shown],
        hoverinfo="text",
        marker={"color": THEME["incident"], "size": 22 * scale, "symbol": "star",
                "line": {"width": 2, "color": "#ffffff"}},
    ))
    fig.update_layout(uirevision="materials")
    return scale_map(fig, scale)


#: Client-side: the wall's scale (window height / 1080, in quarter steps, at least 1),
#: or no_update when unchanged (arguments: any trigger, the current value).
SCALE_JS = """function(_n, have) {
    const s = Math.max(1, Math.round(window.innerHeight / 1080 * 4) / 4);
    return s === have ? window.dash_clientside.no_update : s;
}"""


def _arrivals(plan: Mapping) -> dict[tuple[str, str], tuple[float | None, bool | None]]:
    """(depot, point) -> (first truck arrival s, late) from the delivery routes."""
    out: dict[tuple[str, str], tuple[float | None, bool | None]] = {}
    for dep in plan["deliveries"]["depots"]:
        for r in dep["routes"]:
            for s in r["stops"]:
                key = (dep["depot_id"], s["point_id"])
                if key not in out or (s["arrival_s"] is not None and
                                      (out[key][0] is None or s["arrival_s"] < out[key][0])):
                    out[key] = (s["arrival_s"], s["late"])
    return out


def plan_rows(plan: Mapping, dataset: Dataset, lang: str) -> list[dict]:
    """The allocation plan, one row per (incident, depot) in priority order: what goes,
    the truck's arrival (minutes, from the delivery routes; the direct drive plus
    loading when no truck is routed) and whether it meets the earliest deadline."""
    items = {i.item_id: i for i in dataset.items}
    depots = {d.depot_id: d for d in dataset.depots}
    incidents = {i["id"]: i for i in plan["situation"]["incidents"]}
    arrivals = _arrivals(plan)
    groups: dict[tuple[str, str], list[dict]] = {}
    for s in plan["materials"]["shipments"]:
        groups.setdefault((s["point_id"], s["depot_id"]), []).append(s)
    order = {p["point_id"]: (p["priority"], k) for k, p in enumerate(plan["materials"]["points"])}
    rows = []
    for (point, depot), ships in sorted(groups.items(), key=lambda g: (order[g[0][0]], g[0][1])):
        arrival, late = arrivals.get((depot, point), (None, None))
        if arrival is None:
            arrival = min(s["travel_time_s"] for s in ships)
            late = not all(s["on_time"] for s in ships)
        rows.append({
            "point_id": point, "depot_id": depot,
            "incident": incident_label(incidents[point], lang) if point in incidents else point,
            "depot": _name(depots[depot], lang),
            "items": ("、" if lang != "en" else ", ").join(
                f"{_name(items[s['item_id']], lang)} {_qty(s['quantity'])} "
                f"{_unit(items[s['item_id']], lang)}" for s in ships),
            "arrival_min": None if arrival is None else round(arrival / 60.0, 1),
            "late": bool(late),
        })
    return rows


def shortage_rows(plan: Mapping, dataset: Dataset, lang: str) -> list[dict]:
    """Items the plan cannot deliver in full: demand, stock in the city, unmet quantity,
    and the part no stock exists for (``deficit``)."""
    items = {i.item_id: i for i in dataset.items}
    return [{"item_id": s["item_id"], "item": _name(items[s["item_id"]], lang),
             "unit": _unit(items[s["item_id"]], lang), "demand": s["demand"],
             "stock": s["stock"], "unmet": s["unmet"], "deficit": s["stock_deficit"]}
            for s in plan["materials"]["shortages"]]


def stock_rows(dataset: Dataset, plan: Mapping | None, depot_id: str | None,
               lang: str) -> list[dict]:
    """The stock table: per item, the stock of one depot (or of all depots with
    ``depot_id=None``), what the plan ships from it and what remains."""
    items = {i.item_id: i for i in dataset.items}
    stock: dict[str, float] = {}
    for s in dataset.stocks:
        if depot_id is None or s.depot_id == depot_id:
            stock[s.item_id] = stock.get(s.item_id, 0.0) + float(s.quantity)
    shipped: dict[str, float] = {}
    for s in (plan["materials"]["shipments"] if plan else []):
        if depot_id is None or s["depot_id"] == depot_id:
            shipped[s["item_id"]] = shipped.get(s["item_id"], 0.0) + s["quantity"]
    return [{"item_id": i.item_id, "item": _name(i, lang), "unit": _unit(i, lang),
             "stock": stock[i.item_id], "shipped": shipped.get(i.item_id, 0.0),
             "remaining": stock[i.item_id] - shipped.get(i.item_id, 0.0)}
            for i in dataset.items if stock.get(i.item_id, 0.0) > 0 and i.item_id in items]


def materials_kpis(plan: Mapping | None) -> dict[str, int]:
    """Open incidents, shipments, depots used, trucks on the road, items short."""
    if not plan:
        return {"incidents": 0, "shipments": 0, "depots": 0, "trucks": 0, "short": 0}
    ships = plan["materials"]["shipments"]
    return {"incidents": len(plan["situation"]["incidents"]), "shipments": len(ships),
            "depots": len({s["depot_id"] for s in ships}),
            "trucks": sum(len(d["routes"]) for d in plan["deliveries"]["depots"]),
            "short": len(plan["materials"]["shortages"])}


# --------------------------------------------------------------------- background work

def error_text(exc: BaseException, lang: str) -> str:
    """What a person reads when a background job failed: the core's message and its
    problems (field and value), or a generic line (details go to the log)."""
    if isinstance(exc, CommandError):
        lines = [str(exc).split("\n")[0]] + [str(p) for p in exc.problems][:5]
        return t("pages.job_failed", lang, detail="; ".join(lines))
    return t("pages.job_failed", lang, detail=type(exc).__name__)


# --------------------------------------------------------------------- drills page

#: What a variant may change, in the order of the form.
CHANGE_KINDS = ("remove_base", "add_units", "close_road", "move_depot")


def variant_summary(variant: Mapping, dataset: Dataset, lang: str) -> str:
    """'撤除 …；封闭 …' for a variant's changes (the baseline has none)."""
    bases = {b.base_id: b for b in dataset.bases}
    depots = {d.depot_id: d for d in dataset.depots}
    parts = []
    for c in variant.get("changes", []):
        kind = c["kind"]
        if kind == "remove_base":
            parts.append(t("pages.drill.desc.remove_base", lang, base=_name(bases[c["base_id"]], lang)))
        elif kind == "add_units":
            parts.append(t("pages.drill.desc.add_units", lang, base=_name(bases[c["base_id"]], lang),
                           count=c["count"], capability=t("cap." + c["capability"], lang)))
        elif kind == "close_road":
            parts.append(t("pages.drill.desc.close_road", lang, road=c["road"]))
        elif kind == "move_depot":
            parts.append(t("pages.drill.desc.move_depot", lang,
                           depot=_name(depots[c["depot_id"]], lang), lat=c["lat"], lon=c["lon"]))
    return ("；" if lang != "en" else "; ").join(parts) or t("pages.drill.no_change", lang)


def parse_change(kind: str, fields: Mapping, dataset: Dataset, lang: str) -> dict:
    """A variant change from the form's fields, checked against the data set.

    Raises ``ValueError`` with a message for the planner naming the field and value
    (an unknown station or depot, a count below 1, coordinates out of the city's box).
    Road names are checked by the simulator against the network when it runs.
    """
    def bad(field_key: str, value) -> ValueError:
        return ValueError(t("pages.drill.bad_input", lang, field=t(field_key, lang),
                            value="" if value is None else value))

    bases = {b.base_id for b in dataset.bases}
    depots = {d.depot_id for d in dataset.depots}
    if kind == "remove_base":
        if fields.get("base_id") not in bases:
            raise bad("pages.drill.base", fields.get("base_id"))
        return {"kind": kind, "base_id": fields["base_id"]}
    if kind == "add_units":
        if fields.get("base_id") not in bases:
            raise bad("pages.drill.base", fields.get("base_id"))
        from command.model import CAPABILITIES
        if fields.get("capability") not in CAPABILITIES:
            raise bad("pages.drill.capability", fields.get("capability"))
        try:
            count = int(fields.get("count"))
        except (TypeError, ValueError):
            raise bad("pages.drill.count", fields.get("count")) from None
        if not 1 <= count <= 50:
            raise bad("pages.drill.count", count)
        return {"kind": kind, "base_id": fields["base_id"], "capability": fields["capability"],
                "count": count}
    if kind == "close_road":
        road = (fields.get("road") or "").strip()
        if not road:
            raise bad("pages.drill.road", road)
        return {"kind": kind, "road": road}
    if kind == "move_depot":
        if fields.get("depot_id") not in depots:
            raise bad("pages.drill.depot", fields.get("depot_id"))
        out = {"kind": kind, "depot_id": fields["depot_id"]}
        for key, label, lo, hi in (("lat", "screen.lat", 29.0, 31.5), ("lon", "screen.lon", 114.0, 116.0)):
            try:
                v = float(fields.get(key))
            except (TypeError, ValueError):
                raise bad(label, fields.get(key)) from None
            if not lo <= v <= hi:
                raise bad(label, v)
            out[key] = v
        return out
    raise bad("pages.drill.change", kind)


#: KPIs of an experiment the page shows, in order: (name in the result, unit key or "",
#: higher is better). Other KPIs of the result stay in the exported report.
DRILL_KPIS = (("share_within_standard", "", True), ("response_mean_min", "unit.min", False),
              ("response_p90_min", "unit.min", False), ("utilisation", "", False),
              ("waiting_calls", "", False), ("unmet_material", "", False))


def comparison_of(result: Mapping) -> dict:
    """The page's comparison from ``ExperimentResult.to_dict()`` (the contract is in
    docs/pages.md): variant names, the known KPIs with mean and 95% interval per
    variant, pooled response times (minutes), places with misses, the standards."""
    variants = result["variants"]
    kpis = []
    for name, unit_key, higher in DRILL_KPIS:
        if not any(name in v.get("kpis", {}) for v in variants):
            continue
        values = []
        for v in variants:
            k = v.get("kpis", {}).get(name) or {}
            values.append({"mean": k.get("mean"), "ci95": k.get("ci95")})
        kpis.append({"name": name, "label_key": f"pages.drill.kpi.{name}", "unit_key": unit_key,
                     "higher_is_better": higher, "values": values})
    return {"variants": [v["name"] for v in variants], "kpis": kpis,
            "response_min": {v["name"]: list(v.get("response_min", [])) for v in variants},
            "missed": {v["name"]: list(v.get("missed", [])) for v in variants},
            "standards_min": sorted(set((result.get("standards_min") or {}).values()))}


def comparison_rows(comparison: Mapping, lang: str) -> list[dict]:
    """Rows of the side-by-side table: per KPI, each variant's mean and 95% interval,
    and which variant is best (by the KPI's direction)."""
    rows = []
    for k in comparison["kpis"]:
        means = [v["mean"] for v in k["values"]]
        finite = [m for m in means if m is not None]
        best = None
        if finite and len(set(finite)) > 1:
            target = max(finite) if k.get("higher_is_better") else min(finite)
            best = means.index(target)
        unit = t(k["unit_key"], lang) if k.get("unit_key") else ""
        rows.append({"kpi": t(k["label_key"], lang), "unit": unit, "best": best,
                     "cells": [{"mean": v["mean"], "ci95": v.get("ci95")} for v in k["values"]]})
    return rows


def response_figure(comparison: Mapping, lang: str, *, scale: float = 1.0) -> go.Figure:
    """Response-time distributions side by side: one box per variant (minutes), the
    fire and EMS standards as dashed lines."""
    fig = go.Figure()
    for k, name in enumerate(comparison["variants"]):
        samples = comparison["response_min"].get(name, [])
        fig.add_trace(go.Box(x=samples, name=name, orientation="h", boxpoints=False,
                             marker={"color": ROUTE_COLORS[k % len(ROUTE_COLORS)]},
                             line={"width": 2 * scale}))
    for minutes in comparison.get("standards_min", []):
        fig.add_vline(x=minutes, line={"color": THEME["orange"], "dash": "dash", "width": 2 * scale})
    fig.update_layout(
        paper_bgcolor=THEME["panel"], plot_bgcolor=THEME["panel"], showlegend=False,
        font={"color": THEME["text"], "size": round(15 * scale),
              "family": "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"},
        margin={"l": 10 * scale, "r": 10 * scale, "t": 10 * scale, "b": 40 * scale},
        xaxis={"title": {"text": t("pages.drill.minutes", lang)}, "gridcolor": "#1f3b5c",
               "rangemode": "tozero"},
        yaxis={"automargin": True, "autorange": "reversed",
               "visible": bool(comparison["variants"])})
    return fig


def missed_map(*, road_lat, road_lon, bbox, comparison: Mapping, lang: str,
               scale: float = 1.0) -> go.Figure:
    """Where the response standard is missed: per variant, one marker per place with
    misses, area proportional to the number of incidents that missed it."""
    fig = map_figure(road_lat=road_lat, road_lon=road_lon, bbox=bbox, lang=lang)
    biggest = max((p["count"] for v in comparison["missed"].values() for p in v), default=1) or 1
    for k, name in enumerate(comparison["variants"]):
        places = comparison["missed"].get(name, [])
        fig.add_trace(go.Scatter(
            x=[p["lon"] for p in places], y=[p["lat"] for p in places], mode="markers",
            name=name, text=[f"{name}: {p['count']}" for p in places], hoverinfo="text",
            visible=True if k in (0, len(comparison["variants"]) - 1) else "legendonly",
            marker={"size": [p["count"] for p in places], "sizemode": "area",
                    "sizeref": 2.0 * biggest / (28.0 * scale) ** 2, "sizemin": 4 * scale,
                    "color": ROUTE_COLORS[k % len(ROUTE_COLORS)], "opacity": 0.6}))
    fig.update_layout(uirevision="missed")
    return scale_map(fig, scale)
