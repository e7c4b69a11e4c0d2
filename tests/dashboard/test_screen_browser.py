"""The command screen in a real headless Chromium (Debian's package): the duty officer's
journey, live updates from a second browser and from the command line, the wall sizes
without scroll bars, and every visible text from the translation table."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_kit import PEOPLE, chromium, fits, keep_screenshot, log_in, server_env, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def server(ezhou_store, people):
    settings, _engine = ezhou_store
    with serving(settings) as url:
        yield url, settings


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _open(browser, url, width=1920, height=1080, user="wangwei"):
    """A new browser context (its own cookies) logged in as ``user`` on ``url``."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    log_in(page, url, user)
    page.wait_for_selector("#screen-map .main-svg", timeout=30_000)
    page.wait_for_selector("#screen-kpis .kpi", timeout=30_000)
    return page


def _shot(page, name: str, tmp_path) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    keep_screenshot(shot)
    return shot


def _wait_text(page, selector: str, text: str, timeout_ms: int) -> float:
    """Seconds until ``text`` shows in ``selector`` (fails after ``timeout_ms``)."""
    t0 = time.monotonic()
    page.wait_for_function(
        "([sel, txt]) => { const e = document.querySelector(sel); return e && e.innerText.includes(txt); }",
        arg=[selector, text], timeout=timeout_ms, polling=50)
    return time.monotonic() - t0


def _create(page, lat="30.39", lon="114.89"):
    page.fill("#inc-lat", lat)
    page.press("#inc-lat", "Tab")
    page.fill("#inc-lon", lon)
    page.press("#inc-lon", "Tab")
    page.click("#inc-create")
    page.wait_for_selector("#rec-rows tbody tr", timeout=20_000)
    return page.inner_text("#rec-summary").split(" ")[1]  # 事件 <id> 已创建 ...


def test_duty_officer_journey_and_a_second_browser(server, browser, tmp_path):
    url, _settings = server
    page = _open(browser, url)
    assert "应急指挥" in page.inner_text("header")
    assert "王伟" in page.inner_text("#who")  # who is logged in, by name and role
    other = _open(browser, url, user="wall")  # the video wall watches
    # a click on the map picks a place: the form's coordinates fill in
    box = page.locator("#screen-map .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_function("document.querySelector('#inc-lat').value !== ''", timeout=10_000)
    assert 29.9 < float(page.input_value("#inc-lat")) < 30.7
    incident_id = _create(page)
    assert incident_id.startswith("I-")
    rows = page.locator("#rec-rows tbody tr")
    assert rows.count() >= 2 and "分钟" in rows.first.inner_text()
    assert "待批准" in page.inner_text("#screen-plan")
    # the second browser sees the new incident within 2 s
    assert _wait_text(other, "#screen-incidents", incident_id, 2_000) <= 2.0
    # approve: the plan's units are dispatched, on both screens
    page.click("#screen-plan .act.go")
    _wait_text(page, "#screen-active", "已调派", 5_000)
    assert _wait_text(other, "#screen-active", "已调派", 2_000) <= 2.0
    assert "已批准" in page.inner_text("#screen-plan")
    n_units = page.locator("#screen-active .unit").count()
    assert n_units >= 2
    # the unit's next step: en route
    page.locator("#screen-active .unit .act").first.click()
    _wait_text(page, "#screen-active", "途中", 5_000)
    assert _wait_text(other, "#screen-active", "途中", 2_000) <= 2.0
    assert "wangwei" in page.inner_text("#screen-ticker")
    page.wait_for_timeout(300)
    _shot(page, "screen-1920.png", tmp_path)
    dims = fits(page)
    assert dims["docH"] <= dims["vh"] and dims["docW"] <= dims["vw"], dims
    # the elapsed time ticks in the browser
    first = page.inner_text("#screen-incidents .elapsed")
    page.wait_for_timeout(1500)
    assert page.inner_text("#screen-incidents .elapsed") != first


def test_the_audit_names_the_officer_and_a_planner_cannot_approve(server, browser):
    """A duty officer logs in, creates an incident, approves its plan: the audit entry
    names that user. A planner sees the plan without the buttons, and a forged approval
    from the planner's browser is refused with 403 and audited."""
    from command import store

    url, settings = server
    officer = _open(browser, url)
    incident_id = _create(officer)
    planner = _open(browser, url, user="planner1")
    _wait_text(planner, "#screen-plan", incident_id, 5_000)
    assert planner.locator("#screen-plan .act").count() == 0  # no approve, modify, reject
    assert planner.locator("#inc-create").count() == 0
    # the planner's browser posts the approval the button would have sent
    plan_id = officer.locator("#screen-plan .act.go").get_attribute("id")
    target = json.loads(plan_id)["target"]
    csrf = next(c["value"] for c in planner.context.cookies() if c["name"] == "_csrf_token")
    forged = planner.evaluate(
        """async ([target, csrf]) => {
            const deps = await (await fetch('/_dash-dependencies')).json();
            const cb = deps.find(d => d.inputs.some(i => i.id.includes('act-decide')));
            const r = await fetch('/_dash-update-component', {method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
              body: JSON.stringify({output: cb.output, outputs: [], changedPropIds: [],
                inputs: [[{id: {type: 'act-decide', op: 'approve', target: target},
                           property: 'n_clicks', value: 1}]],
                state: [[], [], {id: 'screen-lang', property: 'data', value: 'zh'}]})});
            return [r.status, await r.text()];
        }""", [target, csrf])
    assert forged[0] == 403, forged
    with store.session_scope(store.engine_for(settings), read_only=True) as s:
        last = store.list_audit(s, limit=1)[0]
        plan = store.get_plan(s, int(target))
    assert (last.actor, last.action, last.payload["permission"]) == \
        ("planner1", "access.denied", "plan.decide")
    assert plan.status == "proposed"
    # the officer approves: the audit entry names the authenticated officer
    officer.click("#screen-plan .act.go")
    _wait_text(officer, "#screen-plan", "已批准", 5_000)
    with store.session_scope(store.engine_for(settings), read_only=True) as s:
        approved = [e for e in store.list_audit(s, limit=10) if e.action == "plan.approved"]
    assert approved and approved[0].actor == "wangwei"


def test_a_change_from_the_command_line_shows_within_2_s(server, browser):
    url, settings = server
    page = _open(browser, url)
    out = subprocess.run([sys.executable, "-m", "command", "recommend", "--lat", "30.40",
                          "--lon", "114.86", "--type", "medical", "--record", "--json"],
                         env=server_env(settings), capture_output=True, text=True, timeout=120)
    done = time.monotonic()
    assert out.returncode == 0, out.stderr
    incident_id = json.loads(out.stdout)["incident_id"]
    page.wait_for_function(
        "(id) => document.querySelector('#screen-incidents').innerText.includes(id)",
        arg=incident_id, timeout=5_000, polling=50)
    assert time.monotonic() - done <= 2.0
    assert "急救" in page.inner_text("#screen-incidents")
    assert "cli" in page.inner_text("#screen-ticker")


@pytest.mark.parametrize("width,height", [(1920, 1080), (3840, 2160)])
def test_wall_sizes_have_no_scroll_bars(server, browser, tmp_path, width, height):
    url, settings = server
    for lon in ("114.89", "114.80", "114.70"):
        subprocess.run([sys.executable, "-m", "command", "recommend", "--lat", "30.39",
                        "--lon", lon, "--type", "fire", "--record"], env=server_env(settings),
                       capture_output=True, timeout=120, check=True)
    page = _open(browser, url, width, height)
    page.wait_for_selector("#rec-rows tbody tr", timeout=20_000)
    page.click("#screen-plan .act.go")
    _wait_text(page, "#screen-active", "已调派", 5_000)
    # the map's legend follows the wall's height (18 px at 1080)
    page.wait_for_function(
        "(px) => [...document.querySelectorAll('#screen-map .legendtext')].every("
        "(e) => parseFloat(e.style.fontSize) >= px)", arg=17.5 * height / 1080, timeout=5_000)
    page.wait_for_timeout(300)
    _shot(page, f"screen-{width}.png" if width != 1920 else "screen-1920-busy.png", tmp_path)
    dims = fits(page)
    assert dims["docH"] <= dims["vh"] and dims["docW"] <= dims["vw"], dims
    # big type: the KPI figures are at least 4 % of the screen height
    kpi_px = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.kpi .v')).fontSize)")
    assert kpi_px >= 0.035 * height


# Text nodes of the page that are visible (the map's legend included).
_TEXTS_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode, s = n.textContent.trim();
    if (!s) continue;
    const el = n.parentElement;
    if (!el || el.closest('script, style, noscript')) continue;
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || cs.display === 'none'
        || parseFloat(cs.opacity) === 0) continue;
    out.push(s);
  }
  return out;
}"""


def _pattern(text: str) -> str:
    """A translation's format string as a regular expression ({field} -> anything)."""
    parts = re.split(r"\{[^{}]*\}", text)
    return ".+?".join(re.escape(p) for p in parts)


def _data_words(dataset) -> set[str]:
    words = {display for _role, display, _scope in PEOPLE.values()} | set(PEOPLE)  # people
    for group in (dataset.teams, dataset.agencies, dataset.bases, dataset.depots,
                  dataset.hospitals, dataset.shelters, dataset.items):
        for x in group:
            words.update(str(getattr(x, a)) for a in ("unit_id", "name_zh", "name_en",
                                                       "unit", "unit_en")
                         if hasattr(x, a))
    return words


def _assert_all_translated(texts: list[str], lang: str, dataset) -> None:
    from command.i18n import TABLE

    k = 1 if lang == "en" else 0
    values = {v[k] for v in TABLE.values()}
    # a template counts only when its own words are on the page ("{share:.0%}" alone
    # would match anything)
    patterns = re.compile("|".join(
        f"(?:{_pattern(v[k])})" for v in TABLE.values()
        if "{" in v[k] and re.search(r"[A-Za-z\u4e00-\u9fff]", re.sub(r"\{[^{}]*\}", "", v[k]))))
    assert not patterns.fullmatch("Hello world") and not patterns.fullmatch("你好世界")
    data = _data_words(dataset)
    number_or_time = re.compile(r"[\d\s:.,%/·\-—+−\[\]]+")  # +/− : the number steppers
    ident = re.compile(r"(?:[IDP]-)?[\w\-]+\d[\w\-]*")
    quantity = re.compile(r"[\d.,]+\s*(.+)")  # "1,550 顶": a number and an item's unit

    def quantity_of_data(s: str) -> bool:
        m = quantity.fullmatch(s)
        return bool(m) and m.group(1) in data

    # A label put together from several translated or data parts ("危化品泄漏 I-…",
    # "吸附棉 200 kg、重型防化服 6 套"): once every table value and data word in it is
    # taken out, only numbers, ids and punctuation may be left.
    units = {u for i in dataset.items for u in (i.unit, i.unit_en)}  # 套, t ...
    words = sorted({w for w in values | data if len(w) >= 2} | units, key=len, reverse=True)
    leftover = re.compile(r"[\s\d.,:;%/·\-—+−→、，；（）()\[\]]*")

    def composed(s: str) -> bool:
        rest = s
        for w in words:
            if w in rest:
                rest = rest.replace(w, " ")
        rest = ident.sub(" ", rest)
        return bool(leftover.fullmatch(rest))

    stray = [s for s in texts if s not in values and s not in data
             and not number_or_time.fullmatch(s) and not ident.fullmatch(s)
             and not patterns.fullmatch(s) and not quantity_of_data(s) and not composed(s)]
    assert not stray, stray
    if lang == "en":
        def without_data(s: str) -> str:  # people's and places' names stay as they are
            for w in sorted(data, key=len, reverse=True):
                s = s.replace(w, " ")
            return s
        assert not [s for s in texts if re.search(r"[\u4e00-\u9fff]", without_data(s))
                    and s != TABLE["app.lang_toggle"][1]], \
            "Chinese text on the English screen"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_visible_text_comes_from_the_translation_table(server, browser, lang,
                                                            ezhou_dataset):
    url, settings = server
    subprocess.run([sys.executable, "-m", "command", "recommend", "--lat", "30.39",
                    "--lon", "114.89", "--type", "fire", "--record"], env=server_env(settings),
                   capture_output=True, timeout=120, check=True)
    page = _open(browser, url + ("?lang=en" if lang == "en" else ""))
    page.wait_for_selector("#rec-rows tbody tr", timeout=20_000)
    page.click("#screen-plan .act.go")
    page.wait_for_selector("#screen-active .unit", timeout=5_000)
    page.locator("#screen-active .unit .act").first.click()
    page.wait_for_timeout(1500)
    texts = page.evaluate(_TEXTS_JS)
    assert len(texts) > 60
    _assert_all_translated(texts, lang, ezhou_dataset)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", ["/materials", "/drills", "/account", "/admin", "/decide",
                                  "/liaison"])
def test_other_pages_speak_only_from_the_translation_table(server, browser, lang, path,
                                                           ezhou_dataset):
    url, settings = server
    subprocess.run([sys.executable, "-m", "command", "recommend", "--lat", "30.39",
                    "--lon", "114.89", "--type", "hazmat_leak", "--record"],
                   env=server_env(settings), capture_output=True, timeout=120, check=True)
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    user = "admin1" if path == "/admin" else "zhang"
    log_in(page, url + path.lstrip("/") + ("?lang=en" if lang == "en" else ""), user)
    page.wait_for_selector(".card h2", timeout=30_000)
    page.wait_for_timeout(6000)  # the materials plan is solved in the background
    texts = page.evaluate(_TEXTS_JS)
    assert len(texts) > 12
    _assert_all_translated(texts, lang, ezhou_dataset)


def _hazmat_grade1(settings, network, dataset, *, others: int = 6) -> tuple[str, int]:
    """A grade-1 hazmat leak at a hazard source (30+ units proposed) after ``others``
    small incidents, recorded through the application layer; (incident id, plan id)."""
    from command import store
    from command.app.incidents import create_and_recommend

    engine = store.engine_for(settings)
    try:
        for k in range(others):
            create_and_recommend(engine, network, dataset, incident_type="medical",
                                 lat=30.39, lon=114.80 + 0.02 * k, priority=3, actor="test",
                                 limit=settings.recommend_limit,
                                 max_snap_distance_m=settings.max_snap_distance_m)
        hz = dataset.hazard_sources[0]
        incident_id, plan_id, rec = create_and_recommend(
            engine, network, dataset, incident_type="hazmat_leak", lat=hz.lat, lon=hz.lon,
            priority=1, grade=1, actor="test", limit=settings.recommend_limit,
            max_snap_distance_m=settings.max_snap_distance_m)
    finally:
        engine.dispose()
    assert plan_id is not None and sum(o.routed for o in rec.options) >= 20
    return incident_id, plan_id


# The element at the centre of the approve button, and whether that centre lies in the
# viewport: a button below the fold (or under another panel) is not hit there.
_HIT_JS = """() => {
  const b = document.querySelector('#screen-plan .act.go');
  const r = b.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const inside = x >= 0 && y >= 0 && x < window.innerWidth && y < window.innerHeight;
  const e = document.elementFromPoint(x, y);
  return {inside, hit: !!e && (e === b || b.contains(e)), y, vh: window.innerHeight};
}"""


@pytest.mark.parametrize("width,height", [(1920, 1080), (3840, 2160)])
def test_a_grade1_hazmat_plan_keeps_its_decision_bar_on_screen(
        server, browser, tmp_path, ezhou_network, ezhou_dataset, width, height):
    url, settings = server
    incident_id, _plan_id = _hazmat_grade1(settings, ezhou_network, ezhou_dataset)
    page = _open(browser, url, width, height)
    _wait_text(page, "#screen-plan", incident_id, 10_000)
    assert page.locator("#rec-rows tbody tr").count() >= 20
    hit = page.evaluate(_HIT_JS)
    assert hit["inside"] and hit["hit"], hit
    assert page.locator("#screen-incidents .inc").count() == 7  # the list keeps its rows
    assert page.locator("#screen-incidents .inc").first.is_visible()
    dims = fits(page)
    assert dims["docH"] <= dims["vh"] and dims["docW"] <= dims["vw"], dims
    page.click("#screen-plan .act.go")  # a real click at the button
    _wait_text(page, "#rec-summary", "已记录", 10_000)
    _wait_text(page, "#screen-plan", "已批准", 10_000)
    assert page.locator("#screen-active .unit").count() >= 20
    assert page.locator("#screen-incidents .inc").count() == 7
    page.wait_for_timeout(300)
    _shot(page, f"screen-hazmat-{width}.png", tmp_path)
    dims = fits(page)
    assert dims["docH"] <= dims["vh"] and dims["docW"] <= dims["vw"], dims
    # the active units scroll inside their panel, which keeps a minimum height
    active = page.evaluate("""() => { const e = document.querySelector('#screen-active');
        return {h: e.clientHeight, sh: e.scrollHeight, oy: getComputedStyle(e).overflowY}; }""")
    assert active["oy"] == "auto" and active["h"] > 0 and active["sh"] > active["h"], active
