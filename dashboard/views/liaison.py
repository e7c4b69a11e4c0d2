"""Views of the liaison board: an agency's tasks with their age and the buttons its
viewer may use, its units by status, messages, mutual-aid requests and the shared
picture of open incidents, as plain data in the page's language (tested without Dash).

Owns: turning a board (:func:`command.app.liaison.board`) into rows and lines. Must not:
call the application layer or write anything.
"""

from __future__ import annotations

from collections import Counter

from command.clock import beijing
from command.i18n import t
from command.liaison.tasks import OPEN_STATES
from dashboard.views._common import elapsed_text

__all__ = ["agency_names", "task_title", "task_rows", "unit_line", "aid_rows",
           "message_rows", "incident_lines"]


def agency_names(dataset, lang: str) -> dict[str, str]:
    return {a.agency_id: (a.name_en if lang == "en" else a.name_zh) for a in dataset.agencies}


def task_title(task, lang: str) -> str:
    """A plan task's title from its units, a commander's task its own text."""
    if task.source != "plan":
        return task.title
    units = "、".join(f"{d['unit_id']}" for d in task.detail)
    return t("liaison.task.plan", lang, plan_id=task.plan_id, units=units,
             incident=task.incident_id or "")


def task_rows(tasks_with_age, dataset, lang: str, *, role: str) -> list[dict]:
    """One row per task (newest first): id, agency, title, state, age since issued,
    progress, and the buttons ``role`` may use on it (``ack``, ``complete`` for the
    agency's officer, ``cancel`` for the centre)."""
    names = agency_names(dataset, lang)
    rows = []
    for task, age in tasks_with_age:
        ops = []
        if role == "liaison":
            if task.state == "issued":
                ops.append("ack")
            elif task.state in ("acknowledged", "in_progress"):
                ops.append("complete")
        elif task.state in OPEN_STATES:
            ops.append("cancel")
        rows.append({"task_id": task.task_id, "agency": names.get(task.agency_id,
                                                                  task.agency_id),
                     "title": task_title(task, lang),
                     "state": t(f"liaison.state.{task.state}", lang), "state_key": task.state,
                     "age": elapsed_text(age), "issued_ms": int(task.issued_at.timestamp() * 1000),
                     "progress": "" if task.progress_pct is None else f"{task.progress_pct}%",
                     "note": task.note or "", "ops": ops})
    return rows


def unit_line(units, lang: str) -> str:
    """'可用 12 · 已调派 2 …' for the agency's units."""
    counts = Counter(u.status for u in units)
    return " · ".join(f"{t(f'status.{s}', lang)} {n}" for s, n in sorted(counts.items()))


def aid_rows(aids, dataset, lang: str, *, agency: str | None, role: str) -> list[dict]:
    """Mutual-aid requests with the steps the viewer may take: the asked agency's officer
    (or the centre) accepts or declines a request, then departs and arrives."""
    names = agency_names(dataset, lang)
    nxt = {"requested": ["accept", "decline"], "accepted": ["depart"], "en_route": ["arrive"]}
    rows = []
    for a in aids:
        may = role != "liaison" or a.to_agency == agency
        rows.append({"aid_id": a.aid_id,
                     "line": t("liaison.aid.line", lang, from_=names.get(a.from_agency,
                                                                        a.from_agency),
                               to=names.get(a.to_agency, a.to_agency), what=a.what,
                               state=t(f"liaison.aid.state.{a.state}", lang)),
                     "ops": nxt.get(a.state, []) if may else []})
    return rows


def message_rows(messages, dataset, lang: str) -> list[str]:
    names = agency_names(dataset, lang)
    return [f"{beijing(m.sent_at):%H:%M} {m.sender} → "
            f"{names.get(m.agency_id, m.agency_id) if m.agency_id else t('liaison.message.all', lang)}"
            f"：{m.text}" for m in messages]


def incident_lines(incidents, now, lang: str) -> list[str]:
    return [t("liaison.situation.line", lang, type=t(f"incident.{i.incident_type}", lang),
              incident_id=i.incident_id,
              elapsed=elapsed_text((now - i.created_at).total_seconds())) for i in incidents]
