"""Properties of the closed loop and the grid roll-up over a real store.

* Random sequences of (user, step) through :func:`command.app.hazards.advance_hazard`: a
  step is accepted exactly when the lifecycle's table allows it for the user's role, an
  accepted step adds its audit entry with the authenticated user, and a refused one
  writes nothing.
* Random daily reports and hazards in the store: the city's summary of a day equals the
  sum of its towns', which equal the sums of their communities'.
* Daily reports: filed for one's own cells, replaced on a second filing, refused with the
  field named. The clock is pinned.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from command import store
from command.app import access, grids
from command.app import hazards as hz
from command.errors import AccessError, DataError
from command.hazards import lifecycle
from command.hazards.kinds import KINDS
from command.hazards.rollup import OPEN_STATES

T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing
PASSWORD = "a-good-password-1"
ROLES = ("staff", "duty_officer", "commander", "expert", "planner", "grid_member")
FIELDS = {"assess": {"level": "major", "reason": "r"}, "reject": {"reason": "duplicate"},
          "remediate": {"responsible": "u_staff", "measures": "m", "budget_yuan": 10.0}}


@pytest.fixture(scope="module")
def loop_site(ezhou_settings, ezhou_dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("loop")
    settings = ezhou_settings.replace(database_url=f"sqlite:///{path / 'command.db'}",
                                      data_dir=path)
    store.init_db(settings, ezhou_dataset, actor="test")
    engine = store.engine_for(settings)
    users = {r: access.add_user(engine, name=f"u_{r}", role=r, password=PASSWORD,
                                actor="test", now=T0 - timedelta(days=1),
                                **({"grid": "GC-EZ"} if r == "grid_member" else {}))
             for r in ROLES}
    yield settings, engine, users
    engine.dispose()


def _last(engine) -> int:
    with store.session_scope(engine, read_only=True) as s:
        return store.last_change_id(s)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_steps_are_accepted_exactly_when_the_table_allows_them(loop_site, data):
    settings_, engine, users = loop_site
    now = T0
    hid = hz.report_hazard(engine, settings_, user=users["grid_member"],
                           grid_id="GM-fenghuang-02", kind=data.draw(st.sampled_from(KINDS)),
                           description="random walk", now=now)["hazard_id"]
    state = "found"
    for _ in range(data.draw(st.integers(1, 12))):
        role = data.draw(st.sampled_from(ROLES))
        to = data.draw(st.sampled_from(lifecycle.STATES + ("nowhere",)))
        now += timedelta(minutes=7)
        rule = next((r for r in lifecycle.TRANSITIONS
                     if r.source == state and r.target == to), None)
        fields = FIELDS.get(rule.action, {}) if rule else {}
        if rule and rule.action == "remediate":
            fields = {**fields, "deadline": now + timedelta(days=5)}
        before = _last(engine)
        if rule is not None and role in rule.roles:
            out = hz.advance_hazard(engine, settings_, hid, to, user=users[role], note="n",
                                    fields=fields, now=now)
            assert out["state"] == to
            with store.session_scope(engine, read_only=True) as s:
                entries = [e for e in store.list_audit(s, limit=200) if e.audit_id > before]
            step = [e for e in entries if e.action == f"hazard.{rule.action}"]
            assert len(step) == 1 and step[0].actor == f"u_{role}"
            assert step[0].subject == f"hazard:{hid}" and step[0].payload["from"] == state
            state = to
        else:
            with pytest.raises((DataError, AccessError)):
                hz.advance_hazard(engine, settings_, hid, to, user=users[role], note="n",
                                  fields=fields, now=now)
            assert _last(engine) == before
    card = hz.detail(engine, hid, user=users["staff"], now=now)
    assert card["state"] == state


def _sum(rows, field):
    return sum(getattr(r, field) for r in rows)


FIELDS_SUMMED = ("reports_expected", "reports_received", "patrols_done", "hazards_found",
                 "hazards_new", "overdue", "closed_on_time", "closed_late", "open_total")


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_each_level_of_the_stored_roll_up_is_the_sum_of_the_one_below(loop_site, data):
    settings_, engine, users = loop_site
    grid = hz.grid_of(engine)
    communities = [g for g, c in grid.cells.items() if c.level == "community"]
    day = data.draw(st.dates(min_value=datetime(2027, 1, 1).date(),
                             max_value=datetime(2027, 12, 31).date()))
    now = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 Beijing
    for gid in data.draw(st.lists(st.sampled_from(communities), max_size=12, unique=True)):
        grids.file_daily_report(engine, user=users["grid_member"], grid_id=gid,
                                patrol_done=data.draw(st.booleans()),
                                hazards_found=data.draw(st.integers(0, 3)), now=now)
    for gid in data.draw(st.lists(st.sampled_from(communities), max_size=4)):
        hz.report_hazard(engine, settings_, user=users["grid_member"], grid_id=gid,
                         kind=data.draw(st.sampled_from(KINDS)), description="d", now=now)
    rows = grids.day_summaries(engine, day, now=now + timedelta(days=data.draw(
        st.integers(0, 3))))
    by_id = {r.grid_id: r for r in rows}
    city = by_id["GC-EZ"]
    towns = [by_id[g] for g in grid.children["GC-EZ"]]
    for field in FIELDS_SUMMED:
        assert getattr(city, field) == _sum(towns, field)
        for town in towns:
            kids = [by_id[g] for g in grid.children[town.grid_id]]
            assert getattr(town, field) == _sum(kids, field)
    for state in OPEN_STATES:
        assert city.open_by_state[state] == sum(t.open_by_state[state] for t in towns)
    assert city.reports_expected == len(communities)  # one member per community cell


@pytest.fixture
def grid_site(ezhou_store):
    settings, engine = ezhou_store
    users = {name: access.add_user(engine, name=name, role=role, password=PASSWORD,
                                   actor="test", now=T0 - timedelta(days=1), **scope)
             for name, role, scope in (("gm", "grid_member", {"grid": "GT-fenghuang"}),
                                       ("staff", "staff", {}))}
    return settings, engine, users


def test_daily_reports_are_filed_replaced_and_summed(grid_site):
    settings, engine, users = grid_site
    out = grids.file_daily_report(engine, user=users["gm"], grid_id="GM-fenghuang-01",
                                  patrol_done=True, hazards_found=2, issues="路灯坏", now=T0)
    # 00:00:20 Beijing on 4 December: the report is of the 4th
    assert out == {"grid_id": "GM-fenghuang-01", "date": datetime(2026, 12, 4).date(),
                   "member_id": "M-GM-fenghuang-01", "replaced": False}
    again = grids.file_daily_report(engine, user=users["gm"], grid_id="GM-fenghuang-01",
                                    patrol_done=True, hazards_found=3,
                                    now=T0 + timedelta(hours=5))
    assert again["replaced"]
    grids.file_daily_report(engine, user=users["gm"], grid_id="GM-fenghuang-02",
                            patrol_done=False, hazards_found=0, now=T0 + timedelta(hours=6))
    day = datetime(2026, 12, 4).date()
    rows = {r.grid_id: r for r in grids.day_summaries(engine, day, now=T0 + timedelta(hours=8))}
    town = rows["GT-fenghuang"]
    n_cells = len([g for g in rows if g.startswith("GM-fenghuang-")])
    assert (town.reports_received, town.reports_expected, town.patrols_done,
            town.hazards_found) == (2, n_cells, 1, 3)
    assert rows["GC-EZ"].reports_received == 2 and rows["GC-EZ"].reports_missing == 85
    # a grid member sees the cells under their own only
    mine = grids.day_summaries(engine, day, now=T0, user=users["gm"])
    assert {r.grid_id for r in mine} == {"GT-fenghuang"} | {
        g for g in rows if g.startswith("GM-fenghuang-")}
    status = {c["grid_id"]: c["status"] for c in grids.cell_status(engine, day, now=T0)}
    assert status["GM-fenghuang-01"] == "ok" and status["GM-fenghuang-03"] == "missing"

    # kept once by the daily job, as of the end of the day; the export shows it
    assert grids.keep_yesterday(engine, now=T0 + timedelta(days=1)) == len(rows)
    assert grids.keep_yesterday(engine, now=T0 + timedelta(days=1, hours=1)) == 0
    csv_text = grids.summaries_csv(list(rows.values()))
    assert csv_text.splitlines()[0].startswith("grid_id,level,day,reports_expected")
    assert "GT-fenghuang,town,2026-12-04," in csv_text
    page = grids.summaries_html([rows["GC-EZ"]], day=day, lang="zh")
    assert "网格隐患排查日报汇总 2026-12-04" in page and "<td>GC-EZ</td>" in page


def test_bad_daily_reports_are_refused(grid_site):
    settings, engine, users = grid_site

    def refused(field, value, error=DataError, **kw):
        args = {"grid_id": "GM-fenghuang-01", "patrol_done": True, "hazards_found": 0} | kw
        with pytest.raises(error) as err:
            grids.file_daily_report(engine, user=users["gm"], now=T0, **args)
        assert f"field '{field}' (value {value!r})" in str(err.value), str(err.value)

    refused("grid_id", "GM-nowhere", grid_id="GM-nowhere")
    refused("grid_id", "GT-fenghuang", grid_id="GT-fenghuang")
    refused("grid_id", "GM-gulou-01", AccessError, grid_id="GM-gulou-01")
    refused("hazards_found", -1, hazards_found=-1)
    refused("patrol_done", "yes", patrol_done="yes")
    refused("member_id", "M-GM-fenghuang-02", member_id="M-GM-fenghuang-02")
    with pytest.raises(AccessError):
        grids.file_daily_report(engine, user=users["staff"], grid_id="GM-fenghuang-01",
                                patrol_done=True, hazards_found=0, now=T0)
    with pytest.raises(DataError, match="field 'level' \\(value 'street'\\)"):
        grids.day_summaries(engine, T0.date(), level="street", now=T0)
    with store.session_scope(engine, read_only=True) as s:
        assert store.table_counts(s)["daily_reports"] == 0
