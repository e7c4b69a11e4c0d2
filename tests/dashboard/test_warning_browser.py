"""End to end: a scripted chlorine ramp at HZ07 goes through the ingest (the function the
MQTT callback calls), reaches red, and within 5 s of the red reading the command screen
in a real headless Chromium shows the incident, the hazard zone, the closed roads and
the recommended plan, with the avoidance chain's steps."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from browser_kit import chromium, keep_screenshot, log_in, serving

from command.app import avoidance
from command.app import warning as app
from command.app.warning_ingest import Ingest
from command.clock import utc_now
from command.i18n import t
from command.warning.messages import encode_message
from dashboard.views.screen import SLOTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

#: The chlorine cells ramp from 0.15 ppm to 12 ppm (red is 10 ppm) in 2 s steps.
RAMP = [0.15, 0.16, 0.4, 0.8, 1.3, 2.0, 3.5, 5.0, 6.5, 8.0, 9.5, 11.0, 12.0]


def test_chlorine_ramp_puts_incident_zone_roads_and_plan_on_the_screen(
        ezhou_store, people, ezhou_network, ezhou_dataset, tmp_path):
    settings, engine = ezhou_store
    app.seed_sensors(engine, settings, ezhou_dataset)
    sensors = app.registry_from_store(engine)
    ing = Ingest(engine, sensors, on_red=lambda alert, spec: avoidance.run_chain(
        engine, ezhou_network, ezhou_dataset, settings, alert_id=alert.alert_id,
        hazard_id=spec.hazard_id))
    start = utc_now() - timedelta(seconds=2 * len(RAMP) + 5)

    def feed(values, offset):
        for i, v in enumerate(values, start=offset):
            at = start + timedelta(seconds=2 * i)
            ing.handle(encode_message("WX-GEDIAN-WS", at, 3.0, "m/s"))
            ing.handle(encode_message("WX-GEDIAN-WD", at, 45.0, "deg"))
            ing.handle(encode_message("HZ07-CL2-01", at, v, "ppm"))
            ing.handle(encode_message("HZ07-CL2-02", at + timedelta(seconds=1), v * 0.9, "ppm"))
        ing.flush()

    with serving(settings) as url, chromium() as browser:
        page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        log_in(page, url, "wangwei")
        page.wait_for_selector("#screen-map .main-svg", timeout=30_000)
        page.wait_for_selector("#screen-avoid", timeout=30_000)
        red_at = RAMP.index(11.0)
        feed(RAMP[:red_at], 0)  # up to orange: alerts, no chain
        assert avoidance.latest_chain(engine) is None
        t_red = time.monotonic()
        worker = threading.Thread(target=feed, args=(RAMP[red_at:], red_at), daemon=True)
        worker.start()  # the red reading: the chain runs as the ingest's callback
        plan_text = t("avoid.name.plan", "zh")
        page.wait_for_function(
            """([sel, txt, zones, closed]) => {
                const e = document.querySelector(sel);
                const gd = document.querySelector('#screen-map .js-plotly-plot');
                if (!e || !e.innerText.includes(txt) || !gd || !gd.data) return false;
                const has = (i) => gd.data[i] && gd.data[i].x && gd.data[i].x.some(v => v !== null);
                return zones.some(has) && has(closed);
            }""", arg=["#screen-avoid", plan_text,
                       [SLOTS[f"zones.{g}"] for g in ("red", "orange", "yellow")],
                       SLOTS["closed"]], timeout=30_000, polling=100)
        seconds = time.monotonic() - t_red
        worker.join(timeout=60)
        chain = avoidance.latest_chain(engine)
        assert chain.status == "done" and chain.plan_id is not None
        page.wait_for_function(
            "([id]) => document.querySelector('#screen-incidents').innerText.includes(id)",
            arg=[chain.incident_id], timeout=5_000)
        panel = page.inner_text("#screen-avoid")
        for step in avoidance.STEPS:
            assert t(f"avoid.name.{step}", "zh") in panel, step
        # the plan's rows (the screen shows the incident first, its plan on the next update)
        page.wait_for_function(
            "() => document.querySelector('#screen-plan').innerText.split('\\n').length > 2",
            timeout=5_000)
        shot = tmp_path / "warning-chain.png"
        page.screenshot(path=str(shot))
        keep_screenshot(shot)
        print(f"red reading -> incident, zone, roads and plan on the screen: {seconds:.2f} s")
        assert seconds <= 5.0, f"{seconds:.2f} s from the red reading to the screen"
