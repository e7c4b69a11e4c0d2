"""Risk assessment in a real headless Chromium: an enterprise's safety officer submits a
self-inspection with failed items and sees the proposed grade and the measures; a
supervisor confirms it; it shows on the risk map in its colour and in the register's
history."""

from __future__ import annotations

import pytest
from browser_kit import chromium, keep_screenshot, log_in, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def server(ezhou_store, people, ezhou_dataset):
    from command.app.risk import seed_register

    settings, engine = ezhou_store
    seed_register(engine, ezhou_dataset)
    with serving(settings) as url:
        yield url


def _page(browser, url, user):
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, url, user)
    return page


def test_self_inspection_confirmed_onto_the_map_and_into_the_history(server, tmp_path):
    with chromium() as browser:
        officer = _page(browser, server, "zhao")  # lands on the self-inspection page
        officer.wait_for_selector(".insp-item", timeout=30_000)
        assert "危险化学品" in officer.inner_text(".pg-inspection h2")
        items = officer.locator(".insp-item")
        assert items.count() == 8
        items.nth(1).get_by_text("不符合").click()  # HC02 gas detectors: severity 5, weight 3
        items.nth(6).get_by_text("不符合").click()  # HC07 certificates: severity 2, weight 1
        officer.click("#insp-submit")
        officer.wait_for_selector("#insp-grade", timeout=20_000)
        # 4 of 18 weight failed -> L 3, S 5, R 15: orange, with the two measures
        assert officer.inner_text("#insp-grade") == "系统建议等级：橙"
        assert "R = L × S = 15" in officer.inner_text("#insp-result")
        measures = officer.locator(".insp-measures li")
        assert measures.count() == 2 and "检测报警" in measures.first.inner_text()
        shot = tmp_path / "inspection-submitted.png"
        officer.screenshot(path=str(shot))
        keep_screenshot(shot)

        supervisor = _page(browser, server + "inspection", "staff1")
        supervisor.wait_for_selector(".insp-case", timeout=30_000)
        assert "葛店开发区化工企业" in supervisor.inner_text(".insp-case")
        supervisor.locator(".insp-case .act.go").first.click()
        supervisor.wait_for_function(
            "document.querySelector('#insp-decided').innerText.includes('确认并纳入清单')",
            timeout=20_000)

        supervisor.goto(server + "risk")
        supervisor.wait_for_selector("#risk-rows", timeout=30_000)
        supervisor.wait_for_selector("#risk-map .main-svg", timeout=30_000)
        row = supervisor.locator("#risk-rows tbody tr", has_text="葛店开发区化工企业")
        assert row.locator(".g-orange").inner_text() == "橙"
        # on the map: in the orange layer
        names = supervisor.evaluate("""() => {
            const g = document.querySelector('#risk-map .js-plotly-plot')
                || document.getElementById('risk-map');
            return g.data.filter(d => d.name === '橙').flatMap(d => d.text);
        }""")
        assert any("葛店开发区化工企业" in n for n in names), names
        row.click()
        supervisor.wait_for_selector("#risk-history-rows tbody tr", timeout=10_000)
        history = supervisor.inner_text("#risk-history-rows")
        assert "staff1" in history and "橙" in history and "self-inspection 1 confirmed" in history
        shot = tmp_path / "risk-map.png"
        supervisor.screenshot(path=str(shot))
        keep_screenshot(shot)
