"""The three-level grid roll-up (issue #13): daily reports and hazards summed per cell.

Owns: the grid tree (city -> town/district -> community) built from the data set's
:class:`~command.model.GridCell` rows with its checks, the plain records the roll-up reads
(:class:`DailyReport`, :class:`HazardView`), the per-cell, per-day :class:`Summary`, the
roll-up that makes every higher level the exact sum of its children, and the CSV and
table rows of summaries.

Must not: touch the store, read settings or the clock (``now`` is an argument), or format
pages. The hazard state machine lives in :mod:`command.hazards.lifecycle`; here a state is
only a name that is counted.

Rules (documented so that the sum property holds):

* reports and hazards belong to community cells (the grid members who patrol); a town or
  city cell only sums its children, so its own members are not expected to file a daily
  report and a report or hazard on it is refused;
* "the day" is the Beijing date (:func:`command.clock.beijing_date`): a report sent at
  00:00:20 Beijing (16:00:20 UTC) belongs to the new day;
* a hazard is *open* when its state is neither ``closed`` nor ``rejected``; it is
  *overdue* when open with a deadline before ``now``; the day's summary counts the hazards
  found on or before the day, in their state at ``now``;
* a closure counts for the day it happened (Beijing date of ``closed_at``): *on time* when
  the hazard had no deadline or was closed at or before it, *late* otherwise;
  ``on_time_rate`` = on time / closed, computed from the (summed) counts, never averaged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from command.clock import as_utc, beijing_date
from command.errors import DataError, Problem
from command.hazards.lifecycle import OPEN_STATES, STATES
from command.i18n import t
from command.model import GridCell, GridMember

__all__ = [
    "LEVELS",
    "STATES",
    "OPEN_STATES",
    "DailyReport",
    "HazardView",
    "GridTree",
    "Summary",
    "report_day",
    "tree",
    "community_summary",
    "rollup",
    "SUMMARY_COLUMNS",
    "summary_csv",
    "summary_rows",
]

#: Grid levels from the top; a child is always exactly one level below its parent.
LEVELS = ("city", "town", "community")

# The states are the lifecycle's (排查-登记-评估-报告-监控-治理-验收-销账, rejected,
# reopened); open states are all but closed and rejected.


@dataclass(frozen=True)
class DailyReport:
    """One grid member's daily report for one community cell and Beijing date."""

    grid_id: str
    date: date
    member: str  # member_id of a GridMember of the cell
    patrol_done: bool
    hazards_found: int
    issues: str = ""

    def __post_init__(self) -> None:
        problems = []
        # a datetime is a date too: refuse it, its day would depend on its zone
        if not isinstance(self.date, date) or isinstance(self.date, datetime):
            problems.append(Problem("must be a date (the Beijing date)", field="date",
                                    value=self.date))
        if not isinstance(self.patrol_done, bool):
            problems.append(Problem("must be true or false", field="patrol_done",
                                    value=self.patrol_done))
        if (not isinstance(self.hazards_found, int) or isinstance(self.hazards_found, bool)
                or self.hazards_found < 0):
            problems.append(Problem("must be a whole number, 0 or more",
                                    field="hazards_found", value=self.hazards_found))
        if problems:
            raise DataError(f"daily report of {self.member!r} for cell {self.grid_id!r} "
                            "is invalid", problems)


@dataclass(frozen=True)
class HazardView:
    """A hazard as the roll-up sees it: where, what, in which state, and its times."""

    hazard_id: str
    grid_id: str
    kind: str
    state: str
    found_at: datetime
    deadline: datetime | None = None
    closed_at: datetime | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.state not in STATES:
            problems.append(Problem(f"unknown state (one of {', '.join(STATES)})",
                                    field="state", value=self.state))
        for name in ("found_at", "deadline", "closed_at"):
            value = getattr(self, name)
            if value is None and name != "found_at":
                continue
            try:
                object.__setattr__(self, name, as_utc(value, field=name))
            except ValueError as exc:
                problems.append(Problem(str(exc), field=name, value=value))
        # closed_at is the time of the closure being counted: only a closed hazard has one
        # (a reopened hazard is open again and its old closure no longer counts)
        if self.state == "closed" and self.closed_at is None:
            problems.append(Problem("a closed hazard needs its closing time",
                                    field="closed_at"))
        if self.state != "closed" and self.closed_at is not None:
            problems.append(Problem("only a closed hazard has a closing time",
                                    field="closed_at", value=self.closed_at))
        if problems:
            raise DataError(f"hazard {self.hazard_id!r} is invalid", problems)

    @property
    def is_open(self) -> bool:
        """Neither closed nor rejected."""
        return self.state in OPEN_STATES


def report_day(sent_at: datetime) -> date:
    """The day a report sent at ``sent_at`` (aware) belongs to: its Beijing date."""
    return beijing_date(sent_at)


@dataclass(frozen=True)
class GridTree:
    """The checked grid: cells by id, each cell's parent and children (in input order)."""

    cells: Mapping[str, GridCell]
    parent: Mapping[str, str | None]
    children: Mapping[str, tuple[str, ...]]
    roots: tuple[str, ...]

    def leaves_under(self, grid_id: str) -> tuple[str, ...]:
        """The community cells under ``grid_id`` (itself if it is one)."""
        kids = self.children[grid_id]
        if not kids:
            return (grid_id,) if self.cells[grid_id].level == "community" else ()
        return tuple(leaf for k in kids for leaf in self.leaves_under(k))


def tree(cells: Iterable[GridCell]) -> GridTree:
    """Parent and children maps of the grid, checked.

    Raises
    ------
    DataError
        For a duplicate cell id, an unknown parent, a cycle of parents, a top-level
        cell that is not a city, or a child that is not exactly one level below its
        parent; each problem names the cell (``field="grid_id"`` or ``"parent_id"``).
    """
    cells = tuple(cells)
    by_id: dict[str, GridCell] = {}
    problems: list[Problem] = []
    for c in cells:
        if c.grid_id in by_id:
            problems.append(Problem("duplicate grid cell", field="grid_id", value=c.grid_id))
        by_id[c.grid_id] = c
    for c in cells:
        if c.parent_id is not None and c.parent_id not in by_id:
            problems.append(Problem(f"cell {c.grid_id!r}: unknown parent", field="parent_id",
                                    value=c.parent_id))
    if problems:
        raise DataError("the grid cells do not form a tree", problems)

    # cycles first: a cycle makes the level rule meaningless (no top to count from)
    in_cycle: set[str] = set()
    for c in cells:
        seen: list[str] = []
        cur: str | None = c.grid_id
        while cur is not None and cur not in seen:
            seen.append(cur)
            cur = by_id[cur].parent_id
        if cur is not None:
            in_cycle.update(seen[seen.index(cur):])
    for gid in sorted(in_cycle):
        problems.append(Problem("cell is its own ancestor (a cycle of parents)",
                                field="grid_id", value=gid))
    if problems:
        raise DataError("the grid cells do not form a tree", problems)

    for c in cells:
        if c.level not in LEVELS:
            problems.append(Problem(f"unknown level {c.level!r}", field="grid_id",
                                    value=c.grid_id))
        elif c.parent_id is None and c.level != "city":
            problems.append(Problem(f"a {c.level} cell needs a parent", field="grid_id",
                                    value=c.grid_id))
        elif c.parent_id is not None:
            above = by_id[c.parent_id].level
            if above not in LEVELS or LEVELS.index(c.level) != LEVELS.index(above) + 1:
                problems.append(Problem(f"a {c.level} cell cannot sit under a {above} cell",
                                        field="grid_id", value=c.grid_id))
    if problems:
        raise DataError("the grid cells do not form a tree", problems)

    children: dict[str, list[str]] = {c.grid_id: [] for c in cells}
    for c in cells:
        if c.parent_id is not None:
            children[c.parent_id].append(c.grid_id)
    return GridTree(cells=dict(by_id),
                    parent={c.grid_id: c.parent_id for c in cells},
                    children={k: tuple(v) for k, v in children.items()},
                    roots=tuple(c.grid_id for c in cells if c.parent_id is None))


@dataclass(frozen=True)
class Summary:
    """One cell's figures for one Beijing day; a higher level is the sum of its children.

    ``open_by_state`` has every open state as a key (zeros included); ``open_by_kind``
    only the kinds with open hazards. ``reports_missing`` and ``on_time_rate`` are
    derived from the counts, so a sum of summaries recomputes them.
    """

    grid_id: str
    level: str
    day: date
    reports_expected: int = 0
    reports_received: int = 0
    patrols_done: int = 0
    hazards_found: int = 0
    hazards_new: int = 0
    open_by_state: Mapping[str, int] = field(
        default_factory=lambda: dict.fromkeys(OPEN_STATES, 0))
    open_by_kind: Mapping[str, int] = field(default_factory=dict)
    overdue: int = 0
    closed_on_time: int = 0
    closed_late: int = 0

    @property
    def reports_missing(self) -> int:
        """Members expected to report who did not."""
        return self.reports_expected - self.reports_received

    @property
    def open_total(self) -> int:
        """All open hazards."""
        return sum(self.open_by_state.values())

    @property
    def closed(self) -> int:
        """Hazards closed on the day."""
        return self.closed_on_time + self.closed_late

    @property
    def on_time_rate(self) -> float | None:
        """Closed on time / closed on the day; None when nothing was closed."""
        return self.closed_on_time / self.closed if self.closed else None


#: The count fields of :class:`Summary` that add up across cells.
_COUNTS = ("reports_expected", "reports_received", "patrols_done", "hazards_found",
           "hazards_new", "overdue", "closed_on_time", "closed_late")


def _add_dicts(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in (*a, *(k for k in b if k not in a))}


def _sum(cell: GridCell, day: date, parts: Sequence[Summary]) -> Summary:
    counts = {name: sum(getattr(p, name) for p in parts) for name in _COUNTS}
    by_state: dict[str, int] = dict.fromkeys(OPEN_STATES, 0)
    by_kind: dict[str, int] = {}
    for p in parts:
        by_state = _add_dicts(by_state, p.open_by_state)
        by_kind = _add_dicts(by_kind, p.open_by_kind)
    return Summary(grid_id=cell.grid_id, level=cell.level, day=day, open_by_state=by_state,
                   open_by_kind=dict(sorted(by_kind.items())), **counts)


def community_summary(cell: GridCell, day: date, reports: Iterable[DailyReport],
                      hazards: Iterable[HazardView], *, now: datetime,
                      members: Iterable[GridMember] = ()) -> Summary:
    """The figures of one community cell for the Beijing date ``day``.

    Parameters
    ----------
    cell
        A community cell.
    day
        The Beijing date summarised.
    reports, hazards
        Any reports and hazards; only those of ``cell`` (and, for reports, of ``day``)
        count.
    now
        Aware time at which states and deadlines are judged.
    members
        Grid members; those of ``cell`` are expected to report (one report each).

    Raises
    ------
    DataError
        If ``cell`` is not a community cell, ``now`` is naive, a report of the cell is
        by someone who is not its member, or a member reported twice on the day.
    """
    if cell.level != "community":
        raise DataError("only a community cell is summarised from reports",
                        [Problem("not a community cell", field="grid_id", value=cell.grid_id)])
    try:
        now = as_utc(now, field="now")
    except ValueError as exc:
        raise DataError("the time of the summary is invalid",
                        [Problem(str(exc), field="now", value=now)]) from None
    expected = {m.member_id for m in members if m.grid_id == cell.grid_id}
    problems: list[Problem] = []
    seen: set[str] = set()
    patrols = found = 0
    for r in reports:
        if r.grid_id != cell.grid_id or r.date != day:
            continue
        if r.member not in expected:
            problems.append(Problem(f"cell {cell.grid_id!r}: not a member of the cell",
                                    field="member", value=r.member))
            continue
        if r.member in seen:
            problems.append(Problem(f"cell {cell.grid_id!r}: a second report on {day}",
                                    field="member", value=r.member))
            continue
        seen.add(r.member)
        patrols += r.patrol_done
        found += r.hazards_found
    if problems:
        raise DataError("daily reports refused", problems)

    by_state = dict.fromkeys(OPEN_STATES, 0)
    by_kind: dict[str, int] = {}
    new = overdue = on_time = late = 0
    for h in hazards:
        if h.grid_id != cell.grid_id:
            continue
        found_day = beijing_date(h.found_at)
        if found_day > day:
            continue  # not yet found on the summarised day
        new += found_day == day
        if h.is_open:
            by_state[h.state] += 1
            by_kind[h.kind] = by_kind.get(h.kind, 0) + 1
            overdue += h.deadline is not None and h.deadline < now
        elif h.closed_at is not None and beijing_date(h.closed_at) == day:
            if h.deadline is None or h.closed_at <= h.deadline:
                on_time += 1
            else:
                late += 1
    return Summary(grid_id=cell.grid_id, level=cell.level, day=day,
                   reports_expected=len(expected), reports_received=len(seen),
                   patrols_done=patrols, hazards_found=found, hazards_new=new,
                   open_by_state=by_state, open_by_kind=dict(sorted(by_kind.items())),
                   overdue=overdue, closed_on_time=on_time, closed_late=late)


def rollup(cells: Iterable[GridCell], members: Iterable[GridMember], day: date,
           reports: Iterable[DailyReport], hazards: Iterable[HazardView], *,
           now: datetime) -> tuple[Summary, ...]:
    """One :class:`Summary` per cell (in the order of ``cells``) for the Beijing ``day``.

    Community cells are summarised from their reports and hazards; every town and city
    cell is the exact sum of its children (counts and dicts added, rates recomputed).

    Raises
    ------
    DataError
        The checks of :func:`tree` and :func:`community_summary`, and a member, report
        or hazard on an unknown cell or on a cell that is not a community cell.
    """
    grid = tree(cells)
    members = tuple(members)
    reports = tuple(reports)
    hazards = tuple(hazards)
    problems: list[Problem] = []
    for kind, items, key in (("member", members, "member_id"), ("report", reports, "member"),
                             ("hazard", hazards, "hazard_id")):
        for item in items:
            cell = grid.cells.get(item.grid_id)
            if cell is None:
                problems.append(Problem(f"{kind} {getattr(item, key)!r}: unknown grid cell",
                                        field="grid_id", value=item.grid_id))
            elif kind != "member" and cell.level != "community":
                # a town or city only sums its children: counting its own items would break
                # "each level is the sum of the one below"
                problems.append(Problem(f"{kind} {getattr(item, key)!r}: "
                                        f"not a community cell ({cell.level})",
                                        field="grid_id", value=item.grid_id))
    if problems:
        raise DataError("reports or hazards refused by the roll-up", problems)

    reports_by: dict[str, list[DailyReport]] = {}
    for r in reports:
        reports_by.setdefault(r.grid_id, []).append(r)
    hazards_by: dict[str, list[HazardView]] = {}
    for h in hazards:
        hazards_by.setdefault(h.grid_id, []).append(h)

    done: dict[str, Summary] = {}

    def summarise(gid: str) -> Summary:
        # depth of the grid is three, so recursion is shallow
        if gid not in done:
            cell = grid.cells[gid]
            if cell.level == "community":
                done[gid] = community_summary(cell, day, reports_by.get(gid, ()),
                                              hazards_by.get(gid, ()), now=now,
                                              members=members)
            else:
                done[gid] = _sum(cell, day, [summarise(k) for k in grid.children[gid]])
        return done[gid]

    return tuple(summarise(gid) for gid in grid.cells)


#: Columns of :func:`summary_csv` before the per-state and per-kind counts.
SUMMARY_COLUMNS = ("grid_id", "level", "day", "reports_expected", "reports_received",
                   "reports_missing", "patrols_done", "hazards_found", "hazards_new",
                   "open", "overdue", "closed_on_time", "closed_late", "on_time_rate")


def _value(s: Summary, column: str):
    if column == "day":
        return s.day.isoformat()
    if column == "open":
        return s.open_total
    return getattr(s, column)


def summary_csv(summaries: Iterable[Summary]) -> str:
    """Summaries as CSV text: :data:`SUMMARY_COLUMNS`, then ``open_<state>`` for every
    open state and ``kind_<kind>`` for every kind with open hazards in any summary; an
    empty rate cell when nothing was closed."""
    summaries = tuple(summaries)
    kinds = sorted({k for s in summaries for k in s.open_by_kind})
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*SUMMARY_COLUMNS, *(f"open_{st}" for st in OPEN_STATES),
                *(f"kind_{k}" for k in kinds)])
    for s in summaries:
        row = []
        for c in SUMMARY_COLUMNS:
            v = _value(s, c)
            row.append("" if v is None else (f"{v:.4f}" if isinstance(v, float) else v))
        row += [s.open_by_state.get(st, 0) for st in OPEN_STATES]
        row += [s.open_by_kind.get(k, 0) for k in kinds]
        w.writerow(row)
    return out.getvalue()


def summary_rows(summaries: Iterable[Summary], lang: str = "zh") -> list[dict[str, object]]:
    """Summaries as table rows for a page: column labels and the level in ``lang``,
    open hazards by state as one text, the rate as a percentage ("—" when none).

    ``grid_id`` and the day stay as they are (identifiers, not words)."""
    label = {c: t(f"grids.col.{c}", lang) for c in SUMMARY_COLUMNS}
    label["open_by_state"] = t("grids.col.open_by_state", lang)
    sep = t("grids.list_sep", lang)
    rows = []
    for s in summaries:
        row: dict[str, object] = {}
        for c in SUMMARY_COLUMNS:
            v = _value(s, c)
            if c == "level":
                v = t(f"grids.level.{s.level}", lang)
            elif c == "on_time_rate":
                v = "—" if v is None else f"{v:.1%}"
            row[label[c]] = v
        row[label["open_by_state"]] = sep.join(
            f"{t(f'hazard.state.{st}', lang)} {n}"
            for st, n in s.open_by_state.items() if n) or "—"
        rows.append(row)
    return rows
