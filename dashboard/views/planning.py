"""Views of the siting page: the form's options and checks, the before/after table for
day and night, the map of demand cells and sites, and the link that hands a proposal to
the drills page (plain data and figures; tested without a browser).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from command.app.planning import MODES, PROBLEMS, capabilities
from command.i18n import t
from command.model import Dataset
from dashboard.figures import THEME, PointLayer, map_figure
from dashboard.views._common import scale_map
from dashboard.views.drills import variant_query

__all__ = ["PROBLEM_KEYS", "problem_options", "capability_options", "mode_options",
           "parse_form", "status_text", "cover_rows", "night_note", "site_rows",
           "plan_map", "drill_href"]

PROBLEM_KEYS = tuple(PROBLEMS)
#: Largest p the form accepts (the solvers prove p <= 5 quickly on the city).
MAX_P = 20


def problem_options(lang: str) -> list[dict]:
    return [{"label": t(f"planning.problem.{k}", lang), "value": k} for k in PROBLEM_KEYS]


def mode_options(lang: str) -> list[dict]:
    return [{"label": t(f"planning.mode.{m}", lang), "value": m} for m in MODES]


def capability_options(dataset: Dataset, lang: str) -> list[dict]:
    """Unit capabilities by their names, then the depots (all, then per item)."""
    items = {i.item_id: (i.name_en if lang == "en" else i.name_zh) for i in dataset.items}
    out = []
    for c in capabilities(dataset):
        if c == "depot":
            label = t("planning.depot", lang)
        elif c.startswith("depot:"):
            label = t("planning.depot_item", lang, item=items.get(c[6:], c[6:]))
        else:
            label = t(f"cap.{c}", lang)
        out.append({"label": label, "value": c})
    return out


def parse_form(fields: Mapping, dataset: Dataset, lang: str) -> dict:
    """The siting request of the form, checked: ``ValueError`` with the planner's
    message naming the field and the value (p not a whole number from 1, an unknown
    capability, a radius of zero or below, an hour outside 0-23)."""
    def bad(key: str, value) -> ValueError:
        return ValueError(t("planning.bad_input", lang, field=t(key, lang),
                            value="" if value is None else value))

    def whole(key: str, value, lo: int, hi: int) -> int:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise bad(key, value) from None
        if not v.is_integer() or not lo <= v <= hi:
            raise bad(key, value)
        return int(v)

    if fields.get("problem") not in PROBLEMS:
        raise bad("planning.problem", fields.get("problem"))
    if fields.get("capability") not in capabilities(dataset):
        raise bad("planning.capability", fields.get("capability"))
    if fields.get("mode") not in MODES:
        raise bad("planning.mode", fields.get("mode"))
    radius = fields.get("radius_min")
    if radius not in (None, ""):
        try:
            radius = float(radius)
        except (TypeError, ValueError):
            raise bad("planning.radius", radius) from None
        if not radius > 0 or radius > 24 * 60:
            raise bad("planning.radius", radius)
    else:
        radius = None
    return {"problem": fields["problem"], "capability": fields["capability"],
            "mode": fields["mode"], "p": whole("planning.p", fields.get("p"), 1, MAX_P),
            "radius_min": radius,
            "hours": (whole("planning.hour_day", fields.get("hour_day"), 0, 23),
                      whole("planning.hour_night", fields.get("hour_night"), 0, 23)),
            "units_per_site": whole("planning.units", fields.get("units", 1), 1, 10),
            "risk": bool(fields.get("risk"))}


def status_text(plan: Mapping, lang: str) -> str:
    return t("planning.done", lang,
             status=t("planning.optimal" if plan["optimal"] else "planning.feasible", lang),
             objective=plan["objective"] or 0.0, bound=plan["bound"] or 0.0,
             seconds=plan["seconds"])


def cover_rows(plans: Sequence[Mapping], lang: str) -> list[dict]:
    """Before and after of each hour's plan (day first, then night): the population
    share within the standard, the mean travel minutes, the share of cells covered and
    the number of newly covered cells."""
    rows = []
    for k, plan in enumerate(plans):
        when = t("planning.day" if k == 0 else "planning.night", lang, hour=plan["hour"],
                 factor=plan["congestion_factor"])
        for key in ("before", "after"):
            x = plan[key]
            rows.append({"when": when, "layout": t(f"planning.{key}", lang),
                         "share": x["covered_share"], "mean_min": x["mean_minutes"],
                         "cells": x["cells_covered_share"],
                         "new": len(plan["newly_covered"]) if key == "after" else None})
    return rows


def night_note(plans: Sequence[Mapping], lang: str) -> str:
    """Whether the night's sites differ from the day's (standby posts that should move)."""
    if len(plans) < 2:
        return ""
    day = {s["id"] for s in plans[0]["sites"]}
    night = [s for s in plans[1]["sites"] if s["id"] not in day]
    if not night:
        return t("planning.night_same", lang)
    return t("planning.night_moves", lang,
             sites="、".join((s["name_en"] if lang == "en" else s["name_zh"]) for s in night))


def site_rows(plan: Mapping, lang: str) -> list[dict]:
    """Proposed sites then the ones given up: name, kind, place."""
    def row(s, sign):
        return {"sign": sign, "id": s["id"], "kind": t(f"planning.kind.{s['kind']}", lang),
                "name": s["name_en"] if lang == "en" else s["name_zh"],
                "lat": s["lat"], "lon": s["lon"]}
    return [row(s, "+") for s in plan["sites"]] + [row(s, "−") for s in plan["closed"]]


def plan_map(plan: Mapping | None, *, road_lat, road_lon, bbox, lang: str,
             scale: float = 1.0) -> go.Figure:
    """Demand cells by cover (covered today, newly covered, still uncovered), existing
    sites, proposed sites (stars) and the sites given up (crosses)."""
    layers = []
    if plan:
        d = plan["demand"]

        def cells(pick, key, color, size):
            chosen = [c for c in d if pick(c)]
            label = "{name} · {before:.1f} → {after:.1f} min"
            return PointLayer(key, [c["lat"] for c in chosen], [c["lon"] for c in chosen],
                              [label.format(name=c["name_zh"], before=c["before_min"],
                                            after=c["after_min"]) for c in chosen],
                              color, "circle", size)

        layers += [
            cells(lambda c: c["covered_before"], "planning.layer.covered", THEME["blue"], 8),
            cells(lambda c: c["covered_after"] and not c["covered_before"],
                  "planning.layer.new", "#76ff03", 13),
            cells(lambda c: not c["covered_after"], "planning.layer.uncovered", THEME["red"], 8),
        ]
        gone = {s["id"] for s in plan["closed"]}
        for key, sites, color, symbol, size in (
                ("planning.layer.existing", [s for s in plan["existing"] if s["id"] not in gone],
                 THEME["text"], "square", 11),
                ("planning.layer.closed", plan["closed"], THEME["orange"], "x", 14),
                ("planning.layer.proposed", plan["sites"], THEME["yellow"], "star", 20)):
            layers.append(PointLayer(key, [s["lat"] for s in sites], [s["lon"] for s in sites],
                                     [s["name_en"] if lang == "en" else s["name_zh"]
                                      for s in sites], color, symbol, size))
    fig = map_figure(road_lat=road_lat, road_lon=road_lon, bbox=bbox, layers=layers, lang=lang)
    fig.update_layout(uirevision="planning")
    return scale_map(fig, scale)


def drill_href(plan: Mapping, lang: str, *, units_per_site: int = 1) -> str | None:
    """The drills page with the proposal as its variant (``/drills?variant=...``), or
    None where the simulator cannot play it (new depots)."""
    from command.app.planning import drill_variant

    cap = plan["capability"]
    label = t(f"cap.{cap}", lang) if not cap.startswith("depot") else cap
    variant = drill_variant(plan, units_per_site=units_per_site,
                            name=t("planning.variant_name", lang, capability=label,
                                   p=plan["p"]))
    if variant is None:
        return None
    suffix = "&lang=en" if lang == "en" else ""
    return f"/drills?variant={variant_query(variant)}{suffix}"
