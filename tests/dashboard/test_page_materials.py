"""The material reserves page's views and plain functions, without a browser."""

from __future__ import annotations

import time

import numpy as np
import pytest

from command import store
from command.app.situations import materials_from_store
from command.i18n import t
from command.model import Incident
from dashboard.jobs import Jobs
from dashboard.views import materials as views


@pytest.fixture
def page(page_of):
    return page_of("materials")


def _incident(engine, type_, lat, lon, grade=4, priority=2, drill=False) -> str:
    with store.session_scope(engine) as s:
        return store.create_incident(s, Incident("", type_, lat, lon, priority, grade),
                                     actor="test", is_drill=drill)


@pytest.fixture
def plan(ctx):
    """Two live incidents (a grade-2 hazmat leak and a flood) and a drill, solved."""
    _incident(ctx.engine, "hazmat_leak", 30.39, 114.89, grade=2, priority=1)
    _incident(ctx.engine, "flood", 30.36, 114.87, grade=2, priority=2)
    _incident(ctx.engine, "fire", 30.52, 114.64, drill=True)
    return materials_from_store(ctx.engine, ctx.network, ctx.dataset, ctx.settings)


def _bubbles(fig):
    return next(d for d in fig.data if d.name == t("pages.mat.layer_stock", "zh"))


def test_bubble_sizes_are_the_data_sets_stock_weights(ctx, ezhou_dataset):
    lat, lon = ctx.road_lines
    fig = views.materials_map(road_lat=lat, road_lon=lon, bbox=ctx.bbox, dataset=ezhou_dataset,
                              plan=None)
    kg = {r.item_id: r.kg_per_unit for r in ezhou_dataset.item_loads}
    expected = {d.depot_id: 0.0 for d in ezhou_dataset.depots}
    for s in ezhou_dataset.stocks:
        expected[s.depot_id] += s.quantity * kg[s.item_id]
    bubbles = _bubbles(fig)
    assert list(bubbles.customdata) == [d.depot_id for d in ezhou_dataset.depots]
    assert list(bubbles.marker.size) == pytest.approx([expected[d] for d in bubbles.customdata])
    assert bubbles.marker.sizemode == "area"
    # the biggest depot is drawn BUBBLE_MAX_PX wide: plotly's area rule 2*max/sizeref = px^2
    assert (2 * max(bubbles.marker.size) / bubbles.marker.sizeref) ** 0.5 == \
        pytest.approx(views.BUBBLE_MAX_PX)
    # the hover lists the items of the depot with their quantities
    d01 = [s for s in ezhou_dataset.stocks if s.depot_id == "D01" and s.quantity > 0]
    tent = next(s for s in d01 if s.item_id == "tent")
    assert f"救灾帐篷 {tent.quantity:,.0f} 顶" in bubbles.text[0]
    assert bubbles.text[0].count("<br>") == len(d01) + 1
    # by number of items held
    by_lines = _bubbles(views.materials_map(road_lat=lat, road_lon=lon, bbox=ctx.bbox,
                                            dataset=ezhou_dataset, plan=None, size_by="lines"))
    assert list(by_lines.marker.size)[0] == len(d01)


def test_route_traces_follow_the_delivery_paths(ctx, plan, ezhou_dataset):
    lat, lon = ctx.road_lines
    fig = views.materials_map(road_lat=lat, road_lon=lon, bbox=ctx.bbox, dataset=ezhou_dataset,
                              plan=plan, lang="en")
    depots = [d.depot_id for d in ezhou_dataset.depots]
    routes = {d["depot_id"]: d["routes"] for d in plan["deliveries"]["depots"]}
    assert routes, "the plan ships something"
    for k, depot in enumerate(depots):
        trace = fig.data[2 + k]  # click grid, roads, then one slot per depot
        want_lat: list = []
        for r in routes.get(depot, []):
            want_lat += [p[0] for p in r["path"]] + [None]
        assert list(trace.y) == want_lat[:-1]
        if routes.get(depot):
            assert trace.name.startswith(ezhou_dataset.depots[k].name_en)
            assert "Hazmat leak" in trace.name or "Flood" in trace.name
    stars = fig.data[-1]
    assert stars.name == "Incident" and len(stars.x) == 2  # the drill is not on the map


def test_plan_rows_shortages_and_stock_table(plan, ezhou_dataset):
    rows = views.plan_rows(plan, ezhou_dataset, "zh")
    shipped = sum(s["quantity"] for s in plan["materials"]["shipments"])
    assert len(rows) == len({(s["point_id"], s["depot_id"])
                             for s in plan["materials"]["shipments"]})
    leak = plan["situation"]["incidents"][0]["id"]
    assert rows[0]["point_id"] == leak  # priority 1 first
    assert rows[0]["incident"].startswith("危化品泄漏")
    assert all(r["arrival_min"] is not None and r["arrival_min"] > 0 for r in rows)
    # the table of all depots: stock minus what the plan ships is what remains
    table = views.stock_rows(ezhou_dataset, plan, None, "zh")
    assert sum(r["shipped"] for r in table) == pytest.approx(shipped)
    for r in table:
        assert r["remaining"] == pytest.approx(r["stock"] - r["shipped"])
    total_tents = sum(s.quantity for s in ezhou_dataset.stocks if s.item_id == "tent")
    assert next(r for r in table if r["item_id"] == "tent")["stock"] == total_tents
    one = views.stock_rows(ezhou_dataset, plan, "D01", "en")
    assert {r["item_id"] for r in one} == {s.item_id for s in ezhou_dataset.stocks
                                          if s.depot_id == "D01" and s.quantity > 0}
    short = views.shortage_rows(plan, ezhou_dataset, "en")
    assert [s["item_id"] for s in short] == [s["item_id"] for s in plan["materials"]["shortages"]]
    for s in short:
        assert s["unmet"] > 0
    kpis = views.materials_kpis(plan)
    assert kpis["incidents"] == 2 and kpis["short"] == len(short)
    assert kpis["trucks"] == sum(len(d["routes"]) for d in plan["deliveries"]["depots"])


def test_a_large_demand_shows_a_shortage(ctx, ezhou_dataset):
    # a grade-1 flood asks for more sandbags than a single district holds; with four of
    # them the city's stock is exceeded somewhere
    for k in range(4):
        _incident(ctx.engine, "flood", 30.36 + 0.01 * k, 114.87, grade=1, priority=1)
    plan = materials_from_store(ctx.engine, ctx.network, ctx.dataset, ctx.settings,
                                time_limit_s=1.0)
    need: dict[str, float] = {}
    for item, (q, _dl) in ezhou_dataset.material_package("flood", 1).items():
        need[item] = 4 * q
    stock: dict[str, float] = {}
    for s in ezhou_dataset.stocks:
        stock[s.item_id] = stock.get(s.item_id, 0.0) + s.quantity
    over = {i for i, q in need.items() if q > stock.get(i, 0.0)}
    assert over == {"pump", "boat"}  # 128 pumps for 100 held, 64 boats for 60
    short = {s["item_id"] for s in views.shortage_rows(plan, ezhou_dataset, "zh")}
    assert over <= short


def test_poll_solves_in_the_background_once_per_change(ctx, page):
    jobs = Jobs()
    plan, status, cls = page.poll(ctx, jobs, None, "zh")
    deadline = time.monotonic() + 30
    while plan is None and time.monotonic() < deadline:
        time.sleep(0.1)
        plan, status, cls = page.poll(ctx, jobs, None, "zh")
    assert plan is not None and status == t("pages.mat.no_incident", "zh") and cls == "summary"
    # the page has this change already: nothing new is sent
    assert page.poll(ctx, jobs, plan["change_id"], "zh")[0] is None
    incident = _incident(ctx.engine, "hazmat_leak", 30.39, 114.89, grade=2, priority=1)
    new, status, cls = page.poll(ctx, jobs, plan["change_id"], "en")
    assert new is None and cls == "summary busy" and status == t("pages.mat.solving", "en")
    while new is None and time.monotonic() < deadline:
        time.sleep(0.1)
        new, status, cls = page.poll(ctx, jobs, plan["change_id"], "en")
    assert new["change_id"] > plan["change_id"]
    assert [i["id"] for i in new["situation"]["incidents"]] == [incident]
    assert status.startswith(f"Plan for store change {new['change_id']}")


def test_poll_reports_an_off_network_incident(ctx, page):
    _incident(ctx.engine, "fire", 31.5, 116.5)
    jobs = Jobs()
    deadline = time.monotonic() + 30
    while True:
        plan, status, cls = page.poll(ctx, jobs, None, "zh")
        if cls != "summary busy" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert plan is None and cls == "summary error"
    assert status.startswith("计算失败") and "off the road network" in status


def test_tables_render_with_texts_of_the_language(ctx, page, plan, ezhou_dataset):
    rows = views.plan_rows(plan, ezhou_dataset, "en")
    html_table = page.plan_table(rows, "en")[0]
    head = [th.children for th in html_table.children[0].children.children]
    assert head == ["Incident", "Depot", "Items", "Arrival"]
    cards = page.kpi_cards(views.materials_kpis(plan), "zh")
    assert [c.children[1].children for c in cards] == [
        t(f"pages.mat.kpi_{k}", "zh") for k in ("incidents", "shipments", "depots", "trucks",
                                                 "short")]
    patch = page.map_patch(ctx, plan, "weight", "zh")
    ops = patch.to_plotly_json()["operations"]
    traces = [op["location"][1] for op in ops if op["location"][0] == "data"]
    assert min(traces) == 2  # the roads are never resent
    assert np.isfinite(plan["seconds"])


def test_a_wall_of_2160_lines_doubles_fonts_and_markers(ctx, page, plan):
    small = page.map_of(ctx, plan, "weight", "zh", 1.0)
    big = page.map_of(ctx, plan, "weight", "zh", 2.0)
    assert big.layout.font.size == 2 * small.layout.font.size == 32
    assert _bubbles(big).marker.sizeref == pytest.approx(_bubbles(small).marker.sizeref / 4)
    assert big.data[-1].marker.size == 2 * small.data[-1].marker.size
    patch = page.map_patch(ctx, plan, "weight", "zh", 2.0).to_plotly_json()["operations"]
    assert {"location": ["layout", "font", "size"], "operation": "Assign",
            "params": {"value": 32}} in patch


def test_a_click_on_a_bubble_picks_its_depot(page, ezhou_dataset):
    ids = {d.depot_id for d in ezhou_dataset.depots}
    click = {"points": [{"x": 114.9, "y": 30.4, "curveNumber": 0},
                        {"x": 114.94, "y": 30.38, "customdata": "D01"}]}
    assert page.depot_from_click(click, ids) == "D01"
    assert page.depot_from_click({"points": [{"x": 1, "y": 2}]}, ids) is None
    assert page.depot_from_click(None, ids) is None
