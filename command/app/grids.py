"""Grid management over the store: daily reports, the day's roll-up, kept summaries and
the day's status of every cell.

Owns: filing a grid member's daily report (checked: a community cell under the member's
own, one of the cell's members, the Beijing date of ``now``; a second report of the same
cell, day and member replaces the first), the roll-up of a Beijing day from the store
(:func:`command.hazards.rollup.rollup`: every level the exact sum of the one below),
keeping it (the daily job) and its HTML and CSV exports, and the status of each community
cell for the grid map. Must not: know about the web or the command line, or read the
clock behind a caller's back.
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from command import store
from command.app.access import User
from command.app.hazards import SEE_ALL, require, subtree, visible_cells
from command.clock import as_utc, beijing_date, beijing_day_start, utc_now
from command.errors import AccessError, DataError, Problem
from command.hazards.rollup import (
    LEVELS,
    DailyReport,
    HazardView,
    Summary,
    rollup,
    summary_csv,
    summary_rows,
    tree,
)
from command.i18n import t
from command.store import hazards as hs
from command.store.load import reference

__all__ = ["file_daily_report", "day_summaries", "keep_day", "keep_yesterday",
           "summaries_html", "summaries_csv", "cell_status", "parse_day", "members_of", "figures",
           "check_level"]

_ISSUES_MAX = 2000


def parse_day(value: object, *, field: str = "date") -> date:
    """A Beijing date from ``YYYY-MM-DD`` (or a date).

    Raises
    ------
    DataError
        Naming ``field`` and the value.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DataError("Not a date.", [Problem("expected YYYY-MM-DD (a Beijing date)",
                                                field=field, value=value)]) from None


def members_of(engine: Engine, grid_id: str) -> list[dict]:
    """The grid members of a cell (``member_id``, ``name_zh``, ``role``)."""
    with store.session_scope(engine, read_only=True) as s:
        return [{"member_id": m.member_id, "name_zh": m.name_zh, "role": m.role}
                for m in reference(s, "grid_members") if m.grid_id == grid_id]


def file_daily_report(engine: Engine, *, user: User, grid_id: str, patrol_done: bool,
                      hazards_found: int, issues: str = "", member_id: str | None = None,
                      now: datetime | None = None) -> dict:
    """``user`` files the daily report of community cell ``grid_id`` for the Beijing day
    of ``now`` (for ``member_id``; the cell's only member by default).

    Returns
    -------
    dict
        ``grid_id``, ``date``, ``member_id``, ``replaced`` (a report of that day was
        there and is replaced).

    Raises
    ------
    AccessError
        If ``user`` may not file reports, or the cell is not under their own.
    DataError
        For an unknown or non-community cell, a member not of the cell (or none given
        where the cell has several), a count that is not a whole number >= 0, or a
        patrol flag that is not true or false.
    """
    now = as_utc(now or utc_now(), field="now")
    require(user, "grid.daily_report")
    with store.session_scope(engine, read_only=True) as s:
        grid = tree(reference(s, "grid_cells"))
        members = [m for m in reference(s, "grid_members") if m.grid_id == grid_id]
    problems: list[Problem] = []
    cell = grid.cells.get(grid_id) if isinstance(grid_id, str) else None
    if cell is None:
        problems.append(Problem("unknown grid cell", field="grid_id", value=grid_id))
    elif cell.level != "community":
        problems.append(Problem(f"daily reports are filed for community cells, not a "
                                f"{cell.level} cell", field="grid_id", value=grid_id))
    ids = [m.member_id for m in members]
    if member_id is None and len(ids) == 1:
        member_id = ids[0]
    if cell is not None and member_id not in ids:
        problems.append(Problem(f"not a member of this cell (members: {', '.join(ids) or 'none'})",
                                field="member_id", value=member_id))
    if not isinstance(patrol_done, bool):
        problems.append(Problem("must be true or false", field="patrol_done",
                                value=patrol_done))
    if (isinstance(hazards_found, bool) or not isinstance(hazards_found, int)
            or hazards_found < 0):
        problems.append(Problem("must be a whole number, 0 or more", field="hazards_found",
                                value=hazards_found))
    if not isinstance(issues, str) or len(issues) > _ISSUES_MAX:
        problems.append(Problem(f"a text of at most {_ISSUES_MAX} characters", field="issues",
                                value=issues if isinstance(issues, str) else repr(issues)))
    if problems:
        raise DataError("The daily report is refused.", problems)
    if grid_id not in (visible_cells(user, grid) or ()):
        raise AccessError("This cell is not yours.", [Problem(
            "a grid member reports for the cells under their own", field="grid_id",
            value=grid_id)])
    day = beijing_date(now)
    with store.session_scope(engine) as s:
        _, replaced = hs.save_daily_report(s, grid_id=grid_id, report_date=day,
                                           member_id=member_id, filed_by=user.name,
                                           patrol_done=patrol_done,
                                           hazards_found=hazards_found, issues=issues.strip(),
                                           now=now)
    return {"grid_id": grid_id, "date": day, "member_id": member_id, "replaced": replaced}


def check_level(level: object) -> str | None:
    """A grid level, or None for all levels (empty); refuses an unknown one by name."""
    if level is None or level == "":
        return None
    if level not in LEVELS:
        raise DataError("Unknown grid level.", [Problem(f"one of {', '.join(LEVELS)}",
                                                        field="level", value=level)])
    return level  # type: ignore[return-value]


def day_summaries(engine: Engine, day: date, *, now: datetime | None = None,
                  level: str | None = None, user: User | None = None) -> list[Summary]:
    """The roll-up of the Beijing ``day`` from the store, as of ``now`` (only ``level``;
    only the cells under ``user``'s own for a grid member), cells in the data set's
    order.

    Raises
    ------
    DataError
        For an unknown level.
    """
    now = as_utc(now or utc_now(), field="now")
    level = check_level(level)
    with store.session_scope(engine, read_only=True) as s:
        cells = reference(s, "grid_cells")
        members = reference(s, "grid_members")
        reports = [DailyReport(r.grid_id, r.report_date, r.member_id, r.patrol_done,
                               r.hazards_found, r.issues)
                   for r in hs.list_daily_reports(s, report_date=day)]
        hazards = [HazardView(h.hazard_id, h.grid_id, h.kind, h.state, h.found_at,
                              h.due_at, h.closed_at) for h in hs.list_hazards(s)]
    summaries = rollup(cells, members, day, reports, hazards, now=now)
    if user is not None:
        require(user, "page.grids")
        if user.role not in SEE_ALL:
            grid = tree(cells)
            mine = (subtree(grid, user.grid_id) if user.grid_id in grid.cells
                    else frozenset())
            summaries = tuple(x for x in summaries if x.grid_id in mine)
    return [x for x in summaries if level is None or x.level == level]


def figures(x: Summary) -> dict:
    return {"grid_id": x.grid_id, "level": x.level, "day": x.day.isoformat(),
            "reports_expected": x.reports_expected, "reports_received": x.reports_received,
            "reports_missing": x.reports_missing, "patrols_done": x.patrols_done,
            "hazards_found": x.hazards_found, "hazards_new": x.hazards_new,
            "open": x.open_total, "open_by_state": dict(x.open_by_state),
            "open_by_kind": dict(x.open_by_kind), "overdue": x.overdue,
            "closed_on_time": x.closed_on_time, "closed_late": x.closed_late,
            "on_time_rate": x.on_time_rate}


def keep_day(engine: Engine, day: date, *, now: datetime | None = None,
             actor: str = "system") -> int:
    """Keep the roll-up of ``day`` as of ``now`` (replacing what was kept for the day);
    the number of cells kept."""
    now = as_utc(now or utc_now(), field="now")
    rows = [figures(x) for x in day_summaries(engine, day, now=now)]
    with store.session_scope(engine) as s:
        return hs.keep_summaries(s, day, rows, actor=actor, now=now)


def keep_yesterday(engine: Engine, *, now: datetime | None = None) -> int:
    """The daily job: keep the roll-up of the Beijing day before ``now``'s, once (0 when
    it was kept already)."""
    now = as_utc(now or utc_now(), field="now")
    yesterday = beijing_date(now) - timedelta(days=1)
    with store.session_scope(engine, read_only=True) as s:
        if hs.kept_summaries(s, yesterday):
            return 0
    # as of the end of that day, so the kept figures say what was true that evening
    return keep_day(engine, yesterday, now=min(now, beijing_day_start(now)))


def summaries_csv(summaries: list[Summary]) -> str:
    """The summaries as CSV (:func:`command.hazards.rollup.summary_csv`)."""
    return summary_csv(summaries)


def summaries_html(summaries: list[Summary], *, day: date, lang: str = "zh") -> str:
    """The summaries as a stand-alone HTML document (a table per level), for printing or
    sending on."""
    rows = summary_rows(summaries, lang)
    title = f"{t('grids.summary_title', lang)} {day.isoformat()}"
    parts = [f"<!doctype html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head>"
             f"<meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
             "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
             "td,th{border:1px solid #999;padding:2px 6px;text-align:right}"
             "td:first-child,th{text-align:left}</style></head><body>"
             f"<h1>{html.escape(title)}</h1>"]
    if rows:
        head = list(rows[0])
        parts.append("<table><thead><tr>"
                     + "".join(f"<th>{html.escape(str(h))}</th>" for h in head)
                     + "</tr></thead><tbody>")
        for r in rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(str(r[h]))}</td>" for h in head)
                         + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def cell_status(engine: Engine, day: date, *, now: datetime | None = None,
                user: User | None = None,
                summaries: list[Summary] | None = None) -> list[dict]:
    """Each community cell's day for the grid map: place, name, reports received and
    expected, open and overdue hazards, and a status: ``overdue`` (a hazard overdue),
    ``missing`` (a report missing), ``ok``. ``summaries``: the day's roll-up when the
    caller has it already (it is not computed again)."""
    if summaries is None:
        summaries = day_summaries(engine, day, now=now, user=user)
    with store.session_scope(engine, read_only=True) as s:
        cells = {c.grid_id: c for c in reference(s, "grid_cells")}
    out = []
    for x in summaries:
        if x.level != "community":
            continue
        c = cells[x.grid_id]
        status = ("overdue" if x.overdue else "missing" if x.reports_missing else "ok")
        out.append({"grid_id": x.grid_id, "name_zh": c.name_zh, "district": c.district,
                    "lat": c.lat, "lon": c.lon, "reports_received": x.reports_received,
                    "reports_expected": x.reports_expected, "open": x.open_total,
                    "overdue": x.overdue, "status": status})
    return out
