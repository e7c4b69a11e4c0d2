"""The drills page's plain functions and views, without a browser."""

from __future__ import annotations

import time

import pytest

from command.app.drills import run_drill, variant_kwargs
from command.i18n import t
from dashboard.jobs import Jobs
from dashboard.views import drills as views


@pytest.fixture
def page(page_of):
    return page_of("drills")


# A comparison a reader can check by eye: the variant without station B01 is slower.
RESULT = {
    "replications": 3, "days": 1, "seed": 7, "standards_min": {"fire": 5.0, "ems": 12.0},
    "variants": [
        {"name": "现状", "kpis": {"share_within_standard": {"mean": 0.8, "ci95": [0.7, 0.9]},
                                 "response_mean_min": {"mean": 6.0, "ci95": [5.5, 6.5]}},
         "response_min": [4.0, 5.0, 6.0, 9.0],
         "missed": [{"lat": 30.39, "lon": 114.89, "count": 2}]},
        {"name": "撤除B01", "kpis": {"share_within_standard": {"mean": 0.6, "ci95": [0.5, 0.7]},
                                   "response_mean_min": {"mean": 8.0, "ci95": [7.0, 9.0]}},
         "response_min": [5.0, 7.0, 9.0, 13.0],
         "missed": [{"lat": 30.39, "lon": 114.89, "count": 4},
                    {"lat": 30.52, "lon": 114.64, "count": 1}]},
    ],
}


def test_variants_are_built_from_checked_changes(page, ezhou_dataset):
    base = ezhou_dataset.bases[0]
    variants = [{"name": "现状", "changes": []}]
    with pytest.raises(ValueError):
        views.add_change(variants, {"kind": "close_road", "road": "G316"})  # never the baseline
    variants = views.add_variant(variants, "", "zh")
    assert variants[-1] == {"name": "变体1", "changes": []}
    change = views.parse_change("remove_base", {"base_id": base.base_id}, ezhou_dataset, "zh")
    variants = views.add_change(variants, change)
    variants = views.add_change(variants, views.parse_change(
        "add_units", {"base_id": base.base_id, "capability": "ambulance", "count": "2"},
        ezhou_dataset, "zh"))
    assert variants[1]["changes"][1] == {"kind": "add_units", "base_id": base.base_id,
                                         "capability": "ambulance", "count": 2}
    text = views.variant_summary(variants[1], ezhou_dataset, "zh")
    assert text == f"撤除 {base.name_zh}；{base.name_zh} 增加 2 个救护车"
    assert views.variant_summary(variants[0], ezhou_dataset, "en") == "(no change)"
    assert variant_kwargs(variants[1]) == {
        "name": "变体1", "remove_bases": [base.base_id],
        "add_units": [(base.base_id, "ambulance", 2)], "close_roads": [], "move_depots": []}


@pytest.mark.parametrize("kind, fields, field", [
    ("remove_base", {"base_id": "NOPE"}, "驻地"),
    ("add_units", {"base_id": "F01", "capability": "engine", "count": 0}, "数量"),
    ("add_units", {"base_id": "F01", "capability": "tank", "count": 1}, "力量类型"),
    ("close_road", {"road": "  "}, "道路名称或编号"),
    ("move_depot", {"depot_id": "D01", "lat": 35.0, "lon": 114.9}, "纬度"),
    ("move_depot", {"depot_id": "D99", "lat": 30.4, "lon": 114.9}, "储备库"),
])
def test_a_bad_change_names_the_field_and_value(kind, fields, field, ezhou_dataset):
    with pytest.raises(ValueError) as err:
        views.parse_change(kind, fields, ezhou_dataset, "zh")
    assert str(err.value).startswith(f"{field}无效")


def test_run_spec_checks_numbers_and_needs_a_variant(page):
    two = [{"name": "a", "changes": []}, {"name": "b", "changes": []}]
    spec = views.run_spec("rates", "2", 3, 0, two, "en")
    assert (spec["days"], spec["replications"], spec["seed"]) == (2, 3, 0)
    assert views.spec_key(spec) == views.spec_key(dict(spec)) != views.spec_key({**spec, "seed": 1})
    with pytest.raises(ValueError, match="Add at least one variant"):
        views.run_spec("rates", 1, 1, 0, two[:1], "en")
    with pytest.raises(ValueError, match="Invalid Replications: 0"):
        views.run_spec("rates", 1, 0, 0, two, "en")


def test_comparison_table_and_figures_carry_the_results_values(ctx, page):
    comparison = views.comparison_of(RESULT)
    assert comparison["variants"] == ["现状", "撤除B01"]
    rows = views.comparison_rows(comparison, "zh")
    assert [r["kpi"] for r in rows] == [t("pages.drill.kpi.share_within_standard", "zh"),
                                        t("pages.drill.kpi.response_mean_min", "zh")]
    assert rows[0]["best"] == 0 and rows[1]["best"] == 0  # higher share, lower time
    assert rows[1]["cells"][1] == {"mean": 8.0, "ci95": [7.0, 9.0]}
    fig = views.response_figure(comparison, "zh")
    assert [list(b.x) for b in fig.data] == [[4.0, 5.0, 6.0, 9.0], [5.0, 7.0, 9.0, 13.0]]
    assert sorted(s.x0 for s in fig.layout.shapes) == [5.0, 12.0]
    lat, lon = ctx.road_lines
    m = views.missed_map(road_lat=lat, road_lon=lon, bbox=ctx.bbox, comparison=comparison,
                         lang="zh")
    last = m.data[-1]
    assert last.name == "撤除B01" and list(last.marker.size) == [4, 1]
    table = page.compare_table(comparison, "en")
    assert [th.children for th in table.children[0].children.children] == \
        ["Indicator", "现状", "撤除B01"]


def test_progress_and_the_report_in_the_page_language(ctx, page, ezhou_dataset):
    jobs = Jobs()
    variants = views.add_change(views.add_variant([{"name": "现状", "changes": []}], "", "zh"),
                               {"kind": "remove_base", "base_id": ezhou_dataset.bases[0].base_id})
    spec = views.run_spec("rates", 1, 2, 1, variants, "zh")
    job = jobs.start(views.spec_key(spec), run_drill, ctx.network, ctx.dataset, ctx.settings,
                     spec, lang="en", with_progress=True)
    deadline = time.monotonic() + 120
    while job.state == "running" and time.monotonic() < deadline:
        width, text, cls, done = page.progress_view(job, "zh")
        assert cls == "summary busy" and not done
        time.sleep(0.2)
    width, text, cls, done = page.progress_view(job, "zh")
    assert job.state == "done", job.error
    assert width == "100%" and done
    assert set(job.result) == {"result", "html", "csv"}
    assert page.export(job.result, "csv")["filename"] == "drill-report.csv"
    # the HTML export speaks the page's language
    assert '<html lang="en">' in job.result["html"]
    assert t("sim.report.title", "en") in job.result["html"]
    assert t("sim.report.title", "zh") not in job.result["html"]
    assert page.progress_view(None, "en")[1] == t("pages.drill.idle", "en")


def test_the_page_says_it_is_a_drill_in_both_languages(ctx, page, request_as):
    for lang in ("zh", "en"):
        with request_as(page.app, "planner"):
            layout = page.layout(lang)
        banner = next(c for c in layout.children if getattr(c, "id", None) == "drill-banner")
        assert ("演练" if lang == "zh" else "DRILL") in banner.children
        assert banner.children == t("pages.drill.banner", lang)


def test_only_roles_that_may_run_a_drill_get_the_run_button(ctx, page, request_as):
    def has_run(role):
        with request_as(page.app, role):
            return "drill-run" in str(page.layout("zh"))
    assert has_run("planner") and has_run("commander")
    assert not has_run("admin")  # sees the page, may not run the simulator
