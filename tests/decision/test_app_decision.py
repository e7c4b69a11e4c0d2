"""Decision use cases on a real store: create, join by code, vote (a re-vote replaces),
close with the result in the audit log, Delphi rounds, options from the system, sending a
decided plan for approval, and the refusals that write nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from command import store
from command.app import access, incidents
from command.app import decision as use
from command.decision.ahp import matrix_from_upper
from command.errors import DataError, StoreError

T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)
PASSWORD = "decision-test-pw-3"
PEOPLE = {"zhang": "commander", "li": "expert", "wang": "expert", "zhao": "staff"}


@pytest.fixture
def engine(ezhou_store, ezhou_dataset):
    _settings, eng = ezhou_store
    for name, role in PEOPLE.items():
        access.add_user(eng, name=name, role=role, password=PASSWORD, actor="test",
                        dataset=ezhou_dataset)
    return eng


def _user(name):
    return access.User(name, name, PEOPLE[name])


def _state(engine):
    with store.session_scope(engine, read_only=True) as s:
        return store.last_change_id(s), store.table_counts(s)


def _new(engine, method="borda", **kw):
    return use.create_session(engine, question="撤离半径？", method=method,
                              options=kw.pop("options", ["500 m", "1000 m", "2000 m"]),
                              participants=kw.pop("participants", [
                                  {"user": "li", "role": "expert", "weight": 2}]),
                              chair="zhang", now=T0, **kw)


def test_a_borda_session_from_create_to_result(engine):
    rec = _new(engine)
    assert rec.state == "draft" and len(rec.code) == 6 and rec.code.isdigit()
    for name in ("li", "wang", "zhao"):
        _, part = use.join_session(engine, rec.code, _user(name), now=T0)
    assert (part.role, part.weight) == ("staff", 1.0)  # joined unlisted: by system role
    with pytest.raises(DataError, match="not open yet"):
        use.cast_ballot(engine, rec.session_id, "li", {"ranking": ["o1"]}, now=T0)
    use.open_session(engine, rec.session_id, "zhang", now=T0)
    use.cast_ballot(engine, rec.session_id, "li", {"ranking": ["o3", "o2", "o1"]}, now=T0)
    use.cast_ballot(engine, rec.session_id, "wang", {"ranking": ["o1", "o2", "o3"]}, now=T0)
    use.cast_ballot(engine, rec.session_id, "zhao", {"ranking": ["o1"]}, now=T0)
    # wang changes their mind: the later ballot counts, once
    r = use.cast_ballot(engine, rec.session_id, "wang", {"ranking": ["o2", "o1", "o3"]},
                        now=T0 + timedelta(seconds=5))
    assert r.vote.revisions == 1
    p = use.progress(engine, rec.session_id, user_name="wang")
    assert (p["listed"], p["joined"], p["voted"]) == (3, 3, 3)
    assert p["my_ballot"] == {"ranking": ["o2", "o1", "o3"]}
    closed = use.close_session(engine, rec.session_id, "zhang", now=T0 + timedelta(minutes=1))
    res = closed.result
    # li (weight 2): o3 4, o2 2; wang: o2 2, o1 1; zhao: o1 2  ->  o1 3, o2 4, o3 4
    assert res["scores"] == {"o1": 3, "o2": 4, "o3": 4}
    assert res["winner"] == "o2" and res["tied"] == ["o2", "o3"] and res["tie_broken"]
    assert res["ballots"] == 3
    with store.session_scope(engine, read_only=True) as s:
        audit = store.list_audit(s, limit=20)
    assert audit[0].action == "decision.close" and audit[0].payload["result"] == res
    votes = [e for e in audit if e.action == "decision.vote"]
    assert len(votes) == 4 and votes[0].payload["replaced"] is True
    # after closing: a vote is refused and nothing is written
    before = _state(engine)
    with pytest.raises(DataError, match="closed: voting has ended"):
        use.cast_ballot(engine, rec.session_id, "li", {"ranking": ["o1"]}, now=T0)
    assert _state(engine) == before


def test_bad_input_is_refused_and_nothing_written(engine):
    before = _state(engine)
    with pytest.raises(DataError) as exc:
        _new(engine, participants=[{"user": "nobody"}])
    assert exc.value.problems[0].value == "nobody"
    with pytest.raises(DataError):
        _new(engine, options=["only one"])
    assert _state(engine) == before
    rec = _new(engine)
    before = _state(engine)
    with pytest.raises(DataError) as exc:
        use.join_session(engine, "000000" if rec.code != "000000" else "999999", _user("li"))
    assert exc.value.problems[0].field == "code"
    with pytest.raises(DataError):
        use.join_session(engine, " ", _user("li"))
    assert _state(engine) == before
    use.open_session(engine, rec.session_id, "zhang", now=T0)
    before = _state(engine)
    with pytest.raises(DataError, match="Join the session"):
        use.cast_ballot(engine, rec.session_id, "wang", {"ranking": ["o1"]}, now=T0)
    use.join_session(engine, rec.code, _user("wang"), now=T0)
    before = _state(engine)
    with pytest.raises(DataError) as exc:
        use.cast_ballot(engine, rec.session_id, "wang", {"ranking": ["o9"]}, now=T0)
    assert exc.value.problems[0].value == "o9"
    assert _state(engine) == before
    with pytest.raises(DataError, match="cannot do this"):
        use.open_session(engine, rec.session_id, "zhang", now=T0)
    with pytest.raises(StoreError):
        use.close_session(engine, 999, "zhang", now=T0)


def test_ahp_session_prompts_revision_and_counts_the_group(engine):
    rec = _new(engine, method="ahp", criteria=["安全", "代价"])
    use.open_session(engine, rec.session_id, "zhang", now=T0)
    for name in ("li", "wang"):
        use.join_session(engine, rec.code, _user(name), now=T0)
    good = {"criteria": [[1, 3], [1 / 3, 1]], "c1": matrix_from_upper(3, [1 / 3, 1 / 5, 1 / 2]),
            "c2": matrix_from_upper(3, [3, 5, 2])}
    bad = {**good, "c1": [[1, 3, 1 / 3], [1 / 3, 1, 3], [3, 1 / 3, 1]]}
    r = use.cast_ballot(engine, rec.session_id, "wang", {"matrices": bad}, now=T0)
    assert r.revise == ["c1"] and r.consistency["c1"].cr > 0.1
    r = use.cast_ballot(engine, rec.session_id, "wang", {"matrices": good}, now=T0)
    assert r.revise == [] and r.vote.revisions == 1
    use.cast_ballot(engine, rec.session_id, "li", {"matrices": good}, now=T0)
    res = use.close_session(engine, rec.session_id, "zhang", now=T0).result
    assert res["winner"] == "o3" and res["diagnostics"]["inconsistent"] == []
    assert abs(sum(res["scores"].values()) - 1) < 1e-9


def test_delphi_rounds_show_anonymous_feedback(engine):
    rec = _new(engine, method="delphi")
    use.open_session(engine, rec.session_id, "zhang", now=T0)
    for name in ("li", "wang"):
        use.join_session(engine, rec.code, _user(name), now=T0)
    with pytest.raises(DataError, match="Nobody has rated"):
        use.next_round(engine, rec.session_id, "zhang", now=T0)
    use.cast_ballot(engine, rec.session_id, "li", {"ratings": {"o1": 9, "o2": 5, "o3": 1}})
    use.cast_ballot(engine, rec.session_id, "wang", {"ratings": {"o1": 3, "o2": 5, "o3": 2}})
    assert use.next_round(engine, rec.session_id, "zhang", now=T0).round == 2
    p = use.progress(engine, rec.session_id)
    assert p["voted"] == 0 and [f["median"] for f in p["feedback"]] == [6.0, 5.0, 1.5]
    use.cast_ballot(engine, rec.session_id, "li", {"ratings": {"o1": 7, "o2": 5, "o3": 1}})
    use.cast_ballot(engine, rec.session_id, "wang", {"ratings": {"o1": 6, "o2": 5, "o3": 2}})
    res = use.close_session(engine, rec.session_id, "zhang", now=T0).result
    assert res["winner"] == "o1" and len(res["diagnostics"]["rounds"]) == 2


def test_options_from_the_system_and_sending_a_plan_for_approval(engine, ezhou_network,
                                                                  ezhou_dataset, ezhou_store):
    settings, _ = ezhou_store
    made = []
    for lat, lon in ((30.39, 114.89), (30.40, 114.88)):
        _inc, plan_id, _rec = incidents.create_and_recommend(
            engine, ezhou_network, ezhou_dataset, incident_type="fire", lat=lat, lon=lon,
            actor="zhang", limit=3, max_snap_distance_m=2000, now=T0)
        made.append(plan_id)
    plans = use.system_options(engine, ezhou_dataset, kind="plan", lang="en")
    assert [o["ref"] for o in plans] == made[::-1]
    assert plans[0]["label"].startswith(f"Dispatch plan {made[1]}")
    depots = use.system_options(engine, ezhou_dataset, kind="depot")
    assert len(depots) == len(ezhou_dataset.depots) and depots[0]["kind"] == "depot"
    with pytest.raises(DataError):
        use.system_options(engine, ezhou_dataset, kind="radius")
    rec = _new(engine, method="majority", options=plans + [{"label": "Wait"}])
    use.open_session(engine, rec.session_id, "zhang", now=T0)
    use.join_session(engine, rec.code, _user("li"), now=T0)
    with pytest.raises(DataError, match="close the session first"):
        use.send_for_approval(engine, rec.session_id, "zhang", now=T0)
    use.cast_ballot(engine, rec.session_id, "li", {"choice": "o2"}, now=T0)
    use.close_session(engine, rec.session_id, "zhang", now=T0)
    sent = use.send_for_approval(engine, rec.session_id, "zhang", now=T0)
    assert sent == made[0]  # still proposed and the newest of its incident: as it is
    with pytest.raises(DataError, match="sent already"):
        use.send_for_approval(engine, rec.session_id, "zhang", now=T0)
    # a decided plan that is no longer proposed cannot be sent
    rec2 = _new(engine, method="majority", options=plans)
    use.open_session(engine, rec2.session_id, "zhang", now=T0)
    use.join_session(engine, rec2.code, _user("li"), now=T0)
    use.cast_ballot(engine, rec2.session_id, "li", {"choice": "o1"}, now=T0)
    use.close_session(engine, rec2.session_id, "zhang", now=T0)
    incidents.decide(engine, made[1], "reject", "zhang", now=T0)
    with pytest.raises(DataError, match="nothing to approve"):
        use.send_for_approval(engine, rec2.session_id, "zhang", now=T0)


def test_radius_options_from_a_scenario(engine, ezhou_dataset, ezhou_network, ezhou_store):
    from command.app.scenarios import scenario_ids

    settings, _ = ezhou_store
    name = scenario_ids(settings)[0]
    opts = use.system_options(engine, ezhou_dataset, kind="radius", scenario=name,
                              network=ezhou_network, settings=settings, lang="en")
    assert opts and all(o["kind"] == "radius" and o["ref"]["distance_m"] > 0 for o in opts)
    assert "evacuate to" in opts[0]["label"]


def test_a_decided_plan_behind_a_newer_one_goes_for_approval_as_a_copy(engine, ezhou_network,
                                                                       ezhou_dataset):
    incident, plan_id, _rec = incidents.create_and_recommend(
        engine, ezhou_network, ezhou_dataset, incident_type="fire", lat=30.39, lon=114.89,
        actor="zhang", limit=3, max_snap_distance_m=2000, now=T0)
    with store.session_scope(engine) as s:
        old = store.get_plan(s, plan_id)
        newer = store.save_plan(s, {"assignments": old.assignments[:1]}, [incident], "zhang",
                                now=T0)
    rec = _new(engine, method="majority", options=[
        {"label": "full", "kind": "plan", "ref": plan_id},
        {"label": "lean", "kind": "plan", "ref": newer}])
    use.open_session(engine, rec.session_id, "zhang", now=T0)
    use.join_session(engine, rec.code, _user("li"), now=T0)
    use.cast_ballot(engine, rec.session_id, "li", {"choice": "o1"}, now=T0)
    use.close_session(engine, rec.session_id, "zhang", now=T0)
    sent = use.send_for_approval(engine, rec.session_id, "zhang", now=T0)
    assert sent not in (plan_id, newer)
    with store.session_scope(engine, read_only=True) as s:
        copy = store.get_plan(s, sent)
        shown = store.list_plans(s, incident_id=incident, limit=1)[0]
        audit = [e.action for e in store.list_audit(s, limit=2)]
    assert copy.status == "proposed" and copy.assignments == old.assignments
    assert copy.payload["decision_session"] == rec.session_id and shown.plan_id == sent
    assert audit == ["decision.sent_for_approval", "plan.proposed"]
