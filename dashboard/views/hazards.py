"""Pure view builders of the risk-control pages: the hazard board's columns and cards,
a hazard's detail and timeline, the step form's fields, the inbox, the grid map figure
and the summary table, in the page's language. No callbacks, no store: plain data in,
plain data (or a figure) out, unit-tested."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import datetime

import plotly.graph_objects as go

from command.clock import beijing
from command.errors import DataError, Problem
from command.hazards.lifecycle import STATES
from command.i18n import t
from dashboard.figures import PointLayer, add_outlines, map_figure

__all__ = ["when", "board_columns", "detail_view", "step_fields", "upload_of",
           "inbox_rows", "grid_map", "STATUS_COLOURS", "cell_options", "kind_options"]

#: Grid map colours: an overdue hazard (red), a report missing (orange), all well (green).
STATUS_COLOURS = {"overdue": "#e53935", "missing": "#fb8c00", "ok": "#43a047"}


def _tx(prefix: str, value: str, lang: str) -> str:
    return t(f"{prefix}.{value}", lang)


def when(value: datetime | None) -> str:
    """A time as Beijing ``MM-DD HH:MM`` (empty for none)."""
    return "" if value is None else f"{beijing(value):%m-%d %H:%M}"


def kind_options(kinds: Sequence[str], lang: str) -> list[dict]:
    return [{"label": t(f"hazard.kind.{k}", lang), "value": k} for k in kinds]


def cell_options(cells: Sequence, lang: str, *, levels: Sequence[str] = ("community",)) -> list:
    """Dropdown options of grid cells (``GridCell``) of ``levels``, in the given order."""
    return [{"label": f"{c.name_zh} ({c.grid_id})", "value": c.grid_id} for c in cells
            if c.level in levels]


def board_columns(board: Mapping[str, list[dict]], lang: str) -> list[dict]:
    """The kanban's columns in the loop's order: ``state``, ``title`` (with the count) and
    ``cards`` (``hazard_id``, ``title``, ``lines``, ``overdue``, ``href``)."""
    cols = []
    for state in STATES:
        cards = board.get(state, [])
        cols.append({"state": state,
                     "title": f"{t(f'hazard.state.{state}', lang)} {len(cards)}",
                     "cards": [_card(c, lang) for c in cards]})
    return cols


def _card(c: Mapping, lang: str) -> dict:
    lines = [f"{_tx('hazard.kind', c['kind'], lang)} · {c['cell']}"]
    if c.get("level"):
        lines.append(t(f"hazard.level.{c['level']}", lang))
    if c.get("due_at"):
        due = t("hazards.due", lang, when=when(c["due_at"]))
        lines.append(f"{due} {t('hazards.overdue', lang)}" if c["overdue"] else due)
    if c.get("escalation_level") and c["escalation_level"] != "community":
        lines.append(t("hazards.escalated_to", lang,
                       level=t(f"hazard.escalation.{c['escalation_level']}", lang)))
    if c.get("possible_duplicates") and c["state"] == "found":
        lines.append(t("hazards.possible_duplicate", lang,
                       ids="、".join(c["possible_duplicates"])))
    return {"hazard_id": c["hazard_id"], "title": c["hazard_id"],
            "text": c["description"][:60], "lines": lines, "overdue": bool(c["overdue"]),
            "href": f"/hazards?id={c['hazard_id']}&lang={lang}"}


def _data_line(data: Mapping, lang: str) -> str:
    parts = []
    for key, value in data.items():
        if key in ("grid_id", "kind", "description", "lat", "lon", "possible_duplicates"):
            continue
        if key == "level":
            value = t(f"hazard.level.{value}", lang)
        elif key == "reason" and value in ("duplicate", "not_a_hazard"):
            value = t(f"hazard.reject.{value}", lang)
        elif key == "deadline":
            value = f"{beijing(datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
        parts.append(f"{t(f'hazards.field.{key}', lang)}: {value}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def detail_view(d: Mapping, lang: str) -> dict:
    """A hazard's detail for the page: ``title``, ``facts`` (label, value), ``timeline``
    (``when``, ``what``, ``who``, ``note``, ``data``, ``files`` with ``href``),
    ``escalations`` and ``messages`` as lines, and ``steps`` (value, label) the user may
    take."""
    facts = [
        (t("hazards.field.state", lang), t(f"hazard.state.{d['state']}", lang)),
        (t("hazards.field.kind", lang), t(f"hazard.kind.{d['kind']}", lang)),
        (t("hazards.field.cell", lang), f"{d['cell']} ({d['grid_id']})"),
        (t("hazards.field.description", lang), d["description"]),
        (t("hazards.field.found_at", lang), when(d["found_at"])),
    ]
    if d.get("level"):
        facts.append((t("hazards.field.level", lang), t(f"hazard.level.{d['level']}", lang)))
    if d.get("due_at"):
        due = when(d["due_at"]) + (f" {t('hazards.overdue', lang)}" if d["overdue"] else "")
        facts.append((t("hazards.field.due_at", lang), due))
    if d.get("responsible"):
        facts.append((t("hazards.field.responsible", lang), d["responsible"]))
    facts.append((t("hazards.field.escalation_level", lang),
                  t(f"hazard.escalation.{d['escalation_level']}", lang)))
    if d.get("possible_duplicates"):
        facts.append((t("hazards.field.possible_duplicates", lang),
                      "、".join(d["possible_duplicates"])))
    timeline = [{
        "when": when(e["at"]), "what": t(f"hazard.action.{e['action']}", lang),
        "to": t(f"hazard.state.{e['to']}", lang),
        "who": f"{e['actor_name']} ({_tx('role', e['role'], lang)})", "note": e["note"],
        "data": _data_line(e["data"], lang),
        "files": [{"name": f["filename"], "href": f"/evidence/{f['evidence_id']}",
                   "sha": f["sha256"][:12], "image": f["media_type"].startswith("image/")}
                  for f in e["evidence"]]} for e in d["timeline"]]
    ups = [t("hazards.escalation_line", lang, when=when(x["at"]),
             level=t(f"hazard.escalation.{x['level']}", lang),
             people="、".join(p.split(":", 1)[1] for p in x["notified"]) or "—")
           for x in d["escalations"]]
    messages = [t("hazards.message_line", lang, when=when(n["at"]), person=n["person"],
                  channel=t(f"notify.channel.{n['channel']}", lang),
                  state=t(f"notify.state.{n['state']}", lang))
                + (f" — {n['error']}" if n.get("error") else "") for n in d["notifications"]]
    steps = [{"value": s["to"], "label": f"{_tx('hazard.action', s['action'], lang)} → "
              f"{_tx('hazard.state', s['to'], lang)}", "needs": s["needs"]} for s in d["next"]]
    return {"title": f"{d['hazard_id']} {_tx('hazard.state', d['state'], lang)}",
            "facts": facts, "timeline": timeline, "escalations": ups, "messages": messages,
            "steps": steps}


def step_fields(steps: Sequence[Mapping], target: str | None) -> tuple[str, ...]:
    """The data fields the chosen step needs (for showing the right inputs)."""
    for s in steps:
        if s["value"] == target:
            return tuple(s["needs"])
    return ()


def upload_of(contents: str | None, filename: str | None):
    """An :class:`command.app.hazards.Upload` from a ``dcc.Upload``'s ``data:`` URL, or
    None when nothing was chosen.

    Raises
    ------
    DataError
        If the contents are not a base64 ``data:`` URL (field ``evidence``).
    """
    from command.app.hazards import Upload

    if not contents:
        return None
    try:
        _head, b64 = contents.split(",", 1)
        raw = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        raise DataError("The evidence file is refused.", [Problem(
            "not a file upload", field="evidence", value=filename)]) from None
    return Upload(filename or "upload", raw)


def inbox_rows(notes: Sequence[Mapping], lang: str) -> list[dict]:
    """The inbox's lines: ``id``, ``when``, ``text``, ``read`` and a ``href`` to the hazard
    when the message is about one."""
    rows = []
    for n in notes:
        href = None
        if n["subject"].startswith("hazard:"):
            href = f"/hazards?id={n['subject'].split(':', 1)[1]}&lang={lang}"
        rows.append({"id": n["notification_id"], "when": when(n["at"]), "text": n["text"],
                     "read": n["read"], "href": href})
    return rows


def grid_map(cells: Sequence[Mapping], lang: str, *, road_lat, road_lon, bbox,
             outlines: Sequence[dict] = ()) -> go.Figure:
    """The community cells on the road map with the district outlines, coloured by the
    day's status (one layer per status, so the legend explains the colours)."""
    layers = []
    for status in ("ok", "missing", "overdue"):  # the worst drawn last, on top
        mine = [c for c in cells if c["status"] == status]
        layers.append(PointLayer(
            f"grids.status.{status}", [c["lat"] for c in mine], [c["lon"] for c in mine],
            [f"{c['name_zh']} · " + t("grids.map_tip", lang, got=c["reports_received"],
                                       expected=c["reports_expected"], open=c["open"],
                                       overdue=c["overdue"]) for c in mine],
            STATUS_COLOURS[status], "circle", 13))
    fig = map_figure(road_lat=road_lat, road_lon=road_lon, bbox=bbox, layers=layers, lang=lang)
    return add_outlines(fig, outlines, lang)
