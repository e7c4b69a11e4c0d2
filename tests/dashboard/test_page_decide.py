"""The decision and liaison pages' plain functions and views, without a browser, on a real
store: what the chair, a participant, the wall and an agency's officer see and do."""

from __future__ import annotations

import pytest

from command.app import access, liaison
from command.app import decision as use
from command.errors import DataError
from dashboard.views import decision as views

PW = "page-decide-pw-1"


@pytest.fixture
def users(ctx):
    for name, role, agency in (("zhang", "commander", None), ("li", "expert", None),
                               ("wang", "expert", None), ("fire1", "liaison", "fire")):
        access.add_user(ctx.engine, name=name, role=role, password=PW, actor="test",
                        agency=agency, dataset=ctx.dataset)
    return {n: access.User(n, n, r, agency_id=a) for n, r, a in (
        ("zhang", "commander", None), ("li", "expert", None), ("wang", "expert", None),
        ("fire1", "liaison", "fire"))}


def test_saaty_slider():
    assert [views.slider_to_judgement(p) for p in (-8, -2, 0, 2, 8)] == [9, 3, 1, 1 / 3, 1 / 9]
    assert views.judgement_text(1 / 3) == "1/3" and views.judgement_text(5.0) == "5"
    assert views.pairs(3) == [(0, 1), (0, 2), (1, 2)]


def test_participants_box():
    assert views.parse_participants("zhang leader 2\nli\n\nwang expert", "en") == [
        {"user": "zhang", "role": "leader", "weight": 2.0},
        {"user": "li", "role": "expert", "weight": 1.0},
        {"user": "wang", "role": "expert", "weight": 1.0}]
    with pytest.raises(DataError) as exc:
        views.parse_participants("zhang boss 2\nli expert x", "en")
    assert [p.row for p in exc.value.problems] == [1, 2]
    assert "should read 'user role weight'" in str(exc.value)


def test_ballot_from_form():
    opts = [{"id": "o1", "label": "A"}, {"id": "o2", "label": "B"}, {"id": "o3", "label": "C"}]
    assert views.ballot_from_form("majority", opts, [], {"choice": "o2"}) == {"choice": "o2"}
    assert views.ballot_from_form("borda", opts, [], {"ranking": ["o3", None, "o1"]}) == {
        "ranking": ["o3", "o1"]}
    b = views.ballot_from_form("ahp", opts, [], {"pairs": {("options", 0): -2}})
    assert b["matrices"]["options"][0][1] == 3 and b["matrices"]["options"][1][0] == 1 / 3
    crit = [{"id": "c1", "label": "x"}, {"id": "c2", "label": "y"}]
    b = views.ballot_from_form("ahp", opts, crit, {})
    assert set(b["matrices"]) == {"criteria", "c1", "c2"}
    assert views.ballot_from_form("delphi", opts, [], {"ratings": {"o1": 4, "o2": None}}) == {
        "ratings": {"o1": 4}}


def test_chair_creates_runs_and_reads_the_result(ctx, users, page_of, request_as):
    decide = page_of("decide")
    msg, sid = decide.create(ctx, users["zhang"], question="Which radius?", method="majority",
                             options_text="500 m\n1000 m", system=[{"label": "2000 m"}],
                             criteria_text="", participants_text="li expert 2", lang="en")
    assert sid is not None and msg.startswith(f"Session {sid} created, join code ")
    bad, none = decide.create(ctx, users["zhang"], question="", method="majority",
                              options_text="a", system=[], criteria_text="",
                              participants_text="li boss", lang="en")
    assert none is None and bad.startswith("Not done") and "participants" in bad
    assert decide.step(ctx, users["zhang"], sid, "open", "en") == "Done: Open voting"
    code = use.get_session(ctx.engine, sid).code
    vote = page_of("vote")
    got, line = vote.join(ctx, users["li"], "nope", "en")
    assert got is None and "field 'code'" in line
    got, line = vote.join(ctx, users["li"], code, "en")
    assert got == sid and line == f"Joined session {sid}: Which radius?"
    assert vote.submit(ctx, users["li"], sid, {"choice": "o3"}, "en") == [
        "Recorded (round 1)"]
    assert vote.submit(ctx, users["li"], sid, {"choice": "o2"}, "en") == [
        "Recorded (round 1, replacing your earlier ballot)"]
    panel = str(decide.panel(ctx, sid, "en"))
    assert code in panel and "1 joined, 1 voted this round (1 listed)" in panel
    assert decide.step(ctx, users["zhang"], sid, "close", "en") == "Done: Close and count"
    assert "Decided: 1000 m" in str(decide.panel(ctx, sid, "en"))
    send = decide.step(ctx, users["zhang"], sid, "send", "en")
    assert send.startswith("Not done") and "is not a dispatch plan" in send
    form, result = vote.form(ctx, users["li"], sid, "en")
    assert "The session is closed" in str(form) and "Decided: 1000 m" in str(result)
    wall = page_of("decision_screen")
    assert "Decided: 1000 m" in str(wall.wall(ctx, None, "en"))
    assert "No decision session now" in str(wall.wall(ctx, 999, "en"))


def test_ahp_on_the_phone_asks_to_revise(ctx, users, page_of):
    rec = use.create_session(ctx.engine, question="q", method="ahp", options=["A", "B", "C"],
                             chair="zhang")
    use.open_session(ctx.engine, rec.session_id, "zhang")
    use.join_session(ctx.engine, rec.code, users["wang"])
    vote = page_of("vote")
    form, _ = vote.form(ctx, users["wang"], rec.session_id, "en")
    assert str(form).count("'type': 'vote-pair'") == 3  # A-B, A-C, B-C
    # A 3x B, B 3x C, but C 3x A: a cycle
    lines = vote.submit(ctx, users["wang"], rec.session_id,
                        {"pairs": {("options", 0): -2, ("options", 1): 2,
                                   ("options", 2): -2}}, "en")
    assert lines[0] == "Recorded (round 1)"
    assert lines[1].startswith("Your judgements are not consistent enough (CR = ")
    lines = vote.submit(ctx, users["wang"], rec.session_id,
                        {"pairs": {("options", 0): -2, ("options", 1): -4,
                                   ("options", 2): -2}}, "en")
    assert lines[1].startswith("Consistent judgements (CR = 0.0")


def test_result_view_lines():
    class S:
        state, session_id, question, method = "closed", 1, "q", "borda"
        options = ({"id": "o1", "label": "A"}, {"id": "o2", "label": "B"})
        criteria = ()
        result = {"method": "borda", "winner": "o1", "ranking": ["o1", "o2"],
                  "scores": {"o1": 2, "o2": 2}, "tied": ["o1", "o2"], "tie_broken": True,
                  "ballots": 2, "diagnostics": {"condorcet_winner": None, "share": 0.5,
                                                "agreement": {"kendall_w": 0.0, "judges": 2}}}

    v = views.result_view(S, "en")
    assert v["head"] == "Decided: A" and [r["label"] for r in v["rows"]] == ["A", "B"]
    assert "Tied first: A、B; the first listed is taken, the chair may decide otherwise" \
        in v["lines"]
    assert "No Condorcet winner" in v["lines"]
    assert "Agreement: Kendall's W = 0.00 (2 judges)" in v["lines"]


def test_liaison_board_for_the_officer_and_the_centre(ctx, users, page_of):
    li = page_of("liaison")
    assert li.act(ctx, users["zhang"], "issue", "issue", "fire", lang="en",
                  text="Stand by at the depot") == "Recorded: Issue a task fire"
    other = str(li.board(ctx, users["fire1"], "police", "en"))
    assert "A liaison officer sees only their own agency" in other
    board = str(li.board(ctx, users["fire1"], "fire", "en"))
    assert "Stand by at the depot" in board and "Acknowledge" in board and "Cancel" not in board
    centre = str(li.board(ctx, users["zhang"], "", "en"))
    assert "Cancel" in centre and "Acknowledge" not in centre
    task_id = liaison.board(ctx.engine, users["fire1"])["tasks"][0][0].task_id
    assert li.act(ctx, users["wang"], "task", "ack", task_id, lang="en").startswith("Not done")
    assert li.act(ctx, users["fire1"], "task", "ack", task_id, lang="en").startswith("Recorded")
    assert li.report_options(ctx, users["fire1"], "fire", "en")[0]["value"] == task_id
    msg = li.act(ctx, users["fire1"], "task", "report", task_id, lang="en", pct=40,
                 note="on site")
    assert msg == f"Recorded: Report progress {task_id}"
    assert li.act(ctx, users["fire1"], "request", "request", "police", lang="en",
                  to="police", what="close two junctions").startswith("Recorded")
    aid = str(li.aid_list(ctx, users["fire1"], "fire", "en"))
    assert "close two junctions (Requested)" in aid
    bad = li.act(ctx, users["fire1"], "request", "request", "fire", lang="en", to="fire",
                 what="x")
    assert bad.startswith("Not done") and "to_agency" in bad
