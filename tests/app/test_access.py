"""command.app.access and the `users` commands: users with roles, refusals naming the field
and value, first accounts, the signing secret."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from command import store
from command.app import access
from command.cli import main
from command.errors import DataError, StoreError

PASSWORD = "a-good-password-1"
T0 = datetime(2026, 12, 3, 23, 59, 30, tzinfo=UTC)


def test_a_user_with_every_problem_is_refused_at_once_and_nothing_written(ezhou_store,
                                                                        ezhou_dataset):
    _settings, engine = ezhou_store
    with pytest.raises(DataError) as err:
        access.add_user(engine, name="bad name!", role="chief", password="short",
                        actor="t", grid="G999", dataset=ezhou_dataset)
    fields = {(p.field, p.value) for p in err.value.problems}
    assert ("name", "bad name!") in fields and ("role", "chief") in fields
    assert ("grid", "G999") in fields and ("password", "(hidden)") in fields
    with pytest.raises(DataError, match="a liaison user needs --agency"):
        access.add_user(engine, name="li", role="liaison", password=PASSWORD, actor="t",
                        dataset=ezhou_dataset)
    with pytest.raises(DataError, match="no such agency in the data set"):
        access.add_user(engine, name="li", role="liaison", password=PASSWORD, actor="t",
                        agency="nope", dataset=ezhou_dataset)
    assert access.list_users(engine) == []


def test_log_in_session_and_log_out(ezhou_store, ezhou_dataset):
    settings, engine = ezhou_store
    access.add_user(engine, name="王伟", role="duty_officer", password=PASSWORD, actor="t",
                    dataset=ezhou_dataset)
    grant = access.log_in(engine, settings, "王伟", PASSWORD, client="127.0.0.1", now=T0)
    assert grant.user.role == "duty_officer"
    assert grant.expires_at == T0 + timedelta(hours=settings.session_hours)
    assert access.session_user(engine, grant.token, now=T0 + timedelta(hours=1)) == grant.user
    assert access.session_user(engine, grant.token, now=grant.expires_at) is None
    assert access.log_out(engine, grant.token, now=T0 + timedelta(minutes=5))
    assert access.session_user(engine, grant.token, now=T0 + timedelta(minutes=6)) is None
    with store.session_scope(engine, read_only=True) as s:
        actions = [e.action for e in store.list_audit(s, limit=3)]
        # the token is in no audit entry, only its digest is stored
        assert grant.token not in json.dumps([e.payload for e in store.list_audit(s)])
    assert actions == ["logout", "login", "user.created"]


def test_the_last_administrator_stays(ezhou_store, ezhou_dataset):
    _settings, engine = ezhou_store
    access.add_user(engine, name="root1", role="admin", password=PASSWORD, actor="t")
    with pytest.raises(StoreError, match="last enabled administrator"):
        access.disable_user(engine, "root1", actor="t")
    access.add_user(engine, name="root2", role="admin", password=PASSWORD, actor="t")
    access.disable_user(engine, "root1", actor="root2")
    assert [u["enabled"] for u in access.list_users(engine)] == [False, True]


def test_changing_ones_own_password_needs_the_current_one(ezhou_store):
    settings, engine = ezhou_store
    access.add_user(engine, name="staff1", role="staff", password=PASSWORD, actor="t")
    with pytest.raises(access.LoginRefused):
        access.change_own_password(engine, "staff1", "not-the-password", "another-pass-22")
    with pytest.raises(DataError, match="at least 10 characters"):
        access.change_own_password(engine, "staff1", PASSWORD, "short")
    access.change_own_password(engine, "staff1", PASSWORD, "another-pass-22")
    with pytest.raises(access.LoginRefused):
        access.log_in(engine, settings, "staff1", PASSWORD)
    assert access.log_in(engine, settings, "staff1", "another-pass-22").user.name == "staff1"


def test_first_accounts_once_with_demo_accounts(ezhou_store, ezhou_dataset):
    settings, engine = ezhou_store
    made = access.first_accounts(engine, demo=True, dataset=ezhou_dataset)
    assert made["users"][0] == "admin" and len(made["users"]) == 10
    roles = {u["name"]: u["role"] for u in access.list_users(engine)}
    assert roles["demo-wall"] == "wall" and roles["admin"] == "admin"
    assert access.log_in(engine, settings, "demo-liaison", made["password"]).user.agency_id
    assert access.first_accounts(engine, demo=True, dataset=ezhou_dataset) is None


def test_the_secret_is_made_once_and_kept_private(tmp_path, ezhou_settings):
    settings = ezhou_settings.replace(data_dir=tmp_path)
    first = access.secret_key(settings)
    assert len(first) >= 32 and access.secret_key(settings) == first
    assert stat.S_IMODE(os.stat(settings.secret_key_file).st_mode) == 0o600


def _cli(args, settings, capsys) -> tuple[int, str]:
    env = {"CC_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.db_url}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        code = main(args)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return code, capsys.readouterr()


def test_users_commands(ezhou_store, tmp_path, capsys):
    settings, engine = ezhou_store
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    code, out = _cli(["users", "add", "li", "--role", "liaison", "--agency", "fire",
                      "--password-file", str(pw), "--json"], settings, capsys)
    assert code == 0 and json.loads(out.out) == {"name": "li", "role": "liaison"}
    code, out = _cli(["users", "add", "li2", "--role", "liaison", "--password-file", str(pw)],
                     settings, capsys)
    assert code == 2 and "field 'agency'" in out.err and "needs --agency" in out.err
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    code, out = _cli(["users", "passwd", "li", "--password-file", str(empty)], settings, capsys)
    assert code == 2 and "--password-file" in out.err
    code, out = _cli(["users", "disable", "li", "--actor", "ops"], settings, capsys)
    assert code == 0
    code, out = _cli(["users", "list", "--json"], settings, capsys)
    rows = json.loads(out.out)
    assert [(r["name"], r["role"], r["agency_id"], r["enabled"]) for r in rows] == \
        [("li", "liaison", "fire", False)]
    with store.session_scope(engine, read_only=True) as s:
        last = store.list_audit(s, limit=1)[0]
    assert (last.actor, last.action, last.subject) == ("ops", "user.disabled", "user:li")


def test_db_init_prints_the_first_password_once_and_keeps_it_private(tmp_path, capsys,
                                                                    ezhou_settings):
    settings = ezhou_settings.replace(data_dir=tmp_path,
                                      database_url=f"sqlite:///{tmp_path / 'c.db'}")
    code, out = _cli(["db", "init"], settings, capsys)
    assert code == 0 and "user admin, password " in out.out
    password = out.out.split("user admin, password ")[1].split()[0]
    path = tmp_path / "first-password.txt"
    assert path.read_text(encoding="utf-8").splitlines()[0] == password
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    code, out = _cli(["db", "init"], settings, capsys)
    assert code == 0 and "password" not in out.out
