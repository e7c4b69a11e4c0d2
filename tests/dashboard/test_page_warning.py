"""The early-warning page as plain functions: the map by state, the chart with its
thresholds and predicted crossing, alerts acknowledged by the acting user, faults; the
acknowledge button only for roles that may acknowledge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command import store
from command.app import warning as app
from command.clock import utc_now
from command.i18n import t
from command.store import warning as ws


@pytest.fixture
def page(page_of):
    return page_of("warning")


@pytest.fixture
def alerting(ctx):
    app.seed_sensors(ctx.engine, ctx.settings, ctx.dataset)
    now = utc_now()
    with store.session_scope(ctx.engine) as s:
        ws.insert_readings(s, [("HZ07-CL2-01", now - timedelta(seconds=2 * (30 - i)),
                                0.2 + 0.03 * i) for i in range(30)])
        rec = ws.save_alert(s, {"sensor_id": "HZ07-CL2-01", "level": "yellow", "state": "open",
                                "value": 1.07, "opened_at": now, "raised_at": now},
                            actor="ingest", action="alert.opened", now=now)
        ws.raise_fault(s, "HZ09-LEL-01", "flat_line", at=now, value=1.0)
    return rec.alert_id


def test_panels_show_states_alerts_and_faults(ctx, page, alerting, request_as):
    with request_as(page.app, "duty_officer"):
        fig, alerts, faults = page.panels(ctx, "en", "duty_officer")
    names = {tr.name: len(tr.x) for tr in fig.data if tr.name}
    assert names[t("warning.state.yellow", "en")] == 1  # its open alert's level
    assert names[t("warning.state.fault", "en")] == 1
    assert "warning-ack" in str(alerts) and "HZ07-CL2-01" in str(alerts)
    assert t("warning.fault.flat_line", "en") in str(faults)
    _fig, alerts, _faults = page.panels(ctx, "zh", "planner")
    assert "warning-ack" not in str(alerts)  # a planner reads, does not acknowledge


def test_chart_has_thresholds_and_the_predicted_crossing(ctx, page, alerting):
    fig, text = page.chart_view(ctx, "HZ07-CL2-01", "en")
    names = [tr.name for tr in fig.data]
    assert {"Blue 0.5", "Yellow 1", "Orange 2", "Red 10"} <= set(names)
    assert t("warning.chart.predicted", "en") in names
    # 1.07 ppm now (yellow), rising 0.9 ppm/min: orange (2 ppm) in about 1.0 min
    assert text.startswith("Reaches the Orange threshold 2") and "about 1.0 min" in text


def test_acknowledge_as_the_user(ctx, page, alerting):
    assert page.acknowledge(ctx, str(alerting), "王伟", "en") == t("warning.acked", "en",
                                                                   alert_id=alerting)
    with store.session_scope(ctx.engine, read_only=True) as s:
        rec = ws.get_alert(s, alerting)
        last = store.list_audit(s, limit=1)[0]
    assert (rec.state, rec.acknowledged_by) == ("acknowledged", "王伟")
    assert (last.actor, last.action) == ("王伟", "alert.acknowledged")
    again = page.acknowledge(ctx, str(alerting), "王伟", "en")
    assert again.startswith("Failed") and "acknowledged" in again


def test_layout_renders_for_a_reader(ctx, page, alerting, request_as):
    with request_as(page.app, "expert"):
        text = str(page.layout("zh"))
    assert "warning-chart" in text and t("warning.title", "zh") in text
