"""The hidden-hazard closed loop over the Ezhou store (command/app/hazards.py): a hazard
reported with a photo, moved through every step by the roles allowed, each step in the
timeline and the audit log with its user; possible duplicates; evidence kept by hash and
served only to those who see the hazard; escalation once per level across several days
with the right people told; bad input refused with nothing written. The clock is pinned."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from command import store
from command.app import access, notify
from command.app import hazards as hz
from command.app.schedule import Job, Scheduler
from command.errors import AccessError, DataError, StoreError
from command.store import hazards as hs
from command.store import notifications as outbox

T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing
PASSWORD = "a-good-password-1"
# the smallest file a camera could make: a JPEG header and a few bytes
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CELL = "GM-fenghuang-01"

PEOPLE = {
    "gm_town": ("grid_member", {"grid": "GT-fenghuang"}),
    "gm_other": ("grid_member", {"grid": "GT-gulou"}),
    "staff_a": ("staff", {}),
    "duty_a": ("duty_officer", {}),
    "expert_a": ("expert", {}),
    "boss": ("commander", {}),
    "planner_a": ("planner", {}),
    "liaison_ec": ("liaison", {"agency": "echeng"}),
    "liaison_hr": ("liaison", {"agency": "huarong"}),
    "ent_a": ("enterprise", {"enterprise": "N01"}),
}


class RecordingSms(notify.SmsGateway):
    """The test double of an SMS gateway: keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


@pytest.fixture
def site(ezhou_store, tmp_path):
    settings, engine = ezhou_store
    settings = settings.replace(data_dir=tmp_path / "data")
    users = {}
    for name, (role, scope) in PEOPLE.items():
        users[name] = access.add_user(engine, name=name, role=role, password=PASSWORD,
                                      actor="test", now=T0 - timedelta(days=1), **scope)
    return settings, engine, users


def _mark(engine) -> tuple[int, dict]:
    with store.session_scope(engine, read_only=True) as s:
        counts = store.table_counts(s)
        return store.last_change_id(s), {k: counts[k] for k in (
            "hazards", "hazard_events", "hazard_evidence", "notifications", "daily_reports")}


def _files(settings) -> list[Path]:
    root = Path(settings.data_dir) / "evidence"
    return sorted(root.rglob("*.*")) if root.exists() else []


def _refused(site, call, field, value, error=DataError):
    settings, engine, _ = site
    before, files = _mark(engine), _files(settings)
    with pytest.raises(error) as err:
        call()
    assert f"field '{field}' (value {value!r})" in str(err.value), str(err.value)
    assert _mark(engine) == before and _files(settings) == files
    return err.value


def _report(site, who="gm_town", now=T0, **kw):
    settings, engine, users = site
    args = {"grid_id": CELL, "kind": "gas", "description": "燃气管道锈蚀，阀门漏气"} | kw
    return hz.report_hazard(engine, settings, user=users[who], now=now, **args)


def _step(site, hazard_id, to, who, now, note="ok", **fields):
    settings, engine, users = site
    return hz.advance_hazard(engine, settings, hazard_id, to, user=users[who], note=note,
                             fields=fields, now=now)


def _inbox(engine, name):
    return [n["text"] for n in notify.inbox(engine, name)]


def test_a_hazard_goes_round_the_whole_loop_with_every_step_audited(site):
    settings, engine, users = site
    out = _report(site, evidence=[hz.Upload("阀门.jpg", PHOTO)])
    hid = out["hazard_id"]
    assert out == {"hazard_id": "HZ-20261204-0001", "state": "found",
                   "due_at": T0 + timedelta(days=1), "possible_duplicates": []}
    # the desk is told at once; the reporter is not told of their own report
    assert _inbox(engine, "staff_a") == [
        "隐患 HZ-20261204-0001（燃气安全，凤凰街道第1网格）已发现，请您处理下一步"]
    assert _inbox(engine, "duty_a") and not _inbox(engine, "gm_town")
    assert not _inbox(engine, "expert_a")  # experts assess; nobody has registered it yet

    t = T0
    steps = [("registered", "staff_a", {}), ("assessed", "expert_a",
                                            {"level": "major", "reason": "主干管，人员密集"}),
             ("reported", "duty_a", {}), ("monitored", "boss", {}),
             ("remediation", "boss", {"deadline": T0 + timedelta(days=10),
                                      "responsible": "staff_a", "measures": "更换阀门",
                                      "budget_yuan": 5000}),
             ("verified", "staff_a", {}), ("closed", "boss", {})]
    for to, who, fields in steps:
        t += timedelta(hours=1)
        assert _step(site, hid, to, who, t, note=f"{to} by {who}", **fields)["state"] == to

    d = hz.detail(engine, hid, user=users["boss"], now=t)
    assert d["state"] == "closed" and d["level"] == "major" and d["responsible"] == "staff_a"
    assert d["closed_at"] == t and d["due_at"] is None and not d["overdue"]
    assert [(e["action"], e["from"], e["to"], e["actor"]) for e in d["timeline"]] == [
        ("find", None, "found", "gm_town"), ("register", "found", "registered", "staff_a"),
        ("assess", "registered", "assessed", "expert_a"),
        ("report", "assessed", "reported", "duty_a"),
        ("monitor", "reported", "monitored", "boss"),
        ("remediate", "monitored", "remediation", "boss"),
        ("verify", "remediation", "verified", "staff_a"),
        ("close", "verified", "closed", "boss")]
    assert d["timeline"][0]["evidence"][0]["filename"] == "阀门.jpg"
    assert d["next"] == [{"action": "reopen", "to": "reopened", "needs": []}]

    # each step is in the audit log with its user, in the order taken, and the chain holds
    with store.session_scope(engine, read_only=True) as s:
        steps_logged = [(e.actor, e.action, e.payload["to"]) for e in
                        reversed(store.list_audit(s, limit=500))
                        if e.subject == f"hazard:{hid}" and e.action.startswith("hazard.")]
        assert store.verify_audit(s) == (True, None)
    assert steps_logged == [(a, f"hazard.{x}", to) for x, _, to, a in
                            [(e["action"], e["from"], e["to"], e["actor"])
                             for e in d["timeline"]]]
    # the responsible person was told, with the deadline in Beijing time
    assert "整改期限 2026-12-14 00:00（北京时间）" in _inbox(engine, "staff_a")[1]
    # and the reporter heard of each step
    assert len(_inbox(engine, "gm_town")) == 7


def test_evidence_is_kept_by_hash_and_served_only_to_those_who_see_the_hazard(site):
    settings, engine, users = site
    hid = _report(site, evidence=[hz.Upload("C:\\photos\\a.jpg", PHOTO)])["hazard_id"]
    _step(site, hid, "registered", "staff_a", T0 + timedelta(minutes=5))
    settings_, engine_, _ = site
    hz.advance_hazard(engine, settings, hid, "reject", user=users["staff_a"],
                      note="见附件", fields={"reason": "not_a_hazard"},
                      evidence=[hz.Upload("report.pdf", PDF)], now=T0 + timedelta(minutes=9))
    with store.session_scope(engine, read_only=True) as s:
        files = hs.evidence_of(s, hid)
    assert [(f.filename, f.media_type, f.size_bytes) for f in files] == [
        ("a.jpg", "image/jpeg", len(PHOTO)), ("report.pdf", "application/pdf", len(PDF))]
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert files[0].sha256 == sha and files[0].path == f"evidence/{sha[:2]}/{sha}.jpg"

    for who in ("staff_a", "gm_town", "planner_a", "boss"):
        path, media, name = hz.evidence_file(engine, settings, files[0].evidence_id,
                                             user=users[who])
        assert path.read_bytes() == PHOTO and media == "image/jpeg" and name == "a.jpg"
    # a grid member of another town, an enterprise that did not report it, a liaison:
    # the same answer as for evidence that does not exist
    for who in ("gm_other", "ent_a", "liaison_ec"):
        with pytest.raises(AccessError, match="no evidence of this id that you may see"):
            hz.evidence_file(engine, settings, files[0].evidence_id, user=users[who])
    with pytest.raises(AccessError):
        hz.evidence_file(engine, settings, 999, user=users["staff_a"])
    # a file changed on disk is not served as evidence
    (Path(settings.data_dir) / files[1].path).write_bytes(PDF + b"tampered")
    with pytest.raises(StoreError, match="has changed since it was kept"):
        hz.evidence_file(engine, settings, files[1].evidence_id, user=users["staff_a"])


def test_a_report_near_an_open_hazard_of_the_same_kind_is_flagged(site):
    first = _report(site)["hazard_id"]
    near = _report(site, lat=30.3896, lon=114.9294, now=T0 + timedelta(minutes=1))
    assert near["hazard_id"] == "HZ-20261204-0002"
    assert near["possible_duplicates"] == [{"hazard_id": first, "distance_m": 22.2}]
    other_kind = _report(site, kind="electrical", now=T0 + timedelta(minutes=2))
    far = _report(site, lat=30.40, lon=114.94, now=T0 + timedelta(minutes=3))
    assert other_kind["possible_duplicates"] == far["possible_duplicates"] == []
    # rejected as a duplicate, the first stays; a new report is compared with it only
    _step(site, near["hazard_id"], "rejected", "staff_a", T0 + timedelta(minutes=4),
          reason="duplicate")
    again = _report(site, now=T0 + timedelta(minutes=5))
    assert [d["hazard_id"] for d in again["possible_duplicates"]] == [first]


def test_overdue_hazards_escalate_once_per_level_and_tell_the_right_people(site):
    settings, engine, users = site
    sms = RecordingSms()
    channels = {"in_app": notify.InAppChannel(), "sms": notify.SmsChannel(sms)}
    hid = _report(site)["hazard_id"]  # due in a day: nobody registered it
    fresh = _report(site, kind="electrical", now=T0 + timedelta(days=2, hours=1))["hazard_id"]

    assert hz.escalate(engine, now=T0 + timedelta(hours=23), channels=channels) == []
    day1 = hz.escalate(engine, now=T0 + timedelta(days=1, minutes=1), channels=channels)
    assert [(x["hazard_id"], x["level"]) for x in day1] == [(hid, "town")]
    # the town's grid head by SMS, the town's grid member in the app
    assert day1[0]["notified"] == ["sms:李某", "in_app:gm_town"]
    assert sms.sent[0][0] == "0711-0000001" and "升级至镇（街道）网格督办" in sms.sent[0][1]
    assert hz.escalate(engine, now=T0 + timedelta(days=1, minutes=6), channels=channels) == []

    day2 = hz.escalate(engine, now=T0 + timedelta(days=2, minutes=1), channels=channels)
    assert [(x["hazard_id"], x["level"]) for x in day2] == [(hid, "district")]
    # 鄂城区's government (not 华容区's) and its liaison officer
    assert day2[0]["notified"] == ["sms:鄂城区人民政府 区应急管理局值班室(示例)",
                                   "in_app:liaison_ec"]
    assert sms.sent[1][0] == "0711-0000201"
    assert not _inbox(engine, "liaison_hr") and len(_inbox(engine, "liaison_ec")) == 1

    # a job that did not run for two days catches up to the city, once
    day4 = hz.escalate(engine, now=T0 + timedelta(days=4), channels=channels)
    assert [(x["hazard_id"], x["level"]) for x in day4] == [(hid, "city"), (fresh, "town")]
    assert day4[0]["notified"][:2] == ["sms:王某", "sms:鄂州市应急管理局 值班室(示例)"]
    assert "in_app:boss" in day4[0]["notified"]
    for later in (5, 9, 30):
        made = hz.escalate(engine, now=T0 + timedelta(days=later), channels=channels)
        assert all(x["hazard_id"] != hid for x in made)
    with store.session_scope(engine, read_only=True) as s:
        levels = [(e.hazard_id, e.level) for e in hs.escalations_of(s)]
        h = hs.get_hazard(s, hid)
        logged = [e for e in store.list_audit(s, limit=1000) if e.action == "hazard.escalated"]
    assert levels[:3] == [(hid, "town"), (hid, "district"), (hid, "city")]
    assert len(levels) == len(set(levels)) and h.escalation_level == "city"
    assert len(logged) == len(levels)
    assert all(n.state == "sent" for n in _notes(engine, hid))

    # an installation without an SMS gateway: the SMS fails, visibly, never "sent"
    third = _report(site, kind="crowd", now=T0 + timedelta(days=30))["hazard_id"]
    hz.escalate(engine, now=T0 + timedelta(days=31, minutes=1))
    texts = [n for n in _notes(engine, third) if n.channel == "sms"]
    assert texts and all(n.state == "failed" and "no sms gateway" in n.error for n in texts)


def _notes(engine, hid):
    with store.session_scope(engine, read_only=True) as s:
        return outbox.list_notifications(s, subject=f"hazard:{hid}")


def test_a_step_after_someone_else_moved_the_hazard_is_refused(site):
    settings, engine, users = site
    hid = _report(site)["hazard_id"]
    _step(site, hid, "registered", "staff_a", T0 + timedelta(minutes=1))
    with store.session_scope(engine) as s, pytest.raises(StoreError, match="someone else"):
        hs.record_step(s, hid, expect_state="found", action="register",
                       to_state="registered", actor="duty_a", role="duty_officer",
                       note="late", data={}, due_at=None, now=T0 + timedelta(minutes=2))


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(site):
    settings, engine, users = site
    _refused(site, lambda: _report(site, grid_id="GM-nowhere"), "grid_id", "GM-nowhere")
    _refused(site, lambda: _report(site, grid_id="GT-fenghuang"), "grid_id", "GT-fenghuang")
    _refused(site, lambda: _report(site, kind="ufo"), "kind", "ufo")
    _refused(site, lambda: _report(site, description="  "), "description", "  ")
    _refused(site, lambda: _report(site, lat=95), "lat", 95)
    _refused(site, lambda: _report(site, evidence=[hz.Upload("x.exe", b"MZ\x90\x00")]),
             "evidence", "x.exe")
    _refused(site, lambda: _report(site, evidence=[hz.Upload("big.jpg", PHOTO + bytes(
        hz.MAX_EVIDENCE_BYTES))]), "evidence", "big.jpg")
    _refused(site, lambda: _report(site, evidence=[hz.Upload("empty.pdf", b"")]),
             "evidence", "empty.pdf")
    # outside the grid member's own cells, and a role that may not report
    _refused(site, lambda: _report(site, who="gm_other"), "grid_id", CELL, AccessError)
    _refused(site, lambda: _report(site, who="planner_a"), "user", "planner_a", AccessError)

    hid = _report(site)["hazard_id"]
    for to, who, fields in (("registered", "staff_a", {}),
                            ("assessed", "expert_a", {"level": "general", "reason": "r"}),
                            ("reported", "staff_a", {}), ("monitored", "boss", {})):
        _step(site, hid, to, who, T0 + timedelta(hours=1), **fields)
    order = {"responsible": "staff_a", "measures": "m", "budget_yuan": 1}
    past = "2026-12-03T08:00:00+08:00"
    _refused(site, lambda: _step(site, hid, "remediation", "boss", T0 + timedelta(hours=2),
                                 deadline=past, **order), "deadline", past)
    _refused(site, lambda: _step(site, hid, "flying", "boss", T0 + timedelta(hours=2)),
             "to", "flying")
    _refused(site, lambda: _step(site, hid, "closed", "boss", T0 + timedelta(hours=2)),
             "to", "closed")
    _refused(site, lambda: _step(site, hid, "remediation", "expert_a", T0 + timedelta(hours=2),
                                 deadline=T0 + timedelta(days=3), **order), "role", "expert")
    _refused(site, lambda: _step(site, "HZ-nope", "registered", "staff_a", T0),
             "hazard_id", "HZ-nope")
    # a step with a refused file keeps no file and no row
    _refused(site, lambda: hz.advance_hazard(
        engine, settings, hid, "remediation", user=users["boss"], note="n",
        fields={**order, "deadline": T0 + timedelta(days=3)},
        evidence=[hz.Upload("ok.jpg", PHOTO), hz.Upload("notes.txt", b"plain text")],
        now=T0 + timedelta(hours=2)), "evidence", "notes.txt")


def test_who_sees_which_hazards(site):
    settings, engine, users = site
    mine = _report(site)["hazard_id"]
    theirs = _report(site, who="gm_other", grid_id="GM-gulou-01",
                     now=T0 + timedelta(minutes=1))["hazard_id"]
    own = _report(site, who="ent_a", now=T0 + timedelta(minutes=2))["hazard_id"]

    def ids(who, **kw):
        return [c["hazard_id"] for c in hz.hazards_for(engine, user=users[who],
                                                       now=T0 + timedelta(hours=1), **kw)]

    assert ids("staff_a") == [own, theirs, mine]
    assert ids("gm_town") == [own, mine] and ids("gm_other") == [theirs]
    assert ids("ent_a") == [own]
    assert ids("staff_a", grid_id="GT-gulou") == [theirs]
    with pytest.raises(AccessError):
        hz.hazards_for(engine, user=users["liaison_ec"], now=T0)
    with pytest.raises(DataError, match="no hazard of this id that you may see"):
        hz.detail(engine, theirs, user=users["gm_town"], now=T0)
    board = hz.board(engine, user=users["staff_a"], now=T0 + timedelta(days=1, hours=1))
    assert [c["hazard_id"] for c in board["found"]] == [mine, theirs, own]
    assert all(c["overdue"] for c in board["found"]) and board["closed"] == []


def test_the_scheduler_runs_each_job_when_due(site):
    runs = []
    sched = Scheduler([Job("a", timedelta(minutes=5), lambda now: runs.append(("a", now))),
                       Job("b", timedelta(hours=1), lambda now: 1 / 0)])
    assert sched.run_due(T0) == ["a", "b"]  # b fails; a still ran, b is tried again later
    assert sched.run_due(T0 + timedelta(minutes=4)) == []
    assert sched.run_due(T0 + timedelta(minutes=5)) == ["a"]
    assert sched.run_due(T0 + timedelta(hours=1)) == ["a", "b"]
    assert [r[1] for r in runs] == [T0, T0 + timedelta(minutes=5), T0 + timedelta(hours=1)]


def test_the_lifecycle_and_the_role_matrix_agree():
    from command.access.roles import MATRIX
    from command.hazards.lifecycle import TRANSITIONS

    reporters = {r for rule in TRANSITIONS if rule.action == "find" for r in rule.roles}
    movers = {r for rule in TRANSITIONS if rule.action != "find" for r in rule.roles}
    assert reporters == MATRIX["hazard.report"] and reporters <= MATRIX["page.report"]
    assert movers == MATRIX["hazard.advance"] and movers <= MATRIX["page.hazards"]
