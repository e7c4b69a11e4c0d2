"""The command screen's plain functions, without a browser."""

from __future__ import annotations

import numpy as np
import pytest

from command import store
from command.i18n import t
from dashboard.context import ScreenContext, lang_from_search


@pytest.fixture
def ctx(ezhou_store, ezhou_network, ezhou_dataset):
    settings, engine = ezhou_store
    return ScreenContext(settings=settings, network=ezhou_network, dataset=ezhou_dataset,
                         engine=engine)


@pytest.fixture
def screen(ctx):
    """The page module, imported the way Dash does once an app exists."""
    import sys

    from dashboard.app import create_app

    create_app(ctx.settings, ctx=ctx)
    return next(m for name, m in sys.modules.items() if name.endswith("pages.screen"))


def test_base_figure_has_one_road_trace_and_fixed_slots(ctx, screen):
    fig = screen.base_figure(ctx, "zh")
    roads_trace = fig.data[1]
    assert roads_trace.name == "道路"
    lat = np.asarray(roads_trace.y, dtype=float)
    assert np.isnan(lat).sum() >= ctx.network.n_edges // 2  # one NaN between segments
    assert fig.data[screen._T_ROUTES].name == t("layer.routes", "zh")
    assert fig.data[screen._T_PICKED].name == t("layer.picked", "zh")
    assert fig.data[screen._T_INCIDENT].name == t("layer.incident", "zh")
    names = [d.name for d in fig.data]
    for key in screen.LAYER_KEYS:
        assert t(key, "zh") in names
    en = screen.base_figure(ctx, "en")
    assert en.data[1].name == "Roads"


def test_click_gives_rounded_coordinates(screen):
    assert screen.picked_from_click({"points": [{"x": 114.8912345, "y": 30.3912345}]}) == \
        (30.39123, 114.89123)
    assert screen.picked_from_click(None) is None
    assert screen.picked_from_click({"points": []}) is None


def test_create_incident_records_it_and_lists_units_by_eta(ctx, screen):
    view = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 2, "zh")
    assert "error" not in view, view
    etas = [r["eta_min"] for r in view["rows"]]
    assert etas and etas == sorted(etas)
    assert any(r["routed"] for r in view["rows"])
    assert view["incident_id"] in view["summary"]
    assert len(view["route_lat"]) == len(view["route_lon"]) > 2
    with store.session_scope(ctx.engine) as s:
        incidents = store.list_incidents(s)
        assert [i.incident_id for i in incidents] == [view["incident_id"]]
        plans = store.list_plans(s, incident_id=view["incident_id"])
        assert len(plans) == 1 and plans[0].status == "proposed"
        planned = {a["unit_id"] for a in plans[0].payload["assignments"]}
    assert planned == {r["unit_id"] for r in view["rows"] if r["routed"]}


def test_bad_form_input_is_a_clear_message_and_writes_nothing(ctx, screen):
    view = screen.recommendation_view(ctx, "abc", 114.89, "fire", 2, "zh")
    assert view == {"error": "请输入有效的纬度"}
    view = screen.recommendation_view(ctx, 31.5, 114.89, "fire", 2, "en")
    assert view["error"].startswith("That place is too far from any road")
    with store.session_scope(ctx.engine) as s:
        assert store.list_incidents(s) == []


def test_table_renders_in_the_chosen_language(ctx, screen):
    view = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 2, "en")
    html = str(screen.table(view["rows"], "en"))
    assert "ETA" in html and "min" in html


def test_shell_texts_and_language_from_query():
    assert lang_from_search("?lang=en") == "en"
    assert lang_from_search("") == "zh"
    assert lang_from_search("?lang=fr") == "zh"
