"""The users page (administrators) and the account page, as plain functions on a real
store: what the buttons do, and the messages a person reads."""

from __future__ import annotations

import pytest

from command.app import access
from command.i18n import t

PASSWORD = "a-good-password-1"


@pytest.fixture
def pages(page_of):
    return page_of("admin"), page_of("account")


def test_an_administrator_adds_disables_and_resets(ctx, pages):
    admin, _account = pages
    msg, done = admin.add(ctx, "root", "li", "李联络", "liaison", "agency:fire", PASSWORD, "zh")
    assert done and msg == t("admin.done", "zh", what=f"{t('admin.add', 'zh')} li")
    users = {u["name"]: u for u in access.list_users(ctx.engine)}
    assert users["li"]["role"] == "liaison" and users["li"]["agency_id"] == "fire"
    table = str(admin.users_table(access.list_users(ctx.engine), "en"))
    assert "Liaison officer" in table and "Disable" in table
    # every problem named with its field, nothing written
    msg, done = admin.add(ctx, "root", "x y", "", "liaison", None, "short", "en")
    assert not done and "field 'name'" in msg and "field 'agency'" in msg
    assert "field 'password'" in msg and len(access.list_users(ctx.engine)) == 1
    assert admin.act(ctx, "root", "disable", "li", None, "en") == "Recorded: Disable li"
    assert not access.list_users(ctx.engine)[0]["enabled"]
    bad = admin.act(ctx, "root", "reset", "li", "short", "en")
    assert bad.startswith("Not done:") and "at least 10 characters" in bad
    assert admin.act(ctx, "root", "enable", "li", None, "zh") == "已记录：启用 li"
    assert admin.act(ctx, "root", "reset", "li", "another-good-1", "zh").startswith("已记录")
    grant = access.log_in(ctx.engine, ctx.settings, "li", "another-good-1")
    assert grant.user.role == "liaison"


def test_a_person_changes_their_own_password(ctx, pages):
    _admin, account = pages
    access.add_user(ctx.engine, name="staff1", role="staff", password=PASSWORD, actor="t")
    user = access.User("staff1", "staff1", "staff")
    assert account.change_password(ctx, user, PASSWORD, "new-password-22", "new-password-23",
                                   "en") == (t("account.mismatch", "en"), False)
    assert account.change_password(ctx, user, "wrong-one-here", "new-password-22",
                                   "new-password-22", "en") == \
        (t("account.wrong_current", "en"), False)
    assert account.change_password(ctx, user, PASSWORD, "new-password-22", "new-password-22",
                                   "zh") == (t("account.changed", "zh"), True)
    assert access.log_in(ctx.engine, ctx.settings, "staff1", "new-password-22")


def test_the_account_page_lists_what_the_role_may_use(ctx, pages, request_as):
    _admin, account = pages
    with request_as(account.app, "enterprise", "e1"):
        text = str(account.layout("en"))
    assert "Enterprise safety officer" in text and "Change password" in text
    assert "Command screen" not in text  # not a page this role may see
    with request_as(account.app, "wall"):
        assert "acct-save" not in str(account.layout("zh"))  # the kiosk keeps its password
