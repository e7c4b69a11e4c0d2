"""Views of the material reserves page: the allocation plan and the data set's stocks
in, rows, KPIs and the map out (plain data; tested without a browser).

The map reuses :func:`dashboard.figures.map_figure` (roads from the graph, no tiles).
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from command.i18n import t
from command.model import Dataset
from dashboard.figures import THEME, Route, map_figure
from dashboard.views._common import ROUTE_COLORS, incident_label, name_of, qty, scale_map, unit_of

__all__ = ["depot_stocks", "materials_map", "plan_rows", "shortage_rows", "stock_rows",
           "materials_kpis"]


#: Largest bubble on the map, px (diameter), for the depot with the most stock by weight.
BUBBLE_MAX_PX = 60.0


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


def materials_map(*, road_lat, road_lon, bbox, dataset: Dataset, plan: Mapping | None,
                  size_by: str = "weight", lang: str = "zh", scale: float = 1.0) -> go.Figure:
    """The reserves map: depots as bubbles (area proportional to the stock's weight in kg,
    or to the number of items held with ``size_by="lines"``; hover lists the items),
    the open incidents, and the delivery routes along the roads.

    ``plan`` is the output of :func:`command.app.situations.materials_from_store` (or
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
        label = f"{name_of(depot, lang)} → {'、'.join(dict.fromkeys(stops))}" if stops else ""
        routes.append(Route(lat=lat[:-1], lon=lon[:-1], label=label,
                            color=ROUTE_COLORS[k % len(ROUTE_COLORS)], width=4.0 * scale))
    fig = map_figure(road_lat=road_lat, road_lon=road_lon, bbox=bbox, routes=routes, lang=lang)
    stocks = depot_stocks(dataset)
    sizes = [s["weight_kg"] if size_by == "weight" else float(s["lines"]) for s in stocks]
    biggest = max(sizes, default=0.0) or 1.0
    hover = []
    for depot, s in zip(dataset.depots, stocks):
        lines = [f"<b>{name_of(depot, lang)}</b>",
                 t("pages.mat.hover_weight", lang, t=s["weight_kg"] / 1000.0)]
        lines += [f"{name_of(items[i], lang)} {qty(q)} {unit_of(items[i], lang)}"
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
            "depot": name_of(depots[depot], lang),
            "items": ("、" if lang != "en" else ", ").join(
                f"{name_of(items[s['item_id']], lang)} {qty(s['quantity'])} "
                f"{unit_of(items[s['item_id']], lang)}" for s in ships),
            "arrival_min": None if arrival is None else round(arrival / 60.0, 1),
            "late": bool(late),
        })
    return rows


def shortage_rows(plan: Mapping, dataset: Dataset, lang: str) -> list[dict]:
    """Items the plan cannot deliver in full: demand, stock in the city, unmet quantity,
    and the part no stock exists for (``deficit``)."""
    items = {i.item_id: i for i in dataset.items}
    return [{"item_id": s["item_id"], "item": name_of(items[s["item_id"]], lang),
             "unit": unit_of(items[s["item_id"]], lang), "demand": s["demand"],
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
    return [{"item_id": i.item_id, "item": name_of(i, lang), "unit": unit_of(i, lang),
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
