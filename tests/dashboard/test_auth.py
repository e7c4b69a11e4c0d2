"""Log-in and roles over HTTP (Flask's test client on the real app and a real store):
every page and every server callback walked with every role against the role matrix, one
test per cell; and every kind of bad log-in or session refused with a clear message,
writing nothing but an audit entry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from command import store
from command.access import MATRIX, PAGES, ROLES, SCOPED_ROLES, allowed
from command.app import access
from command.i18n import t
from dashboard.auth import ANY_USER, CSRF_COOKIE, SESSION_COOKIE

PASSWORD = "matrix-password-7q"
T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 Beijing


@pytest.fixture(scope="module")
def site(tmp_path_factory, ezhou_settings, ezhou_dataset, ezhou_network):
    """The dashboard on a store with one user per role (``u-<role>``)."""
    from dashboard.app import create_app
    from dashboard.context import ScreenContext

    folder = tmp_path_factory.mktemp("access")
    settings = ezhou_settings.replace(database_url=f"sqlite:///{folder / 'command.db'}",
                                      data_dir=folder)
    store.init_db(settings, ezhou_dataset, actor="test")
    engine = store.engine_for(settings)
    first = {"agency": ezhou_dataset.agencies[0].agency_id,
             "enterprise": ezhou_dataset.enterprises[0].enterprise_id,
             "grid": ezhou_dataset.grid_cells[0].grid_id}
    for role in ROLES:
        kind = SCOPED_ROLES.get(role)
        access.add_user(engine, name=f"u-{role}", role=role, password=PASSWORD, actor="test",
                        dataset=ezhou_dataset, **({kind: first[kind]} if kind else {}))
    ctx = ScreenContext(settings=settings, network=ezhou_network, dataset=ezhou_dataset,
                        engine=engine)
    app = create_app(settings, ctx=ctx)
    client = app.server.test_client()
    client.get("/login")  # Dash copies its callbacks into the app on the first request
    yield app, engine
    engine.dispose()


def _client(app, role: str):
    client = app.server.test_client()
    resp = client.post("/login", data={"name": f"u-{role}", "password": PASSWORD, "next": "/"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client


def _csrf(client) -> str:
    return client.get_cookie(CSRF_COOKIE).value


def _body(app, output: str, pathname: str | None = None) -> dict:
    """A callback request as Dash's renderer sends it, with empty inputs."""
    cb = app.callback_map[output]
    inputs = []
    for spec in cb["inputs"]:
        if "ALL" in json.dumps(spec["id"]):
            inputs.append([])
        else:
            value = pathname if spec["property"] == "pathname" else None
            inputs.append({"id": spec["id"], "property": spec["property"], "value": value})
    state = [[] if "ALL" in json.dumps(s["id"]) else {"id": s["id"], "property": s["property"]}
             for s in cb["state"]]
    from dash._utils import split_callback_id

    return {"output": output, "outputs": split_callback_id(output), "inputs": inputs,
            "state": state, "changedPropIds": []}


def _server_callbacks(app) -> dict[str, str]:
    """Output key -> declared permission of every callback that runs on the server."""
    out = {}
    for key, cb in app.callback_map.items():
        if "callback" in cb and "_pages_content" not in key:
            out[key] = getattr(cb["callback"], "_cc_permission", None)
    return out


def test_every_server_callback_declares_a_permission_the_matrix_knows(site):
    app, _engine = site
    declared = _server_callbacks(app)
    assert len(declared) >= 20
    assert all(p == ANY_USER or p in MATRIX for p in declared.values()), declared
    # every page and action of the matrix is used by some page or callback
    used = set(declared.values()) | set(PAGES.values())
    assert set(MATRIX) <= used | {"account.password"}, set(MATRIX) - used


CELLS = [(role, permission) for permission in MATRIX for role in ROLES]


@pytest.mark.parametrize("role,permission", CELLS,
                         ids=[f"{r}-{p}" for r, p in CELLS])
def test_the_role_matrix_cell(site, role, permission):
    """Every page and server callback needing ``permission``, requested by ``role``:
    allowed (not 401/403) exactly where the matrix says, else 403 and audited."""
    app, engine = site
    client = _client(app, role)
    may = allowed(role, permission)
    checked = 0
    for path, perm in PAGES.items():
        if perm != permission:
            continue
        resp = client.get(path)
        assert (resp.status_code == 200) if may else (resp.status_code == 403), (path, resp)
        # the same page through Dash's page router (client-side navigation)
        body = _body(app, next(k for k in app.callback_map if "_pages_content" in k), path)
        resp = client.post("/_dash-update-component", json=body,
                           headers={"X-CSRFToken": _csrf(client)})
        assert (resp.status_code not in (401, 403)) if may else resp.status_code == 403, path
        checked += 1
    for output, perm in _server_callbacks(app).items():
        if perm != permission:
            continue
        with store.session_scope(engine, read_only=True) as s:
            before = store.last_change_id(s)
        resp = client.post("/_dash-update-component", json=_body(app, output),
                           headers={"X-CSRFToken": _csrf(client)})
        if may:
            assert resp.status_code not in (401, 403), (output, resp.get_data(as_text=True))
        else:
            assert resp.status_code == 403, output
            assert t("auth.forbidden", "zh") in resp.get_json()["error"]
            with store.session_scope(engine, read_only=True) as s:
                last = store.list_audit(s, limit=1)[0]
            assert last.audit_id == before + 1 and last.action == "access.denied"
            assert last.actor == f"u-{role}" and last.payload["permission"] == permission
        checked += 1
    assert checked, f"nothing needs {permission}"


def test_without_a_session_pages_go_to_login_and_requests_get_401(site):
    app, _engine = site
    client = app.server.test_client()
    for path in PAGES:
        resp = client.get(path)
        assert resp.status_code == 302 and resp.location.startswith(f"/login?next={path}")
    resp = client.post("/_dash-update-component", json={"output": "screen-change.data"})
    assert resp.status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/login").status_code == 200


def _rows(engine) -> dict:
    with store.session_scope(engine, read_only=True) as s:
        counts = store.table_counts(s)
        return {k: counts[k] for k in ("users", "user_sessions", "incidents", "plans")} | {
            "audit": store.last_change_id(s)}


def _refused_with(engine, before: dict, action: str) -> None:
    """Nothing but one audit entry (``action``) was written."""
    after = _rows(engine)
    assert {k: v for k, v in after.items() if k != "audit"} == \
        {k: v for k, v in before.items() if k != "audit"}
    assert after["audit"] == before["audit"] + 1
    with store.session_scope(engine, read_only=True) as s:
        assert store.list_audit(s, limit=1)[0].action == action


def test_wrong_password_and_unknown_user_get_the_same_clear_message(site):
    app, engine = site
    client = app.server.test_client()
    before = _rows(engine)
    resp = client.post("/login", data={"name": "u-staff", "password": "not-it-at-all"})
    assert resp.status_code == 401 and t("auth.refused.wrong", "zh") in resp.get_data(True)
    _refused_with(engine, before, "login.failed")
    before = _rows(engine)
    resp = client.post("/login", data={"name": "nobody", "password": PASSWORD, "lang": "en"})
    assert resp.status_code == 401
    assert "Wrong user name or password" in resp.get_data(as_text=True)
    _refused_with(engine, before, "login.unknown")
    assert client.get_cookie(SESSION_COOKIE) is None


def test_repeated_failures_lock_the_account_for_a_while(site, ezhou_dataset):
    app, engine = site
    access.add_user(engine, name="locky", role="staff", password=PASSWORD, actor="test",
                    dataset=ezhou_dataset)
    client = app.server.test_client()
    settings = app.server.config["COMMAND_CONTEXT"].settings
    with time_machine.travel(T0, tick=False):
        for _ in range(settings.login_max_failures):
            client.post("/login", data={"name": "locky", "password": "wrong-password!"})
        before = _rows(engine)
        resp = client.post("/login", data={"name": "locky", "password": PASSWORD})
        # locked until 00:15 Beijing: even the right password waits
        assert resp.status_code == 401
        assert t("auth.refused.locked", "zh", until="00:15") in resp.get_data(as_text=True)
        _refused_with(engine, before, "login.locked")
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        assert client.post("/login", data={"name": "locky", "password": PASSWORD}
                           ).status_code == 302


def test_a_disabled_user_cannot_log_in_and_loses_its_session(site, ezhou_dataset):
    app, engine = site
    access.add_user(engine, name="leaver", role="staff", password=PASSWORD, actor="test",
                    dataset=ezhou_dataset)
    client = app.server.test_client()
    client.post("/login", data={"name": "leaver", "password": PASSWORD})
    assert client.get("/").status_code == 200
    access.disable_user(engine, "leaver", actor="test")
    assert client.get("/").status_code == 302  # the session ended with the account
    before = _rows(engine)
    resp = client.post("/login", data={"name": "leaver", "password": PASSWORD})
    assert resp.status_code == 401 and t("auth.refused.disabled", "zh") in resp.get_data(True)
    _refused_with(engine, before, "login.disabled")


def test_an_expired_session_is_no_session(site):
    app, engine = site
    settings = app.server.config["COMMAND_CONTEXT"].settings
    with time_machine.travel(T0, tick=False):
        client = _client(app, "staff")
        assert client.get("/").status_code == 200
    with time_machine.travel(T0 + timedelta(hours=settings.session_hours, seconds=1),
                             tick=False):
        before = _rows(engine)
        assert client.get("/").status_code == 302
        resp = client.post("/_dash-update-component", json=_body(app, "screen-change.data"),
                           headers={"X-CSRFToken": _csrf(client)})
        assert resp.status_code == 401 and resp.get_json()["error"] == t("auth.need_login", "zh")
        assert _rows(engine) == before


def test_the_wall_stays_logged_in_for_weeks(site):
    app, _engine = site
    with time_machine.travel(T0, tick=False):
        client = _client(app, "wall")
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        assert client.get("/").status_code == 200
        assert client.get("/materials").status_code == 403  # still only the screen


def test_a_forged_or_altered_session_cookie_is_refused(site):
    app, engine = site
    client = _client(app, "commander")
    good = client.get_cookie(SESSION_COOKIE).value
    before = _rows(engine)
    for forged in (good[:-2] + ("AA" if not good.endswith("AA") else "BB"), "x" * 40,
                   "InNvbWUtdG9rZW4i.Zm9yZ2Vk"):
        other = app.server.test_client()
        other.set_cookie(SESSION_COOKIE, forged)
        assert other.get("/").status_code == 302
        assert other.post("/_dash-update-component", json={"output": "screen-change.data"}
                          ).status_code == 401
    assert _rows(engine) == before


def test_a_callback_with_another_users_csrf_token_is_refused(site):
    app, engine = site
    officer, planner = _client(app, "duty_officer"), _client(app, "planner")
    body = _body(app, "screen-change.data")
    assert officer.post("/_dash-update-component", json=body,
                        headers={"X-CSRFToken": _csrf(officer)}).status_code == 200
    before = _rows(engine)
    resp = officer.post("/_dash-update-component", json=body,
                        headers={"X-CSRFToken": _csrf(planner)})
    assert resp.status_code == 403 and resp.get_json()["error"] == t("auth.csrf", "zh")
    _refused_with(engine, before, "access.denied")
    assert officer.post("/_dash-update-component", json=body).status_code == 403  # no token


def test_log_out_ends_the_session(site):
    app, _engine = site
    client = _client(app, "staff")
    assert client.get("/").status_code == 200
    token_cookie = client.get_cookie(SESSION_COOKIE).value
    assert client.get("/logout").status_code == 302
    replay = app.server.test_client()
    replay.set_cookie(SESSION_COOKIE, token_cookie)
    assert replay.get("/").status_code == 302  # the old cookie opens nothing


def test_the_next_page_after_log_in_stays_on_this_site(site):
    app, _engine = site
    client = app.server.test_client()
    resp = client.post("/login", data={"name": "u-staff", "password": PASSWORD,
                                       "next": "https://evil.example/x"})
    assert resp.status_code == 302 and resp.location == "/"
    resp = client.post("/login", data={"name": "u-staff", "password": PASSWORD,
                                       "next": "/drills?lang=en"})
    assert resp.location == "/drills?lang=en"


def test_a_role_without_the_screen_lands_on_a_page_it_may_see(site):
    app, _engine = site
    for role, start in (("enterprise", "/inspection"), ("grid_member", "/report")):
        resp = app.server.test_client().post(
            "/login", data={"name": f"u-{role}", "password": PASSWORD, "next": "/"})
        assert resp.status_code == 302 and resp.location == start
    resp = app.server.test_client().post(
        "/login", data={"name": "u-wall", "password": PASSWORD, "next": "/drills"})
    assert resp.location == "/"


def test_the_documented_matrix_is_the_matrix():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "access.md").read_text("utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(ROLES) and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = {r for r, c in zip(ROLES, cells[2:]) if c == "✓"}
    assert rows == {p: set(roles) for p, roles in MATRIX.items()}
