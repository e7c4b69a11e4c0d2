"""The hidden-hazard closed loop over the store: report, move, see, escalate.

Owns: who may see which hazard (the centre sees all; a grid member the cells under its
own; an enterprise its own), reporting a hazard (checked, flagged against open hazards of
the same kind nearby, kept with its evidence and its first timeline row, and told to the
people who register it), taking a step (checked by :func:`command.hazards.lifecycle.advance`,
kept with its timeline row, evidence and audit entry, and told to the people who take
the next one), the evidence files (type by content, size limit, SHA-256, kept under the
data directory and served only to those who see the hazard, after checking the hash),
the board and the detail of a hazard, and the escalation job.

Every input is checked before anything is written: a bad one raises
:class:`~command.errors.DataError` naming the field and value (an
:class:`~command.errors.AccessError` for a user who may not act), and nothing is written
(a file already kept for a refused step is removed again). Must not: know about the web or
the command line, or read the clock behind a caller's back (``now`` is an argument).
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from command import store
from command.access.roles import SCOPED_ROLES, allowed
from command.app.access import User
from command.app.notify import Channel, InAppChannel, deliver_pending
from command.clock import BEIJING, UTC, as_utc, beijing_date, utc_now
from command.errors import AccessError, DataError, Problem, StoreError
from command.hazards import escalation, lifecycle
from command.hazards.duplicates import NewReport, OpenHazard, possible_duplicates
from command.hazards.kinds import check_kind
from command.hazards.rollup import GridTree, tree
from command.model import Agency, GridMember
from command.store import hazards as hs
from command.store import notifications as outbox
from command.store import users as us
from command.store.load import reference

__all__ = ["MAX_EVIDENCE_BYTES", "EVIDENCE_TYPES", "SEE_ALL", "Upload", "check_upload",
           "grid_of", "subtree", "visible_cells", "sees", "require", "reporting_cells",
           "report_hazard", "advance_hazard", "detail", "board", "hazards_for", "evidence_file", "escalate"]

#: The largest evidence file kept: a phone photo at full size, or a scanned report.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
#: What an evidence file may be (recognised by its first bytes, not its name), and the
#: extension it is kept under.
EVIDENCE_TYPES: Mapping[str, str] = {"image/jpeg": ".jpg", "image/png": ".png",
                                     "image/webp": ".webp", "application/pdf": ".pdf"}
#: Roles that see every hazard of the city.
SEE_ALL = frozenset({"commander", "duty_officer", "staff", "planner", "expert"})
_DESCRIPTION_MAX = 2000


@dataclass(frozen=True)
class Upload:
    """A file as a person sent it: the name they gave it and its bytes."""

    filename: str
    content: bytes = b""

    def __repr__(self) -> str:  # never the bytes into a log line
        return f"Upload({self.filename!r}, {len(self.content)} bytes)"


def _media_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_upload(upload: Upload, *, field: str = "evidence") -> dict[str, Any]:
    """The checked facts of an evidence file: ``filename`` (its base name),
    ``media_type``, ``size_bytes`` and ``sha256``.

    Raises
    ------
    DataError
        Naming ``field`` and the file's name: no name, empty, over
        :data:`MAX_EVIDENCE_BYTES`, or neither an image (JPEG, PNG, WebP) nor a PDF.
    """
    name = PurePath(str(upload.filename or "").replace("\\", "/")).name.strip()
    problems = []
    if not name or len(name) > 200:
        problems.append(Problem("a file needs a name of 1 to 200 characters", field=field,
                                value=upload.filename))
    size = len(upload.content)
    if size == 0:
        problems.append(Problem("the file is empty", field=field, value=name))
    elif size > MAX_EVIDENCE_BYTES:
        problems.append(Problem(f"the file has {size / 2**20:.1f} MiB, over the limit of "
                                f"{MAX_EVIDENCE_BYTES // 2**20} MiB", field=field, value=name))
    media = _media_type(upload.content[:16])
    if size and media is None:
        problems.append(Problem("not an image (JPEG, PNG, WebP) or a PDF document",
                                field=field, value=name))
    if problems:
        raise DataError("The evidence file is refused.", problems)
    return {"filename": name, "media_type": media, "size_bytes": size,
            "sha256": hashlib.sha256(upload.content).hexdigest()}


def _keep_files(settings, uploads: Sequence[Upload],
                checked: Sequence[dict]) -> tuple[list[dict], list[Path]]:
    """Write the files under ``data_dir/evidence`` by hash (the same file twice is kept
    once); the evidence rows for the store and the files this call made."""
    root = Path(settings.data_dir)
    rows, made = [], []
    for up, c in zip(uploads, checked):
        rel = f"evidence/{c['sha256'][:2]}/{c['sha256']}{EVIDENCE_TYPES[c['media_type']]}"
        path = root / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(up.content)
            os.replace(tmp, path)
            made.append(path)
        rows.append({**c, "path": rel})
    return rows, made


def _drop(paths: Iterable[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


# --- who sees what ----------------------------------------------------------------

def grid_of(engine: Engine) -> GridTree:
    """The grid of the store's data set."""
    with store.session_scope(engine, read_only=True) as s:
        return tree(reference(s, "grid_cells"))


def subtree(grid: GridTree, grid_id: str) -> frozenset[str]:
    """``grid_id`` and every cell under it."""
    out, todo = set(), [grid_id]
    while todo:
        gid = todo.pop()
        out.add(gid)
        todo.extend(grid.children.get(gid, ()))
    return frozenset(out)


def visible_cells(user: User, grid: GridTree) -> frozenset[str] | None:
    """The cells whose hazards ``user`` sees: None for all (the centre), the cells under
    a grid member's own, nothing else for other roles (an enterprise sees its own
    hazards, see :func:`sees`)."""
    if user.role in SEE_ALL:
        return None
    if user.role == "grid_member" and user.grid_id in grid.cells:
        return subtree(grid, user.grid_id)
    return frozenset()


def sees(user: User, hazard: hs.HazardRecord, cells: frozenset[str] | None) -> bool:
    """Whether ``user`` (whose :func:`visible_cells` are ``cells``) sees ``hazard``."""
    if not allowed(user.role, "page.hazards"):
        return False
    if cells is None:
        return True
    if user.role == "enterprise":
        return (hazard.reported_by == user.name
                or (user.enterprise_id is not None
                    and hazard.enterprise_id == user.enterprise_id))
    return hazard.grid_id in cells


def require(user: User, permission: str) -> None:
    """Refuse (:class:`AccessError`) a user whose role lacks ``permission``."""
    if not allowed(user.role, permission):
        raise AccessError("This user may not do this.", [Problem(
            f"role '{user.role}' lacks permission '{permission}'", field="user",
            value=user.name)])


def reporting_cells(engine: Engine, user: User) -> list:
    """The community cells ``user`` may report in: a grid member's own ones, all of them
    for everyone else (an enterprise or the centre), in the data set's order."""
    grid = grid_of(engine)
    cells = visible_cells(user, grid)
    mine = user.role == "grid_member" and cells is not None
    return [c for c in grid.cells.values()
            if c.level == "community" and (not mine or c.grid_id in cells)]


def _hazard_for(s, hazard_id: object, user: User, grid: GridTree) -> hs.HazardRecord:
    h = hs.get_hazard(s, hazard_id) if isinstance(hazard_id, str) else None
    if h is None or not sees(user, h, visible_cells(user, grid)):
        # the same answer for "none" and "not yours": ids are not to be probed
        raise DataError("No such hazard.", [Problem("no hazard of this id that you may see",
                                                    field="hazard_id", value=hazard_id)])
    return h


# --- who is told --------------------------------------------------------------------

@dataclass(frozen=True)
class _Person:
    channel: str
    address: str
    person: str
    user_name: str | None = None


def _users_in(s) -> list[us.UserRecord]:
    return [u for u in us.list_users(s) if u.enabled]


def _as_user(u: us.UserRecord) -> User:
    return User(u.name, u.display_name, u.role, u.agency_id, u.enterprise_id, u.grid_id)


def _next_actors(s, h: hs.HazardRecord, state: str, grid: GridTree,
                 actor: str) -> list[_Person]:
    """The centre's users who may take a next step from ``state``."""
    roles = {r for rule in lifecycle.TRANSITIONS if rule.source == state for r in rule.roles}
    roles -= set(SCOPED_ROLES)
    return [_Person("in_app", u.name, u.display_name, u.name) for u in _users_in(s)
            if u.role in roles and u.name != actor and sees(_as_user(u), h, None)]


def _responsible(s, name: str | None) -> list[_Person]:
    if not name:
        return []
    u = us.get_user(s, name)
    return [] if u is None or not u.enabled else [_Person("in_app", u.name, u.display_name,
                                                          u.name)]


def _queue(s, people: Iterable[_Person], *, subject: str, key: str, params: Mapping,
           actor: str, now: datetime) -> list[str]:
    told, seen = [], set()
    for p in people:
        if (p.channel, p.address) in seen:
            continue
        seen.add((p.channel, p.address))
        outbox.queue(s, channel=p.channel, address=p.address, person=p.person,
                     user_name=p.user_name, subject=subject, message_key=key,
                     params=dict(params), actor=actor, now=now)
        told.append(f"{p.channel}:{p.person}")
    return told


def _tell_step(s, h: hs.HazardRecord, step: lifecycle.Transition, grid: GridTree,
               actor: str, now: datetime) -> None:
    subject = f"hazard:{h.hazard_id}"
    params = {"hazard_id": h.hazard_id, "kind": h.kind, "state": step.to,
              "cell": grid.cells[h.grid_id].name_zh}
    _queue(s, _next_actors(s, h, step.to, grid, actor), subject=subject,
           key="notify.hazard.todo", params=params, actor=actor, now=now)
    if h.reported_by != actor and step.action != "find":
        reporter = us.get_user(s, h.reported_by)
        if reporter is not None and reporter.enabled:
            _queue(s, [_Person("in_app", reporter.name, reporter.display_name, reporter.name)],
                   subject=subject, key="notify.hazard.progress", params=params, actor=actor,
                   now=now)
    if step.action == "remediate":
        deadline = step.data["deadline"]
        _queue(s, _responsible(s, step.data["responsible"]), subject=subject,
               key="notify.hazard.responsible",
               params={**params, "deadline": f"{deadline.astimezone(BEIJING):%Y-%m-%d %H:%M}"},
               actor=actor, now=now)


def _deliver_in_app(engine: Engine, now: datetime) -> None:
    deliver_pending(engine, channels={"in_app": InAppChannel()}, only="in_app", now=now)


# --- reporting and moving ---------------------------------------------------------

def _place(value: object, field: str, limit: float, problems: list[Problem]) -> float | None:
    if value is None or value == "":
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, bool) or not math.isfinite(v) or abs(v) > limit:
        problems.append(Problem(f"not a {field}itude in [-{limit:g}, {limit:g}]", field=field,
                                value=value))
        return None
    return v


def report_hazard(engine: Engine, settings, *, user: User, grid_id: str, kind: str,
                  description: str, lat: float | None = None, lon: float | None = None,
                  note: str | None = None, evidence: Sequence[Upload] = (),
                  now: datetime | None = None) -> dict:
    """``user`` reports a hazard found in community cell ``grid_id``.

    The place defaults to the cell's centre. Open hazards of the same kind within
    :data:`command.hazards.duplicates.DEFAULT_RADIUS_M` are flagged as possible
    duplicates (kept with it and shown to whoever registers it). The people who may
    register it are told in their inbox.

    Returns
    -------
    dict
        ``hazard_id``, ``state`` (``found``), ``due_at`` and ``possible_duplicates``
        (``hazard_id``, ``distance_m``).

    Raises
    ------
    AccessError
        If ``user`` may not report, or the cell is outside a grid member's own.
    DataError
        For an unknown or non-community cell, an unknown kind, an empty description, a
        place that is not a latitude/longitude, or a refused evidence file.
    """
    now = as_utc(now or utc_now(), field="now")
    require(user, "hazard.report")
    grid = grid_of(engine)
    problems: list[Problem] = []
    cell = grid.cells.get(grid_id) if isinstance(grid_id, str) else None
    if not grid_id:
        problems.append(Problem("required: the community grid cell", field="grid_id",
                                value=grid_id))
    elif cell is None:
        problems.append(Problem("unknown grid cell", field="grid_id", value=grid_id))
    elif cell.level != "community":
        problems.append(Problem(f"a hazard is reported in a community cell, not a {cell.level} "
                                "cell", field="grid_id", value=grid_id))
    try:
        check_kind(kind)
    except DataError as exc:
        problems += exc.problems
    text = description.strip() if isinstance(description, str) else ""
    if not text or len(text) > _DESCRIPTION_MAX:
        problems.append(Problem(f"required: a text of 1 to {_DESCRIPTION_MAX} characters",
                                field="description", value=description))
    lat_v = _place(lat, "lat", 90.0, problems)
    lon_v = _place(lon, "lon", 180.0, problems)
    if problems:
        raise DataError("The hazard report is refused.", problems)
    cells = visible_cells(user, grid)
    if user.role == "grid_member" and grid_id not in (cells or ()):
        raise AccessError("This cell is not yours.", [Problem(
            "a grid member reports in the cells under their own", field="grid_id",
            value=grid_id)])
    checked = [check_upload(u) for u in evidence]
    step = lifecycle.advance(None, "find", role=user.role,
                             data={"note": (note or "").strip() or text}, now=now)
    lat_v = cell.lat if lat_v is None else lat_v
    lon_v = cell.lon if lon_v is None else lon_v
    with store.session_scope(engine, read_only=True) as s:
        open_ones = [OpenHazard(h.hazard_id, h.kind, h.lat, h.lon, h.state)
                     for h in hs.list_hazards(s, states=lifecycle.OPEN_STATES, kind=kind)]
    dups = possible_duplicates(NewReport(kind, lat_v, lon_v), open_ones)
    rows, made = _keep_files(settings, evidence, checked)
    due = lifecycle.due_at(step)
    try:
        for attempt in range(3):  # two reports in the same instant may draw the same id
            try:
                with store.session_scope(engine) as s:
                    hazard_id = hs.next_hazard_id(s, beijing_date(now))
                    h = hs.create_hazard(
                        s, hazard_id=hazard_id, grid_id=grid_id, kind=kind, description=text,
                        lat=lat_v, lon=lon_v, reported_by=user.name, role=user.role,
                        note=step.data["note"],
                        enterprise_id=user.enterprise_id if user.role == "enterprise" else None,
                        due_at=due, possible_duplicates=[d.hazard.hazard_id for d in dups],
                        evidence=rows, now=now)
                    _tell_step(s, h, step, grid, user.name, now)
                break
            except (IntegrityError, StoreError):
                if attempt == 2:
                    raise
    except BaseException:
        _drop(made)
        raise
    _deliver_in_app(engine, now)
    return {"hazard_id": h.hazard_id, "state": h.state, "due_at": due,
            "possible_duplicates": [{"hazard_id": d.hazard.hazard_id,
                                     "distance_m": round(d.distance_m, 1)} for d in dups]}


def advance_hazard(engine: Engine, settings, hazard_id: str, to: str, *, user: User,
                   note: str, fields: Mapping[str, Any] | None = None,
                   evidence: Sequence[Upload] = (), now: datetime | None = None) -> dict:
    """``user`` takes the step of hazard ``hazard_id`` named by an action or a target
    state ``to``, with ``note`` and the step's ``fields`` (``level`` and ``reason`` to
    assess; ``reason`` to reject; ``deadline``, ``responsible``, ``measures`` and
    ``budget_yuan`` to order remediation) and evidence files.

    Returns
    -------
    dict
        ``hazard_id``, ``from``, ``state``, ``action`` and ``due_at``.

    Raises
    ------
    AccessError
        If ``user``'s role may not move hazards.
    DataError
        For a hazard the user does not see (field ``hazard_id``), an illegal step (field
        ``to``), a role that may not take this step (field ``role``), missing or wrong
        data, or a refused file. Nothing is written.
    """
    now = as_utc(now or utc_now(), field="now")
    require(user, "hazard.advance")
    grid = grid_of(engine)
    with store.session_scope(engine, read_only=True) as s:
        h = _hazard_for(s, hazard_id, user, grid)
    step = lifecycle.advance(h.state, to, role=user.role,
                             data={"note": note, **dict(fields or {})}, now=now)
    checked = [check_upload(u) for u in evidence]
    rows, made = _keep_files(settings, evidence, checked)
    due = lifecycle.due_at(step)
    try:
        with store.session_scope(engine) as s:
            h2, _ = hs.record_step(s, h.hazard_id, expect_state=h.state, action=step.action,
                                   to_state=step.to, actor=user.name, role=user.role,
                                   note=step.data["note"],
                                   data={k: v for k, v in step.data.items() if k != "note"},
                                   due_at=due, evidence=rows, now=now)
            _tell_step(s, h2, step, grid, user.name, now)
    except BaseException:
        _drop(made)
        raise
    _deliver_in_app(engine, now)
    return {"hazard_id": h.hazard_id, "from": h.state, "state": step.to,
            "action": step.action, "due_at": due}


# --- seeing ---------------------------------------------------------------------

def _card(h: hs.HazardRecord, grid: GridTree, now: datetime) -> dict:
    return {"hazard_id": h.hazard_id, "kind": h.kind, "state": h.state, "level": h.level,
            "grid_id": h.grid_id, "cell": grid.cells[h.grid_id].name_zh,
            "description": h.description, "found_at": h.found_at, "due_at": h.due_at,
            "overdue": h.state in lifecycle.OPEN_STATES and lifecycle.is_overdue(h.due_at, now),
            "escalation_level": h.escalation_level, "reported_by": h.reported_by,
            "lat": h.lat, "lon": h.lon, "possible_duplicates": list(h.possible_duplicates)}


def hazards_for(engine: Engine, *, user: User, grid_id: str | None = None,
                kind: str | None = None, overdue: bool = False, open_only: bool = False,
                now: datetime | None = None) -> list[dict]:
    """The hazards ``user`` sees (under cell ``grid_id``, of ``kind``; only open or only
    overdue ones), newest first, as cards."""
    now = as_utc(now or utc_now(), field="now")
    require(user, "page.hazards")
    grid = grid_of(engine)
    cells = visible_cells(user, grid)
    under = None
    if grid_id:
        if grid_id not in grid.cells:
            raise DataError("Unknown grid cell.", [Problem("unknown grid cell",
                                                           field="grid_id", value=grid_id)])
        under = subtree(grid, grid_id)
    if kind:
        check_kind(kind)
    with store.session_scope(engine, read_only=True) as s:
        found = hs.list_hazards(s, kind=kind or None,
                                states=lifecycle.OPEN_STATES if open_only or overdue else None,
                                grid_ids=under)
    cards = [_card(h, grid, now) for h in found if sees(user, h, cells)]
    return [c for c in cards if c["overdue"]] if overdue else cards


def board(engine: Engine, *, user: User, grid_id: str | None = None, kind: str | None = None,
          now: datetime | None = None) -> dict[str, list[dict]]:
    """The kanban: every state (in the loop's order) with its hazards' cards, overdue
    first, then oldest due first."""
    cards = hazards_for(engine, user=user, grid_id=grid_id, kind=kind, now=now)
    far = datetime.max.replace(tzinfo=UTC)
    out: dict[str, list[dict]] = {s: [] for s in lifecycle.STATES}
    for c in cards:
        out[c["state"]].append(c)
    for col in out.values():
        col.sort(key=lambda c: (not c["overdue"], c["due_at"] or far, c["hazard_id"]))
    return out


def detail(engine: Engine, hazard_id: str, *, user: User,
           now: datetime | None = None) -> dict:
    """One hazard as ``user`` sees it: its card, timeline (with each step's evidence),
    escalations, the messages sent about it (the centre only) and the steps ``user`` may
    take now.

    Raises
    ------
    DataError
        If there is no such hazard that ``user`` sees.
    """
    now = as_utc(now or utc_now(), field="now")
    require(user, "page.hazards")
    grid = grid_of(engine)
    with store.session_scope(engine, read_only=True) as s:
        h = _hazard_for(s, hazard_id, user, grid)
        events = hs.timeline(s, h.hazard_id)
        files = hs.evidence_of(s, h.hazard_id)
        ups = hs.escalations_of(s, h.hazard_id)
        notes = (outbox.list_notifications(s, subject=f"hazard:{h.hazard_id}")
                 if user.role in SEE_ALL else [])
        names = {u.name: u.display_name for u in us.list_users(s)}
    by_event: dict[int, list[dict]] = {}
    for f in files:
        by_event.setdefault(f.event_id, []).append(
            {"evidence_id": f.evidence_id, "filename": f.filename, "media_type": f.media_type,
             "size_bytes": f.size_bytes, "sha256": f.sha256})
    steps = (lifecycle.allowed_next(h.state, user.role)
             if allowed(user.role, "hazard.advance") else ())
    return {
        **_card(h, grid, now),
        "responsible": h.responsible,
        "closed_at": h.closed_at,
        "timeline": [{"event_id": e.event_id, "action": e.action, "from": e.from_state,
                      "to": e.to_state, "actor": e.actor, "actor_name": names.get(e.actor,
                                                                                  e.actor),
                      "role": e.role, "note": e.note, "data": e.data, "at": e.at,
                      "evidence": by_event.get(e.event_id, [])} for e in events],
        "escalations": [{"level": x.level, "at": x.escalated_at, "due_at": x.due_at,
                         "notified": list(x.notified)} for x in ups],
        "notifications": [{"channel": n.channel, "person": n.person, "state": n.state,
                           "error": n.error, "at": n.created_at} for n in notes],
        "next": [{"action": r.action, "to": r.target, "needs": list(r.needs)} for r in steps],
    }


def evidence_file(engine: Engine, settings, evidence_id: object, *,
                  user: User) -> tuple[Path, str, str]:
    """The kept file of evidence ``evidence_id`` for ``user``: its path, media type and
    name, after checking that ``user`` sees its hazard and that the file still has the
    hash it was kept with.

    Raises
    ------
    AccessError
        If there is no such evidence that ``user`` may see (one answer for both).
    StoreError
        If the file is missing or changed since it was kept.
    """
    grid = grid_of(engine)
    try:
        eid = int(evidence_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        eid = -1
    with store.session_scope(engine, read_only=True) as s:
        ev = hs.get_evidence(s, eid)
        h = None if ev is None else hs.get_hazard(s, ev.hazard_id)
    if ev is None or h is None or not sees(user, h, visible_cells(user, grid)):
        raise AccessError("No such evidence.", [Problem("no evidence of this id that you may "
                                                        "see", field="evidence_id",
                                                        value=evidence_id)])
    path = Path(settings.data_dir) / ev.path
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        raise StoreError(f"evidence file {ev.path} is missing") from None
    if digest != ev.sha256:
        raise StoreError(f"evidence file {ev.path} has changed since it was kept "
                         f"(SHA-256 {digest}, kept {ev.sha256})")
    return path, ev.media_type, ev.filename


# --- escalation ------------------------------------------------------------------

def _people_at(level: str, h: hs.HazardRecord, grid: GridTree,
               members: Sequence[GridMember], agencies: Sequence[Agency],
               users: Sequence[us.UserRecord]) -> list[_Person]:
    """Who is told when ``h`` reaches ``level``: the grid heads of that level (SMS to their
    phones, in-app to users of that cell), the district government's contact and liaison
    officers, the city's emergency bureau and commanders; always the person responsible."""
    cell = grid.cells[h.grid_id]
    town = grid.parent[h.grid_id]
    city = grid.parent[town] if town is not None else None
    people: list[_Person] = []

    def cell_people(gid: str | None) -> None:
        if gid is None:
            return
        people.extend(_Person("sms", m.phone, m.name_zh) for m in members if m.grid_id == gid)
        people.extend(_Person("in_app", u.name, u.display_name, u.name) for u in users
                      if u.grid_id == gid)

    if level == "town":
        cell_people(town)
    elif level == "district":
        for a in agencies:
            if a.kind == "district" and a.name_zh.startswith(cell.district):
                people.append(_Person("sms", a.contact_phone, f"{a.name_zh} {a.contact_name}"))
                people.extend(_Person("in_app", u.name, u.display_name, u.name) for u in users
                              if u.role == "liaison" and u.agency_id == a.agency_id)
    elif level == "city":
        cell_people(city)
        people.extend(_Person("sms", a.contact_phone, f"{a.name_zh} {a.contact_name}")
                      for a in agencies if a.kind == "emergency_management")
        people.extend(_Person("in_app", u.name, u.display_name, u.name) for u in users
                      if u.role == "commander")
    if h.responsible:
        people.extend(_Person("in_app", u.name, u.display_name, u.name) for u in users
                      if u.name == h.responsible)
    return people


def escalate(engine: Engine, *, now: datetime | None = None,
             channels: Mapping[str, Channel] | None = None) -> list[dict]:
    """The escalation job: every open hazard past its deadline goes up the grid
    (:func:`command.hazards.escalation.levels_due`), each level recorded once with the
    people told, then the outbox is delivered through ``channels``.

    Returns
    -------
    list of dict
        One per escalation made now: ``hazard_id``, ``level``, ``due_at``, ``notified``;
        empty when nothing was due (a second run at the same time makes none).
    """
    now = as_utc(now or utc_now(), field="now")
    with store.session_scope(engine, read_only=True) as s:
        late = hs.list_hazards(s, states=lifecycle.OPEN_STATES, due_before=now)
        grid = tree(reference(s, "grid_cells"))
        members = reference(s, "grid_members")
        agencies = reference(s, "agencies")
        users = _users_in(s)
    made = []
    for h in sorted(late, key=lambda x: x.hazard_id):
        for level in escalation.levels_due(h.escalation_level, h.due_at, now):
            with store.session_scope(engine) as s:
                people = _people_at(level, h, grid, members, agencies, users)
                if not hs.record_escalation(s, h.hazard_id, level=level, due_at=h.due_at,
                                            notified=[f"{p.channel}:{p.person}"
                                                      for p in people], now=now):
                    continue
                told = _queue(s, people, subject=f"hazard:{h.hazard_id}",
                              key="notify.hazard.escalated",
                              params={"hazard_id": h.hazard_id, "kind": h.kind,
                                      "state": h.state, "level": level,
                                      "cell": grid.cells[h.grid_id].name_zh,
                                      "due": f"{h.due_at.astimezone(BEIJING):%Y-%m-%d %H:%M}"},
                              actor="system", now=now)
            made.append({"hazard_id": h.hazard_id, "level": level, "due_at": h.due_at,
                         "notified": told})
    deliver_pending(engine, channels=channels, now=now)
    return made
