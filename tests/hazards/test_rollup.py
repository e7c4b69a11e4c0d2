"""The grid roll-up (command/hazards/rollup.py), pure: a tiny grid checkable by eye, the
sum property (city = sum of towns = sum of communities) on the shipped Ezhou grid with
random reports and hazards, the tree checks, the Beijing date rule, CSV and table rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from command.errors import DataError
from command.hazards.rollup import (
    OPEN_STATES,
    STATES,
    DailyReport,
    HazardView,
    Summary,
    community_summary,
    report_day,
    rollup,
    summary_csv,
    summary_rows,
    tree,
)
from command.model import GridCell, GridMember, Source

SRC = Source("test")
DAY = date(2026, 12, 3)
# 18:00 Beijing on DAY
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def cell(gid: str, level: str, parent: str | None) -> GridCell:
    return GridCell(gid, level, parent, gid, "test", 30.0, 114.0, SRC)


def member(mid: str, gid: str) -> GridMember:
    return GridMember(mid, gid, mid, "网格员", "0", SRC)


def tiny_grid() -> tuple[list[GridCell], list[GridMember]]:
    """1 city, 2 towns (A, B), 4 communities (A1, A2, B1, B2); A1 has two members."""
    cells = [cell("C", "city", None), cell("A", "town", "C"), cell("B", "town", "C"),
             cell("A1", "community", "A"), cell("A2", "community", "A"),
             cell("B1", "community", "B"), cell("B2", "community", "B")]
    members = [member("mC", "C"), member("mA", "A"), member("mB", "B"),
               member("a1x", "A1"), member("a1y", "A1"), member("a2", "A2"),
               member("b1", "B1"), member("b2", "B2")]
    return cells, members


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Beijing wall time on ``day`` as aware UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def hz(hid, gid, state, *, kind="fire", found=None, deadline=None, closed=None) -> HazardView:
    return HazardView(hid, gid, kind, state, found or at(DAY, 9), deadline, closed)


# --- the tiny grid, by eye -------------------------------------------------------------

def test_tiny_grid_by_eye():
    cells, members = tiny_grid()
    reports = [
        DailyReport("A1", DAY, "a1x", True, 2, "blocked exit"),
        DailyReport("A1", DAY, "a1y", False, 0),
        DailyReport("A2", DAY, "a2", True, 1),
        DailyReport("B1", DAY, "b1", True, 0),
        # yesterday's report does not count today
        DailyReport("B2", DAY - timedelta(days=1), "b2", True, 5),
    ]
    hazards = [
        hz("h1", "A1", "remediation", deadline=NOW - timedelta(hours=1)),   # overdue
        hz("h2", "A1", "registered", kind="gas"),
        hz("h3", "A2", "closed", deadline=at(DAY, 17), closed=at(DAY, 12)),  # on time
        hz("h4", "B1", "closed", deadline=at(DAY, 10), closed=at(DAY, 12)),  # late
        hz("h5", "B1", "rejected"),
        hz("h6", "B2", "monitored", found=at(DAY - timedelta(days=3), 9),
           deadline=NOW + timedelta(days=1)),                                # not yet due
        hz("h7", "B2", "found", found=at(DAY + timedelta(days=1), 9)),       # not yet found
        hz("h8", "B2", "closed", closed=at(DAY - timedelta(days=1), 9),
           found=at(DAY - timedelta(days=2), 9)),                            # closed before
    ]
    out = {s.grid_id: s for s in rollup(cells, members, DAY, reports, hazards, now=NOW)}
    assert [s for s in out] == ["C", "A", "B", "A1", "A2", "B1", "B2"]

    a1 = out["A1"]
    assert (a1.reports_expected, a1.reports_received, a1.reports_missing) == (2, 2, 0)
    assert (a1.patrols_done, a1.hazards_found, a1.hazards_new) == (1, 2, 2)
    assert a1.open_by_state["remediation"] == 1 and a1.open_by_state["registered"] == 1
    assert a1.open_by_kind == {"fire": 1, "gas": 1}
    assert (a1.overdue, a1.closed, a1.on_time_rate) == (1, 0, None)

    assert (out["A2"].closed_on_time, out["A2"].closed_late, out["A2"].on_time_rate) == (1, 0, 1.0)
    assert (out["B1"].closed_on_time, out["B1"].closed_late, out["B1"].open_total) == (0, 1, 0)
    b2 = out["B2"]
    assert (b2.reports_received, b2.reports_missing, b2.hazards_found) == (0, 1, 0)
    assert (b2.open_total, b2.open_by_state["monitored"], b2.overdue, b2.closed) == (1, 1, 0, 0)

    # towns and the city: sums of their children; town and city members are not expected
    assert out["A"].reports_expected == 3 and out["B"].reports_expected == 2
    c = out["C"]
    assert (c.level, c.day) == ("city", DAY)
    assert (c.reports_expected, c.reports_received, c.reports_missing) == (5, 4, 1)
    assert (c.patrols_done, c.hazards_found, c.hazards_new) == (3, 3, 5)
    assert c.open_total == 3 and c.open_by_kind == {"fire": 2, "gas": 1}
    assert (c.overdue, c.closed_on_time, c.closed_late) == (1, 1, 1)
    # recomputed from the summed counts (1 closed on time of 2); see the next test for a
    # case where averaging the towns' rates would differ
    assert c.on_time_rate == 0.5
    assert out["A"].on_time_rate == 1.0 and out["B"].on_time_rate == 0.0


def test_rate_is_recomputed_not_averaged():
    cells, members = tiny_grid()
    # A: 3 on time of 3; B: 0 of 1 -> city 3/4 (an average of rates would say 1/2)
    hazards = [hz(f"a{i}", "A1", "closed", closed=at(DAY, 12)) for i in range(3)]
    hazards.append(hz("b", "B1", "closed", deadline=at(DAY, 10), closed=at(DAY, 12)))
    out = {s.grid_id: s for s in rollup(cells, members, DAY, [], hazards, now=NOW)}
    assert out["C"].on_time_rate == 0.75


# --- the sum property --------------------------------------------------------------------

def _fields(s: Summary) -> tuple:
    return (s.reports_expected, s.reports_received, s.reports_missing, s.patrols_done,
            s.hazards_found, s.hazards_new, s.overdue, s.closed_on_time, s.closed_late,
            s.open_total)


def _add(a: dict, b: dict) -> dict:
    return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}


def assert_sums(cells, summaries):
    by = {s.grid_id: s for s in summaries}
    assert set(by) == {c.grid_id for c in cells}
    for c in cells:
        kids = [by[k.grid_id] for k in cells if k.parent_id == c.grid_id]
        if not kids:
            continue
        s = by[c.grid_id]
        assert _fields(s) == tuple(map(sum, zip(*(_fields(k) for k in kids), strict=True)))
        states: dict = {}
        kinds: dict = {}
        for k in kids:
            states, kinds = _add(states, k.open_by_state), _add(kinds, k.open_by_kind)
        assert dict(s.open_by_state) == states and dict(s.open_by_kind) == kinds
        closed = s.closed_on_time + s.closed_late
        assert s.on_time_rate == (s.closed_on_time / closed if closed else None)
    # and the top equals the sum over every community (not only over its towns)
    for root in (c for c in cells if c.parent_id is None):
        leaves = [by[c.grid_id] for c in cells if c.level == "community"]
        assert _fields(by[root.grid_id]) == tuple(map(sum, zip(*map(_fields, leaves),
                                                               strict=True)))


def test_shipped_grid_is_a_tree(ezhou_dataset):
    grid = tree(ezhou_dataset.grid_cells)
    levels = [c.level for c in ezhou_dataset.grid_cells]
    assert len(levels) == 112 and levels.count("city") == 1
    assert len(grid.roots) == 1
    root = grid.roots[0]
    assert len(grid.leaves_under(root)) == levels.count("community")
    assert {grid.cells[k].level for k in grid.children[root]} == {"town"}


@st.composite
def day_data(draw, cells, members):
    """Random reports (at most one per member, on the day or the day before) and hazards
    on community cells, with random states, kinds and times around the day."""
    communities = [c.grid_id for c in cells if c.level == "community"]
    reports = []
    for m in members:
        if m.grid_id in communities and draw(st.integers(0, 3)):
            reports.append(DailyReport(m.grid_id, DAY - timedelta(days=draw(st.integers(0, 1))),
                                       m.member_id, draw(st.booleans()),
                                       draw(st.integers(0, 5))))
    offsets = st.integers(-3 * 24 * 60, 2 * 24 * 60).map(lambda m: NOW + timedelta(minutes=m))
    hazards = []
    for i in range(draw(st.integers(0, 60))):
        state = draw(st.sampled_from(STATES))
        found = draw(offsets)
        hazards.append(HazardView(
            f"h{i}", draw(st.sampled_from(communities)), draw(st.sampled_from(["fire", "gas",
                                                                                "flood"])),
            state, found, draw(st.none() | offsets),
            found + timedelta(minutes=draw(st.integers(0, 3000))) if state == "closed"
            else None))
    return reports, hazards


@pytest.fixture(scope="module")
def tiny():
    return tiny_grid()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_each_level_is_the_sum_of_the_one_below_tiny(tiny, data):
    cells, members = tiny
    reports, hazards = data.draw(day_data(cells, members))
    assert_sums(cells, rollup(cells, members, DAY, reports, hazards, now=NOW))


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_each_level_is_the_sum_of_the_one_below_shipped(ezhou_dataset, data):
    cells, members = ezhou_dataset.grid_cells, ezhou_dataset.grid_members
    reports, hazards = data.draw(day_data(cells, members))
    summaries = rollup(cells, members, DAY, reports, hazards, now=NOW)
    assert len(summaries) == 112
    assert_sums(cells, summaries)
    city = next(s for s in summaries if s.level == "city")
    assert city.reports_expected == sum(1 for m in members
                                        if m.grid_id.startswith("GM-"))
    assert city.open_total == sum(h.is_open and report_day(h.found_at) <= DAY for h in hazards)


def test_shipped_grid_with_nothing_reported(ezhou_dataset):
    summaries = rollup(ezhou_dataset.grid_cells, ezhou_dataset.grid_members, DAY, [], [],
                       now=NOW)
    city = next(s for s in summaries if s.level == "city")
    assert city.reports_received == 0 and city.reports_missing == city.reports_expected == 87
    assert city.on_time_rate is None and city.open_total == 0


# --- the tree checks ---------------------------------------------------------------------

def test_a_cycle_is_refused_naming_the_cells():
    cells = [cell("C", "city", None), cell("X", "town", "Y"), cell("Y", "town", "X"),
             cell("Z", "community", "C")]
    with pytest.raises(DataError) as err:
        tree(cells)
    named = {(p.field, p.value) for p in err.value.problems}
    assert named == {("grid_id", "X"), ("grid_id", "Y")}
    assert "cycle" in str(err.value) and "'X'" in str(err.value)


def test_a_cell_that_is_its_own_parent_is_refused():
    with pytest.raises(DataError) as err:
        tree([cell("C", "city", "C")])
    assert [(p.field, p.value) for p in err.value.problems] == [("grid_id", "C")]


def test_an_unknown_parent_is_refused_naming_the_cell():
    cells, _ = tiny_grid()
    cells.append(cell("B3", "community", "NOPE"))
    with pytest.raises(DataError) as err:
        tree(cells)
    (p,) = err.value.problems
    assert (p.field, p.value) == ("parent_id", "NOPE") and "B3" in p.rule


def test_levels_and_duplicates_are_checked():
    with pytest.raises(DataError, match="cannot sit under"):
        tree([cell("C", "city", None), cell("X", "community", "C")])
    with pytest.raises(DataError, match="needs a parent"):
        tree([cell("T", "town", None)])
    with pytest.raises(DataError, match="duplicate"):
        tree([cell("C", "city", None), cell("C", "city", None)])


def test_reports_and_hazards_must_be_on_known_community_cells():
    cells, members = tiny_grid()
    with pytest.raises(DataError, match="unknown grid cell") as err:
        rollup(cells, members, DAY, [], [hz("h", "NOPE", "found")], now=NOW)
    assert err.value.problems[0].value == "NOPE"
    with pytest.raises(DataError, match="not a community cell"):
        rollup(cells, members, DAY, [DailyReport("A", DAY, "mA", True, 0)], [], now=NOW)
    with pytest.raises(DataError, match="not a member"):
        rollup(cells, members, DAY, [DailyReport("A1", DAY, "b1", True, 0)], [], now=NOW)
    with pytest.raises(DataError, match="second report"):
        rollup(cells, members, DAY, [DailyReport("A1", DAY, "a1x", True, 0)] * 2, [], now=NOW)
    with pytest.raises(DataError, match="community"):
        community_summary(cells[1], DAY, [], [], now=NOW)
    with pytest.raises(DataError, match="time zone"):
        community_summary(cells[3], DAY, [], [], now=datetime(2026, 12, 3, 10))


def test_records_are_checked():
    with pytest.raises(DataError, match="hazards_found"):
        DailyReport("A1", DAY, "a1x", True, -1)
    with pytest.raises(DataError, match="date"):
        DailyReport("A1", NOW, "a1x", True, 0)
    with pytest.raises(DataError, match="unknown state"):
        hz("h", "A1", "lost")
    with pytest.raises(DataError, match="closing time"):
        hz("h", "A1", "closed")
    with pytest.raises(DataError, match="closing time"):
        hz("h", "A1", "reopened", closed=NOW)
    with pytest.raises(DataError, match="time zone"):
        HazardView("h", "A1", "fire", "found", datetime(2026, 12, 3, 9))
    # times are kept as UTC whatever zone they came in
    from command.clock import BEIJING
    h = hz("h", "A1", "found", found=datetime(2026, 12, 3, 9, tzinfo=BEIJING))
    assert h.found_at == datetime(2026, 12, 3, 1, tzinfo=UTC)


# --- the Beijing date rule -------------------------------------------------------------

def test_a_report_at_00_00_20_beijing_belongs_to_the_new_day():
    sent = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 2026-12-04 00:00:20 Beijing
    assert report_day(sent) == date(2026, 12, 4)
    assert report_day(sent - timedelta(seconds=21)) == date(2026, 12, 3)

    cells, members = tiny_grid()
    r = DailyReport("A1", report_day(sent), "a1x", True, 1)
    now = sent + timedelta(minutes=1)
    old, new = (
        {s.grid_id: s for s in rollup(cells, members, d, [r], [], now=now)}["C"]
        for d in (date(2026, 12, 3), date(2026, 12, 4)))
    assert (old.reports_received, new.reports_received) == (0, 1)

    # a hazard found at that instant is new on the 4th, not the 3rd
    h = hz("h", "A1", "found", found=sent)
    by_day = {d: {s.grid_id: s for s in rollup(cells, members, d, [], [h], now=now)}["A1"]
              for d in (date(2026, 12, 3), date(2026, 12, 4))}
    assert (by_day[date(2026, 12, 3)].hazards_new, by_day[date(2026, 12, 4)].hazards_new) \
        == (0, 1)
    assert by_day[date(2026, 12, 3)].open_total == 0


def test_overdue_is_judged_at_now():
    cells, members = tiny_grid()
    deadline = NOW + timedelta(seconds=1)
    h = [hz("h", "A1", "remediation", deadline=deadline)]
    before = rollup(cells, members, DAY, [], h, now=NOW)[0]
    after = rollup(cells, members, DAY, [], h, now=deadline + timedelta(seconds=1))[0]
    assert (before.overdue, after.overdue) == (0, 1)
    # closed or rejected hazards are never overdue
    done = [hz("c", "A1", "closed", deadline=at(DAY, 1), closed=at(DAY, 12)),
            hz("r", "A1", "rejected", deadline=at(DAY, 1))]
    assert rollup(cells, members, DAY, [], done, now=NOW)[0].overdue == 0


# --- CSV and table rows ------------------------------------------------------------------

def test_summary_csv_and_rows():
    cells, members = tiny_grid()
    hazards = [hz("h1", "A1", "remediation", kind="gas"),
               hz("h2", "B1", "closed", deadline=at(DAY, 10), closed=at(DAY, 12))]
    summaries = rollup(cells, members, DAY, [DailyReport("A1", DAY, "a1x", True, 1)],
                       hazards, now=NOW)
    rows = list(csv.DictReader(io.StringIO(summary_csv(summaries))))
    assert [r["grid_id"] for r in rows] == ["C", "A", "B", "A1", "A2", "B1", "B2"]
    city = rows[0]
    assert city["day"] == "2026-12-03" and city["level"] == "city"
    assert (city["reports_expected"], city["reports_missing"], city["open"]) == ("5", "4", "1")
    assert (city["open_remediation"], city["kind_gas"], city["on_time_rate"]) == \
        ("1", "1", "0.0000")
    assert rows[1]["on_time_rate"] == ""  # nothing closed in town A
    assert set(f"open_{s}" for s in OPEN_STATES) <= set(city)

    zh, en = summary_rows(summaries, "zh"), summary_rows(summaries, "en")
    assert zh[0]["层级"] == "市级网格" and en[0]["Level"] == "City grid"
    assert en[0]["On-time closure rate"] == "0.0%" and en[1]["On-time closure rate"] == "—"
    assert en[0]["Open hazards by state"] == "Under remediation 1"
    assert zh[0]["未销账隐患（按状态）"] == "整改中 1"  # the lifecycle's name of the state
    assert en[4]["Open hazards by state"] == "—"


def test_every_state_and_level_has_a_text():
    from command import i18n

    for lang in i18n.LANGUAGES:
        for s in STATES:
            assert i18n.t(f"hazard.state.{s}", lang)
        for level in ("city", "town", "community"):
            assert i18n.t(f"grids.level.{level}", lang)
