"""Views of the drills page: variants and their changes, the run's definition, and the
comparison of a finished run as rows and figures (plain data; tested without a browser).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import plotly.graph_objects as go

from command.i18n import t
from command.model import Dataset
from dashboard.figures import THEME, map_figure
from dashboard.views._common import ROUTE_COLORS, name_of, scale_map

__all__ = ["CHANGE_KINDS", "DRILL_KPIS", "MAX_DAYS", "MAX_REPLICATIONS", "variant_summary",
           "parse_change", "add_variant", "add_change", "run_spec", "spec_key",
           "comparison_of", "comparison_rows", "difference_rows", "response_figure",
           "missed_map", "variant_from_query", "variant_query"]

MAX_DAYS, MAX_REPLICATIONS = 365, 200


#: What a variant may change, in the order of the form.
CHANGE_KINDS = ("remove_base", "add_units", "close_road", "move_depot")


def variant_summary(variant: Mapping, dataset: Dataset, lang: str) -> str:
    """'撤除 …；封闭 …' for a variant's changes (the baseline has none)."""
    bases = {b.base_id: b for b in dataset.bases}
    depots = {d.depot_id: d for d in dataset.depots}
    added: dict[str, str] = {}
    parts = []
    for c in variant.get("changes", []):
        kind = c["kind"]
        if kind == "add_units" and c["base_id"] in added:
            parts.append(t("pages.drill.desc.add_units", lang, base=added[c["base_id"]],
                           count=c["count"], capability=t("cap." + c["capability"], lang)))
        elif kind == "remove_base":
            parts.append(t("pages.drill.desc.remove_base", lang, base=name_of(bases[c["base_id"]], lang)))
        elif kind == "add_units":
            parts.append(t("pages.drill.desc.add_units", lang, base=name_of(bases[c["base_id"]], lang),
                           count=c["count"], capability=t("cap." + c["capability"], lang)))
        elif kind == "close_road":
            parts.append(t("pages.drill.desc.close_road", lang, road=c["road"]))
        elif kind == "move_depot":
            parts.append(t("pages.drill.desc.move_depot", lang,
                           depot=name_of(depots[c["depot_id"]], lang), lat=c["lat"], lon=c["lon"]))
        elif kind == "add_base":
            added[c["base_id"]] = c.get("name") or c["base_id"]
            parts.append(t("pages.drill.desc.add_base", lang, base=added[c["base_id"]],
                           lat=c["lat"], lon=c["lon"]))
        elif kind == "remove_units":
            parts.append(t("pages.drill.desc.remove_units", lang,
                           base=name_of(bases[c["base_id"]], lang),
                           capability=t("cap." + c["capability"], lang)))
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
        return {"kind": kind, "depot_id": fields["depot_id"], **_place(fields, bad)}
    raise bad("pages.drill.change", kind)


def _place(fields: Mapping, bad) -> dict:
    """``lat`` and ``lon`` of a form or query, within the region's box."""
    out = {}
    for key, label, lo, hi in (("lat", "screen.lat", 29.0, 31.5), ("lon", "screen.lon", 114.0, 116.0)):
        try:
            v = float(fields.get(key))
        except (TypeError, ValueError):
            raise bad(label, fields.get(key)) from None
        if not lo <= v <= hi:
            raise bad(label, v)
        out[key] = v
    return out


#: KPIs of an experiment the page shows, in order: (name in the result, unit key or "",
#: higher is better). Other KPIs of the result stay in the exported report.
DRILL_KPIS = (("share_within_standard", "", True), ("response_mean_min", "unit.min", False),
              ("response_p90_min", "unit.min", False), ("utilisation", "", False),
              ("waiting_calls", "", False), ("unmet_material", "", False),
              ("coverage_fire", "", True), ("coverage_ems", "", True))


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
    shown = {name for name, _, _ in DRILL_KPIS}
    differences = [{"variant": c["variant"], "kpi": c["kpi"], "difference": c["difference"],
                    "ci95": [c["low"], c["high"]]}
                   for c in result.get("comparisons", []) if c.get("kpi") in shown]
    return {"variants": [v["name"] for v in variants], "kpis": kpis,
            "differences": differences,
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


def difference_rows(comparison: Mapping, lang: str) -> list[dict]:
    """Rows of the paired differences (variant minus baseline, common random numbers):
    per KPI shown, each variant's difference with its 95% interval and whether the
    interval excludes zero (a real change)."""
    rows = []
    for name, unit_key, _higher in DRILL_KPIS:
        cells = [d for d in comparison.get("differences", []) if d["kpi"] == name]
        if not cells:
            continue
        rows.append({"kpi": t(f"pages.drill.kpi.{name}", lang),
                     "unit": t(unit_key, lang) if unit_key else "",
                     "cells": [{"variant": d["variant"], "difference": d["difference"],
                                "ci95": d["ci95"],
                                "significant": bool(d["ci95"][0] is not None and (
                                    d["ci95"][0] > 0 or d["ci95"][1] < 0))}
                               for d in cells]})
    return rows


def variant_query(variant: Mapping) -> str:
    """A variant as the drills page's ``?variant=`` value (URL-safe base64 of JSON), so
    another page (the siting page) can hand a proposal over."""
    import base64

    raw = json.dumps(variant, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def variant_from_query(text: str, dataset: Dataset, lang: str) -> dict:
    """The variant of a ``?variant=`` value, every change checked (kinds, stations,
    capabilities, counts, places); ``ValueError`` naming the field and value."""
    import base64

    from command.model import CAPABILITIES

    def bad(field_key: str, value) -> ValueError:
        return ValueError(t("pages.drill.bad_input", lang, field=t(field_key, lang),
                            value="" if value is None else value))

    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        name, changes = str(data["name"])[:80], list(data["changes"])
    except (ValueError, KeyError, TypeError):
        raise bad("pages.drill.variants", text[:40]) from None
    added = set()
    out = []
    bases = {b.base_id for b in dataset.bases}
    for c in changes[:100]:
        kind = c.get("kind") if isinstance(c, dict) else None
        if kind == "add_base":
            base_id = str(c.get("base_id") or "")
            if not base_id or base_id in bases or base_id in added:
                raise bad("pages.drill.base", base_id)
            place = _place(c, bad)
            added.add(base_id)
            out.append({"kind": kind, "base_id": base_id, "lat": place["lat"],
                        "lon": place["lon"], "name": str(c.get("name") or base_id)[:60]})
        elif kind == "remove_units":
            if c.get("base_id") not in bases:
                raise bad("pages.drill.base", c.get("base_id"))
            if c.get("capability") not in CAPABILITIES:
                raise bad("pages.drill.capability", c.get("capability"))
            out.append({"kind": kind, "base_id": c["base_id"], "capability": c["capability"]})
        elif kind == "add_units" and c.get("base_id") in added:
            # the capability and count rules of the form, for a post the variant adds
            checked = parse_change("add_units", {**c, "base_id": dataset.bases[0].base_id},
                                   dataset, lang)
            out.append({**checked, "base_id": c["base_id"]})
        elif kind in CHANGE_KINDS:
            out.append(parse_change(kind, c, dataset, lang))
        else:
            raise bad("pages.drill.change", kind)
    return {"name": name, "changes": out}


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


def add_variant(variants: list[dict], name: str | None, lang: str) -> list[dict]:
    """A new variant (named, or 变体N) at the end; it becomes the one being edited."""
    name = (name or "").strip() or t("pages.drill.default_name", lang, n=len(variants))
    if name in {v["name"] for v in variants}:
        name = f"{name} ({len(variants)})"
    return variants + [{"name": name, "changes": []}]


def add_change(variants: list[dict], change: dict) -> list[dict]:
    """``change`` added to the last variant (the baseline is never changed: without a
    variant, a new one is made)."""
    if len(variants) < 2:
        raise ValueError("no variant")
    last = variants[-1]
    return variants[:-1] + [{**last, "changes": last["changes"] + [change]}]


def run_spec(source, days, reps, seed, variants: list[dict], lang: str) -> dict:
    """The experiment to run, checked; ``ValueError`` with the planner's message."""
    def whole(value, key, lo, hi):
        try:
            v = int(value)
        except (TypeError, ValueError):
            raise ValueError(t("pages.drill.bad_input", lang, field=t(key, lang),
                               value="" if value is None else value)) from None
        if not lo <= v <= hi:
            raise ValueError(t("pages.drill.bad_input", lang, field=t(key, lang), value=v))
        return v
    if len(variants) < 2:
        raise ValueError(t("pages.drill.need_variant", lang))
    return {"source": source or "rates", "days": whole(days, "pages.drill.days", 1, MAX_DAYS),
            "replications": whole(reps, "pages.drill.replications", 1, MAX_REPLICATIONS),
            "seed": whole(seed, "pages.drill.seed", 0, 2**31 - 1), "variants": variants}


def spec_key(spec: dict) -> str:
    """The job key of an experiment: the same definition finds the same run."""
    return "drill:" + hashlib.sha256(json.dumps(spec, sort_keys=True,
                                                ensure_ascii=False).encode()).hexdigest()[:16]
