"""The command screen's plain functions, without a browser, on the real Ezhou data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from command import store
from command.access import permissions_of
from command.app import incidents, scenarios
from command.app import screen as live
from command.i18n import t
from dashboard.context import lang_from_search
from dashboard.figures import LIVE_SLOTS
from dashboard.views.screen import elapsed_text, picked_from_click


@pytest.fixture(autouse=True, params=["16:00:20", "23:59:30"])
def clock(request):
    """The screen at 00:00:20 and 07:59:30 Beijing time, when Beijing's date is a day
    ahead of UTC's (the hours the share-within-standard KPI once lost every arrival).
    The clock ticks from there, so elapsed times still grow."""
    import time_machine

    hh, mm, ss = map(int, request.param.split(":"))
    with time_machine.travel(datetime(2026, 12, 3, hh, mm, ss, tzinfo=UTC), tick=True):
        yield


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
    assert len(fig.data) == 2 + len(screen.LAYER_KEYS) + len(LIVE_SLOTS)
    assert fig.data[screen.SLOTS["routes"]].name == t("layer.routes", "zh")
    assert fig.data[screen.SLOTS["closed"]].name == "封闭道路"
    assert fig.data[screen.SLOTS["incidents.1"]].name == "1级事件"
    assert fig.data[screen.SLOTS["units.on_scene"]].name == "力量：到场"
    names = [d.name for d in fig.data]
    for key in screen.LAYER_KEYS:
        assert t(key, "zh") in names
    en = screen.base_figure(ctx, "en")
    assert en.data[1].name == "Roads"
    assert en.data[screen.SLOTS["incidents.2"]].name == "Priority 2 incidents"


def test_click_gives_rounded_coordinates():
    assert picked_from_click({"points": [{"x": 114.8912345, "y": 30.3912345}]}) == \
        (30.39123, 114.89123)
    assert picked_from_click(None) is None
    assert picked_from_click({"points": []}) is None


def test_create_incident_records_it_and_lists_units_by_eta(ctx, screen):
    view = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 2, "zh", "王伟")
    assert "error" not in view, view  # (the acting user's name, from the session)
    etas = [r["eta_min"] for r in view["rows"]]
    assert etas and etas == sorted(etas)
    assert view["incident_id"] in view["summary"]
    with store.session_scope(ctx.engine) as s:
        incidents = store.list_incidents(s)
        assert [i.incident_id for i in incidents] == [view["incident_id"]]
        assert incidents[0].created_by == "王伟"
        plans = store.list_plans(s, incident_id=view["incident_id"])
        assert len(plans) == 1 and plans[0].status == "proposed"
        assert plans[0].plan_id == view["plan_id"]
        planned = {a["unit_id"] for a in plans[0].payload["assignments"]}
    assert planned == {r["unit_id"] for r in view["rows"] if r["routed"]}


def test_bad_form_input_is_a_clear_message_and_writes_nothing(ctx, screen):
    view = screen.recommendation_view(ctx, "abc", 114.89, "fire", 2, "zh", "t")
    assert view == {"error": "请输入有效的纬度"}
    view = screen.recommendation_view(ctx, 31.5, 114.89, "fire", 2, "en", "t")
    assert view == {"error": "Latitude must be between 29.962 and 30.642 (the city's road "
                             "network), not 31.5"}
    view = screen.recommendation_view(ctx, 30.39, 214.89, "fire", 2, "zh", "t")
    assert view == {"error": "经度须在 114.479 至 115.181 之间（本市路网范围），输入的是 214.89"}
    # inside the city's extent but 18 km from a road: the real distance, never "nan"
    view = screen.recommendation_view(ctx, 30.089, 115.15, "fire", 2, "en", "t")
    m = re.fullmatch(r"That place is too far from any road \((\d+) m\); pick a place near "
                     r"the network", view["error"])
    assert m and 17_000 < int(m.group(1)) < 20_000, view
    for bad in (float("nan"), "nan", float("inf"), None, ""):
        for lang in ("zh", "en"):
            msg = screen.recommendation_view(ctx, bad, 114.89, "fire", 2, lang, "t")["error"]
            assert "nan" not in msg.lower() and msg == t("error.bad_number", lang,
                                                       field=t("screen.lat", lang))
    with store.session_scope(ctx.engine) as s:
        assert store.list_incidents(s) == []


def test_empty_store_view(ctx, screen):
    v = screen.update_view(ctx, "zh", None)
    kpis = {k["key"]: k for k in v["kpis"]}
    assert kpis["available"]["value"] == str(len(ctx.dataset.teams)) == "159"
    assert kpis["open"]["value"] == "0"
    assert kpis["standard"]["value"] == "—"  # nothing decided today
    assert kpis["unmet"]["value"] == "—"  # unknown until the materials page computes it
    assert v["incidents"] == [] and v["active"] == [] and v["plan"] is None
    assert sum(sum(r["counts"].values()) for r in v["board"]) == 159
    assert v["ticker"][0].endswith("载入基础数据")
    assert all(v["traces"][f"incidents.{p}"]["x"] == [] for p in (1, 2, 3, 4))


def test_the_workflow_shows_on_the_screen(ctx, screen):
    """Create, see the plan, approve, advance a unit: every panel follows the store."""
    rec = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 1, "zh", "王伟")
    v = screen.update_view(ctx, "zh", None)
    assert v["selected"] == rec["incident_id"]
    assert [r["incident_id"] for r in v["incidents"]] == [rec["incident_id"]]
    assert v["incidents"][0]["plan"] == "待批准"
    plan = v["plan"]
    assert plan["proposed"] and plan["plan_id"] == rec["plan_id"]
    assert [r["unit_id"] for r in plan["rows"]] == [r["unit_id"] for r in rec["rows"] if r["routed"]]
    assert plan["rows"][0]["eta"].endswith("分钟") and plan["rows"][0]["reason"]
    # a capable alternative for the first engine, not already in the plan
    alt = plan["rows"][0]["swaps"]
    assert alt and alt[0]["value"] not in {r["unit_id"] for r in plan["rows"]}
    assert v["traces"]["incidents.1"]["x"] == [114.89]
    assert v["traces"]["selected"]["y"] == [30.39]

    msg = screen.act(ctx, "approve", str(rec["plan_id"]), "王伟", {}, "zh")
    assert msg == f"已记录：批准 {rec['plan_id']}"
    v = screen.update_view(ctx, "zh", rec["incident_id"])
    planned = [r["unit_id"] for r in plan["rows"]]
    assert sorted(r["unit_id"] for r in v["active"]) == sorted(planned)
    assert {r["status_text"] for r in v["active"]} == {"已调派"}
    kpis = {k["key"]: k["value"] for k in v["kpis"]}
    assert kpis["available"] == str(159 - len(planned))
    assert len(v["traces"]["units.dispatched"]["x"]) == len(planned)
    assert v["traces"]["routes"]["x"].count(None) == len(planned)  # one route per unit
    assert v["ticker"][0].split(" ", 1)[1] == f"王伟 批准方案 {rec['plan_id']}"
    assert v["plan"]["proposed"] is False and v["plan"]["head"].endswith("已批准")

    screen.act(ctx, "advance", planned[0], "王伟", {}, "zh")
    screen.act(ctx, "advance", planned[0], "王伟", {}, "zh")  # en route -> on scene
    v = screen.update_view(ctx, "zh", None)
    status = {r["unit_id"]: r["status"] for r in v["active"]}
    assert status[planned[0]] == "on_scene"
    assert v["traces"]["units.on_scene"]["x"] == [114.89]  # on scene: at the incident
    # arrived within a minute of creation: within the 5-minute fire standard
    kpis = {k["key"]: k for k in v["kpis"]}
    assert kpis["standard"]["value"] == "100%" and kpis["standard"]["detail"] == "1/1 起"
    with store.session_scope(ctx.engine) as s:
        audit = store.list_audit(s, limit=3)
    assert [(e.actor, e.action) for e in audit][:2] == [("王伟", "unit.status")] * 2


def test_modify_swaps_a_capable_unit_and_reject_changes_none(ctx, screen):
    rec = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 2, "en", "li")
    v = screen.update_view(ctx, "en", rec["incident_id"])
    first = v["plan"]["rows"][0]
    new = first["swaps"][0]["value"]
    cand = incidents.swap_candidates(ctx.engine, ctx.network, ctx.dataset, rec["plan_id"])
    assert cand[first["unit_id"]][0]["unit_id"] == new
    assert [c["eta_s"] for c in cand[first["unit_id"]]] == \
        sorted(c["eta_s"] for c in cand[first["unit_id"]])
    msg = screen.act(ctx, "modify", str(rec["plan_id"]), "li", {first["unit_id"]: new}, "en")
    assert msg.startswith("Recorded: Approve with swaps")
    with store.session_scope(ctx.engine) as s:
        plan = store.get_plan(s, rec["plan_id"])
        swapped = next(a for a in plan.assignments if a["unit_id"] == new)
        assert plan.status == "modified" and swapped["replaced_unit_id"] == first["unit_id"]
        assert swapped["eta_s"] == cand[first["unit_id"]][0]["eta_s"] > 0
        assert swapped["reason_en"].startswith(f"Swapped in for {first['unit_id']}")
        assert store.get_unit(s, new).status == "dispatched"
        assert store.get_unit(s, first["unit_id"]).status == "available"
    rec2 = screen.recommendation_view(ctx, 30.40, 114.85, "medical", 3, "en", "li")
    assert screen.act(ctx, "reject", str(rec2["plan_id"]), "li", {}, "en").startswith("Recorded")
    with store.session_scope(ctx.engine) as s:
        assert store.get_plan(s, rec2["plan_id"]).status == "rejected"
        assert all(store.get_unit(s, r["unit_id"]).status == "available"
                   for r in rec2["rows"] if r["routed"])
    # deciding twice is refused with a translated reason and what to do
    again = screen.act(ctx, "approve", str(rec2["plan_id"]), "li", {}, "en")
    assert again == (f"Not done: Plan {rec2['plan_id']} was decided already by li "
                     "(Rejected): nothing to approve")


def test_a_swap_without_a_known_eta_says_so_without_nan(ctx, screen):
    rec = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 2, "en", "li")
    first = next(r for r in rec["rows"] if r["routed"])
    spare = next(r["unit_id"] for r in rec["rows"] if not r["routed"])
    plan = incidents.decide(ctx.engine, rec["plan_id"], "modify", "li",
                            swaps={first["unit_id"]: spare})  # a bare unit id: no ETA
    swapped = next(a for a in plan.assignments if a["unit_id"] == spare)
    assert swapped["reason_en"] == f"Swapped in for {first['unit_id']} by the duty officer"
    assert "nan" not in swapped["reason_zh"] + swapped["reason_en"]


def test_drill_incidents_never_show(ctx, screen):
    incidents.create_and_recommend(ctx.engine, ctx.network, ctx.dataset, incident_type="fire",
                                   lat=30.39, lon=114.89, actor="planner", limit=5,
                                   max_snap_distance_m=2000, is_drill=True)
    v = screen.update_view(ctx, "zh", None)
    assert v["incidents"] == [] and v["plan"] is None
    assert not any("D-" in line for line in v["ticker"])
    assert all(v["traces"][f"incidents.{p}"]["x"] == [] for p in (1, 2, 3, 4))


def test_share_within_standard_counts_late_and_missing_arrivals(ctx, screen):
    ids = []
    for lon in (114.89, 114.87):
        rec = screen.recommendation_view(ctx, 30.39, lon, "fire", 2, "zh", "t")
        screen.act(ctx, "approve", str(rec["plan_id"]), "t", {}, "zh")
        ids.append(rec["incident_id"])
    snap = live.live_snapshot(ctx.engine)
    assert live.share_within_standard(snap, ctx.settings) == live.StandardShare(0, 0, 2)
    later = snap.now + timedelta(minutes=6)  # past the 5-minute fire standard, nobody there
    snap = live.live_snapshot(ctx.engine, now=later)
    share = live.share_within_standard(snap, ctx.settings)
    assert (share.within, share.missed, share.share) == (0, 2, 0.0)
    # one of them arrives now: within (a few seconds after creation)
    incidents.advance_incident(ctx.engine, ids[0], "t")
    incidents.advance_incident(ctx.engine, ids[0], "t")
    share = live.share_within_standard(live.live_snapshot(ctx.engine, now=later),
                                          ctx.settings)
    assert (share.within, share.missed) == (1, 1) and share.share == 0.5


def test_elapsed_text():
    assert elapsed_text(65) == "01:05"
    assert elapsed_text(3 * 3600 + 61) == "3:01:01"
    assert elapsed_text(-5) == "00:00"


def test_render_in_the_chosen_language(ctx, screen):
    rec = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 2, "en", "li")
    out = screen.screen_update(ctx, "en", rec["incident_id"],
                               perms=permissions_of("duty_officer"))
    kpis, incidents, board, active, plan, ticker, change_id, selected, elapsed, data = out
    assert selected == rec["incident_id"] and elapsed[selected] > 0
    text = str(plan)
    assert "ETA" in text and "Approve" in text and "Reject" in text
    assert "Units available" in str(kpis)
    assert change_id > 0
    assert set(data) == {screen.SLOTS[s] for s in LIVE_SLOTS if s != "picked"}
    # a planner sees the same plan without the buttons to decide it
    planner = screen.screen_update(ctx, "en", rec["incident_id"], perms=permissions_of("planner"))
    assert "ETA" in str(planner[4]) and "Approve" not in str(planner[4])
    assert "act-decide" not in str(planner[4]) and "act-unit" not in str(planner[1])
    # units have English names on the English screen, the same as the recommendation's
    v = screen.update_view(ctx, "en", rec["incident_id"])
    routed = [r["name"] for r in rec["rows"] if r["routed"]]
    assert [r["name"] for r in v["plan"]["rows"]] == routed
    assert not any(re.search(r"[\u4e00-\u9fff]", n) for n in routed)
    screen.act(ctx, "approve", str(rec["plan_id"]), "li", {}, "en")
    v = screen.update_view(ctx, "en", rec["incident_id"])
    assert sorted(r["label"] for r in v["active"]) == sorted(routed)


def test_shell_texts_and_language_from_query():
    assert lang_from_search("?lang=en") == "en"
    assert lang_from_search("") == "zh"
    assert lang_from_search("?lang=fr") == "zh"


def test_navigation_lists_every_registered_page(ctx, screen):
    import dash

    from dashboard.app import shell_texts

    *_, links = shell_texts("en", "/", role="admin")
    texts = [link.children for link in links]
    assert texts[0] == "Command screen"
    from command.access import allowed, page_permission

    for page in dash.page_registry.values():  # the administrator's pages, and only those
        may = allowed("admin", page_permission(page["relative_path"]))
        assert (t(page["name_key"], "en") in texts) == may, page["relative_path"]
    # each role sees only its pages: the wall the two screens, a planner no user admin
    *_, wall = shell_texts("en", "/", role="wall")
    assert [link.children for link in wall] == ["Command screen", "Decision screen"]
    *_, planner = shell_texts("en", "/", role="planner")
    assert "Drills" in [x.children for x in planner] and "Users" not in [x.children
                                                                          for x in planner]


def test_a_scenario_brings_zones_closures_and_incidents(ctx, screen):
    assert "chlorine-gedian" in [o["value"] for o in screen.scenario_options(ctx)]
    msg = screen.scenario_action(ctx, "load", "chlorine-gedian", "王伟", "zh")
    assert msg == "已记录：加载 chlorine-gedian"
    assert scenarios.active_scenario(ctx.engine) == "chlorine-gedian"
    v = screen.update_view(ctx, "zh", None)
    assert v["incidents"], "the scenario's incidents are open"
    zones = sum(len(v["traces"][f"zones.{g}"]["x"]) for g in ("red", "orange", "yellow"))
    assert zones > 10 and v["traces"]["zones.red"]["text"]
    assert v["traces"]["closed"]["x"].count(None) >= 1  # at least one closed road drawn
    assert v["ticker"][0].endswith("加载情景 chlorine-gedian")
    assert screen.scenario_action(ctx, "load", "no-such", "王伟", "en").startswith("Not done:")
    screen.scenario_action(ctx, "clear", None, "王伟", "zh")
    assert scenarios.active_scenario(ctx.engine) is None
    v = screen.update_view(ctx, "zh", None)
    assert v["traces"]["zones.red"]["x"] == [] and v["traces"]["closed"]["x"] == []


def _names(ctx, plan_id) -> set[str]:
    with store.session_scope(ctx.engine, read_only=True) as s:
        return {a["unit_id"] for a in store.get_plan(s, plan_id).assignments}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_incidents_at_one_place_get_plans_on_free_units(ctx, screen, lang):
    """Approving the first incident's plan re-proposes the second's (it named the same
    units); a plan whose units another plan took (approved from the command line) is
    re-proposed on approval, with a translated message that says what to do."""
    first = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 1, lang, "王伟")
    second = screen.recommendation_view(ctx, 30.39, 114.89, "fire", 1, lang, "王伟")
    taken = _names(ctx, first["plan_id"])
    assert taken == _names(ctx, second["plan_id"])  # both name the nearest units
    msg = screen.act(ctx, "approve", str(first["plan_id"]), "王伟", {}, lang)
    assert msg == {"zh": f"已记录：批准 {first['plan_id']}；另有 1 个方案因力量被占用已重新推荐",
                   "en": f"Recorded: Approve {first['plan_id']}; 1 other plan(s) named these "
                         "units and were proposed anew"}[lang]
    v = screen.update_view(ctx, lang, second["incident_id"])
    plan = v["plan"]
    assert plan["proposed"] and plan["plan_id"] != second["plan_id"]
    assert plan["rows"] and not ({r["unit_id"] for r in plan["rows"]} & taken)
    assert screen.act(ctx, "approve", str(plan["plan_id"]), "王伟", {}, lang) == \
        t("dashboard.done", lang, what=f"{t('dashboard.approve', lang)} {plan['plan_id']}")
    # a third and fourth at one place; the third approved outside the screen
    third = screen.recommendation_view(ctx, 30.40, 114.85, "medical", 2, lang, "王伟")
    fourth = screen.recommendation_view(ctx, 30.40, 114.85, "medical", 2, lang, "王伟")
    incidents.decide(ctx.engine, third["plan_id"], "approve", "cli")
    gone = sorted(_names(ctx, third["plan_id"]) & _names(ctx, fourth["plan_id"]))
    assert gone
    msg = screen.act(ctx, "approve", str(fourth["plan_id"]), "王伟", {}, lang)
    v = screen.update_view(ctx, lang, fourth["incident_id"])
    new = v["plan"]["plan_id"]
    assert new != fourth["plan_id"] and v["plan"]["proposed"]
    assert not (_names(ctx, new) & _names(ctx, third["plan_id"]))
    units = "、".join(gone)
    assert msg == {"zh": f"未能完成：方案 {fourth['plan_id']} 中的 {units} 已被其他方案调派；"
                         f"已重新推荐方案 {new}：请核对后批准",
                   "en": f"Not done: {units} of plan {fourth['plan_id']} were dispatched by "
                         f"another plan; new plan {new} proposed: check it, then approve"}[lang]
    with store.session_scope(ctx.engine, read_only=True) as s:
        old = store.get_plan(s, fourth["plan_id"])
        assert old.status == "rejected" and store.get_plan(s, new).payload["replaces"] == \
            fourth["plan_id"]


def test_an_incident_without_a_plan_says_why_and_recommends_again(ctx, screen):
    rec = screen.recommendation_view(ctx, 30.39, 114.89, "medical", 2, "en", "王伟")
    screen.act(ctx, "reject", str(rec["plan_id"]), "王伟", {}, "en")
    perms = permissions_of("duty_officer")
    v = screen.update_view(ctx, "en", rec["incident_id"])
    assert v["plan"]["why"] == t("dashboard.noplan.can_recommend", "en") and v["plan"]["again"]
    panel = str(screen.render_plan(v["plan"], "en", perms))
    assert "Recommend again" in panel and "'op': 'recommend'" in panel
    assert "Recommend again" not in str(screen.render_plan(v["plan"], "en",
                                                           permissions_of("wall")))
    msg = screen.act(ctx, "recommend", rec["incident_id"], "王伟", {}, "en")
    v = screen.update_view(ctx, "en", rec["incident_id"])
    assert msg == f"New plan {v['plan']['plan_id']} proposed: check it, then approve"
    assert v["plan"]["proposed"] and v["plan"]["why"] == "" and v["plan"]["rows"]
    # every capable unit out: the reason says so, in both languages
    with store.session_scope(ctx.engine) as s:
        caps = set(ctx.dataset.package("medical", 4))
        for u in store.list_units(s, status="available"):
            if u.capability in caps:
                store.set_unit_status(s, u.unit_id, "out_of_service", "t")
    screen.act(ctx, "reject", str(v["plan"]["plan_id"]), "王伟", {}, "zh")
    for lang in ("zh", "en"):
        v = screen.update_view(ctx, lang, rec["incident_id"])
        assert v["plan"]["why"] == t("dashboard.noplan.all_committed", lang)
    assert screen.act(ctx, "recommend", rec["incident_id"], "王伟", {}, "zh") == \
        "未能完成：" + t("dashboard.noplan.all_committed", "zh")
