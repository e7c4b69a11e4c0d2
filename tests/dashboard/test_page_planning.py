"""The siting page's plain functions and views, and the hand-over to the drills page,
without a browser."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from command.i18n import t
from dashboard.views import drills as drill_views
from dashboard.views import planning as views

FORM = {"problem": "mclp", "capability": "engine", "mode": "add", "p": 2, "radius_min": None,
        "units": 1, "hour_day": 18, "hour_night": 3, "risk": False}


@pytest.fixture
def page(page_of):
    return page_of("planning")


@pytest.fixture
def plans(ctx, page):
    plans, status, cls = page.run(ctx, FORM, "zh")
    assert cls == "summary" and status.startswith(t("planning.optimal", "zh"))
    return plans


@pytest.mark.parametrize("field, value, message", [
    ("p", 0, "站点数 p无效：0"), ("p", "2.5", "站点数 p无效：2.5"), ("p", None, "站点数 p无效："),
    ("capability", "spaceship", "力量或储备无效：spaceship"),
    ("radius_min", 0, "覆盖标准（分钟，空为默认）无效：0.0"),
    ("radius_min", -3, "覆盖标准（分钟，空为默认）无效：-3.0"),
    ("hour_day", 24, "白天时刻无效：24"), ("problem", "x", "问题无效：x"),
])
def test_bad_form_input_names_the_field_and_value(ctx, page, field, value, message):
    plans, status, cls = page.run(ctx, {**FORM, field: value}, "zh")
    assert plans is None and cls == "summary error" and status == message


def test_p_above_the_candidates_is_refused_by_the_core(ctx, page):
    plans, status, cls = page.run(ctx, {**FORM, "mode": "relocate", "p": 20}, "en")
    assert plans is None and cls == "summary error"
    assert "field 'p' (value 20)" in status


def test_two_engine_sites_by_day_and_night(plans):
    day, night = plans
    assert (day["hour"], night["hour"]) == (18, 3) and len(day["sites"]) == 2
    rows = views.cover_rows(plans, "en")
    assert [r["layout"] for r in rows] == ["Today", "Proposal"] * 2
    assert rows[0]["share"] == day["before"]["covered_share"]
    assert rows[1]["share"] == day["after"]["covered_share"] > rows[0]["share"]
    assert rows[1]["new"] == len(day["newly_covered"]) > 0 and rows[0]["new"] is None
    assert views.night_note(plans, "en") == t("planning.night_same", "en")
    sites = views.site_rows(day, "zh")
    assert [s["id"] for s in sites] == [s["id"] for s in day["sites"]]
    assert all(s["sign"] == "+" for s in sites)


def test_the_map_shows_demand_by_cover_and_the_sites(ctx, plans):
    day = plans[0]
    lat, lon = ctx.road_lines
    fig = views.plan_map(day, road_lat=lat, road_lon=lon, bbox=ctx.bbox, lang="zh")
    by_name = {tr.name: tr for tr in fig.data}
    new = by_name[t("planning.layer.new", "zh")]
    assert len(new.x) == len(day["newly_covered"])
    proposed = by_name[t("planning.layer.proposed", "zh")]
    assert list(proposed.x) == [s["lon"] for s in day["sites"]]
    assert len(by_name[t("planning.layer.existing", "zh")].x) == len(day["existing"])
    cells = (len(by_name[t("planning.layer.covered", "zh")].x) + len(new.x)
             + len(by_name[t("planning.layer.uncovered", "zh")].x))
    assert cells == len(day["demand"])
    empty = views.plan_map(None, road_lat=lat, road_lon=lon, bbox=ctx.bbox, lang="zh")
    assert t("planning.layer.proposed", "zh") not in {tr.name for tr in empty.data}


def test_try_in_a_drill_hands_the_proposal_to_the_drills_page(ctx, plans, page_of):
    day = plans[0]
    href = views.drill_href(day, "en", units_per_site=2)
    query = parse_qs(urlparse(href).query)
    assert urlparse(href).path == "/drills" and query["lang"] == ["en"]
    variant = drill_views.variant_from_query(query["variant"][0], ctx.dataset, "en")
    adds = [c for c in variant["changes"] if c["kind"] == "add_base"]
    assert [(c["lat"], c["lon"]) for c in adds] == [(s["lat"], s["lon"]) for s in day["sites"]]
    assert all(c["count"] == 2 for c in variant["changes"] if c["kind"] == "add_units")
    summary = drill_views.variant_summary(variant, ctx.dataset, "en")
    assert summary.count("new post") == 2
    assert f"2 more Fire engine at {day['sites'][0]['name_zh']}" in summary
    # the drills page opens with the baseline and the handed variant
    drills = page_of("drills")
    import flask

    from command.app.access import User
    with drills.app.server.test_request_context():
        flask.g.cc_user = User("p", "p", "planner")
        layout = drills.layout(lang="en", variant=query["variant"][0])
    store = _find(layout, "drill-variants")
    assert [v["name"] for v in store.data] == ["Baseline", variant["name"]]
    assert store.data[1]["changes"] == variant["changes"]


def test_a_forged_variant_is_refused_with_the_field(ctx):
    bad = drill_views.variant_query({"name": "x", "changes": [
        {"kind": "add_base", "base_id": "N1", "lat": 99, "lon": 114.9}]})
    with pytest.raises(ValueError, match="Invalid Latitude: 99.0"):
        drill_views.variant_from_query(bad, ctx.dataset, "en")
    clash = drill_views.variant_query({"name": "x", "changes": [
        {"kind": "add_base", "base_id": ctx.dataset.bases[0].base_id, "lat": 30.4,
         "lon": 114.9}]})
    with pytest.raises(ValueError, match=ctx.dataset.bases[0].base_id):
        drill_views.variant_from_query(clash, ctx.dataset, "en")
    with pytest.raises(ValueError):
        drill_views.variant_from_query("not base64 json", ctx.dataset, "en")


def test_paired_differences_of_a_run(ctx):
    result = {"variants": [{"name": "today", "kpis": {"coverage_fire": {"mean": 0.63,
                                                                       "ci95": [0.62, 0.64]}}},
                           {"name": "siting", "kpis": {"coverage_fire": {"mean": 0.69,
                                                                        "ci95": [0.68, 0.70]}}}],
              "comparisons": [{"variant": "siting", "baseline": "today", "kpi": "coverage_fire",
                               "difference": 0.06, "low": 0.05, "high": 0.07, "n": 5},
                              {"variant": "siting", "baseline": "today", "kpi": "calls",
                               "difference": 0.0, "low": 0.0, "high": 0.0, "n": 5}]}
    comparison = drill_views.comparison_of(result)
    rows = drill_views.difference_rows(comparison, "en")
    assert [r["kpi"] for r in rows] == [t("pages.drill.kpi.coverage_fire", "en")]
    assert rows[0]["cells"] == [{"variant": "siting", "difference": 0.06, "ci95": [0.05, 0.07],
                                 "significant": True}]


def _find(component, cid):
    if getattr(component, "id", None) == cid:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            found = _find(child, cid)
            if found is not None:
                return found
    return None
