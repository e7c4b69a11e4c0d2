"""The periodic rating page as plain functions: a run as the acting user, its status line
and report, and the run button only for roles that may run it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from command import store
from command.app.risk import seed_register
from command.i18n import t


@pytest.fixture
def page(page_of):
    return page_of("rating")


def test_a_run_reviews_the_register_and_says_so(ctx, page):
    seed_register(ctx.engine, ctx.dataset)
    with time_machine.travel(datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC), tick=False):
        report, status = page.run(ctx, "staff1", "year", "en")
    assert report["period"] == "year" and report["reviewed"] == len(ctx.dataset.hazard_sources)
    assert status == t("rating.page.done", "en", changed=len(report["changes"]),
                       overdue=len(report["overdue"]), reviewed=report["reviewed"])
    with store.session_scope(ctx.engine, read_only=True) as s:
        last = store.list_audit(s, limit=1)[0]
    assert (last.actor, last.action) == ("staff1", "risk.rated")
    bad, message = page.run(ctx, "staff1", "decade", "en")
    assert bad is None and message.startswith("Not done:") and "decade" in message


def test_only_roles_that_may_run_it_get_the_button(page, request_as):
    for role, has in (("staff", True), ("commander", True), ("planner", False),
                      ("admin", False)):
        with request_as(page.app, role):
            assert ("rating-run" in str(page.layout("zh"))) == has, role
