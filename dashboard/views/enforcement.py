"""Views of the enforcement page: blacklist entries, inspectors, a draw and the history of
draws as plain rows in the page's language (tested without Dash).

Owns: turning what :mod:`command.app.enforcement` returns into rows and labels, times in
Beijing. Must not: call the application layer or write anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from command.clock import beijing
from command.i18n import t
from command.risk.enforcement import Unstaffed, unstaffed_text

__all__ = ["OPEN_STATES", "when", "blacklist_rows", "inspector_rows", "draw_view", "draw_lines"]

#: States of a blacklist entry that can still be lifted.
OPEN_STATES = ("active", "pending")


def when(value) -> str:
    """An instant as Beijing time, to the minute."""
    return beijing(value).strftime("%Y-%m-%d %H:%M")


def blacklist_rows(entries: Sequence[Mapping], names: Mapping[str, str],
                   lang: str) -> list[dict]:
    """One row per blacklist entry (newest first, as given): enterprise (name from
    ``names``, id -> name), state, reason, listed, until, who decided, and whether it can
    be lifted."""
    return [{"entry_id": e["entry_id"], "enterprise_id": e["enterprise_id"],
             "enterprise": names.get(e["enterprise_id"], e["enterprise_id"]),
             "state": e["state"], "state_label": t(f"enforcement.state.{e['state']}", lang),
             "reason": e["reason"], "listed": when(e["listed_at"]),
             "until": when(e["ends_at"]), "decided_by": e["decided_by"],
             "open": e["state"] in OPEN_STATES} for e in entries]


def inspector_rows(inspectors: Sequence[Mapping], agencies: Mapping[str, str],
                   lang: str) -> list[dict]:
    """One row per inspector: id, name, agency (name from ``agencies``), whether drawn,
    and the enterprises they must not inspect with why."""
    return [{"inspector_id": i["inspector_id"], "name": i["name"],
             "agency": agencies.get(i["agency_id"], i["agency_id"]),
             "active": t("enforcement.inspectors.active" if i["active"]
                         else "enforcement.inspectors.inactive", lang),
             "excluded": "; ".join(f"{x['enterprise_id']} ({x['reason']})"
                                   for x in i["exclusions"])} for i in inspectors]


def draw_view(draw: Mapping, names: Mapping[str, str], lang: str) -> dict:
    """A draw as the page shows it: title, summary line, and one row per enterprise in
    draw order with its inspectors, or why it got none."""
    unstaffed = {u["enterprise_id"]: Unstaffed(**u) for u in draw["unstaffed"]}
    rows = []
    for e in draw["enterprises"]:
        people = [f"{p['inspector_id']} ({p['agency_id']})" for p in draw["pairs"]
                  if p["enterprise_id"] == e]
        rows.append({"enterprise_id": e, "enterprise": names.get(e, e),
                     "inspectors": ", ".join(people), "staffed": bool(people),
                     "why": "" if people else unstaffed_text(unstaffed[e], lang)})
    return {"title": t("enforcement.draw.title", lang, draw_id=draw["draw_id"]),
            "summary": t("enforcement.draw.summary", lang, seed=draw["seed"],
                         n=len(draw["enterprises"]), m=draw["inspectors_per_enterprise"],
                         when=when(draw["drawn_at"]), actor=draw["drawn_by"]),
            "rows": rows}


def draw_lines(draws: Sequence[Mapping], lang: str) -> list[str]:
    """One line per previous draw, newest first."""
    return [t("enfpage.draw_line", lang, draw_id=d["draw_id"], when=when(d["drawn_at"]),
              seed=d["seed"], n=len(d["enterprises"]), actor=d["drawn_by"]) for d in draws]
