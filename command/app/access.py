"""People and access: log-in, sessions, refusals, and the users an administrator keeps.

Owns: the rules of logging in (one message for an unknown name and a wrong password, a
lock after ``settings.login_max_failures`` failures for ``settings.login_lockout_min``
minutes, disabled users refused), session lifetimes (a duty shift; the video wall a
month), the audit entry of every refusal, the first accounts of a new store, and the
secret that signs session cookies (made once, kept in the data directory, readable by
its owner only). Must not: know about Flask or Dash (``dashboard/auth.py`` adapts).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from command import store
from command.access import (
    ROLES,
    SCOPED_ROLES,
    hash_password,
    new_password,
    password_problem,
    verify_password,
)
from command.access.passwords import needs_rehash
from command.access.roles import allowed
from command.clock import as_utc, utc_now
from command.errors import AccessError, DataError, Problem, StoreError
from command.store import users as user_store

__all__ = ["User", "Grant", "LoginRefused", "secret_key", "log_in", "session_user", "log_out",
           "refuse", "add_user", "list_users", "disable_user", "enable_user", "set_password",
           "change_own_password",
           "first_accounts", "acting_user"]

# A hash of a password nobody has, checked when the name is unknown, so that an unknown
# name takes as long to refuse as a wrong password (no user enumeration by timing).
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    """The person behind a request: what every page and audit entry needs."""

    name: str
    display_name: str
    role: str
    agency_id: str | None = None
    enterprise_id: str | None = None
    grid_id: str | None = None


@dataclass(frozen=True)
class Grant:
    """A session just opened: its token (secret; goes into the cookie), the user and how
    long it lasts."""

    token: str = field(repr=False)
    user: User
    expires_at: datetime
    lifetime_s: float


class LoginRefused(Exception):
    """A log-in was refused: ``code`` is ``wrong`` (unknown name or wrong password,
    deliberately alike), ``locked`` (``params['until']``: Beijing HH:MM) or
    ``disabled``."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _user(rec: user_store.UserRecord) -> User:
    return User(rec.name, rec.display_name, rec.role, rec.agency_id, rec.enterprise_id,
                rec.grid_id)


def secret_key(settings) -> bytes:
    """The secret that signs session cookies: read from ``settings.secret_key_file``, or
    made there on first use (32 random bytes, file mode 0600). Never a constant: each
    installation has its own, and deleting the file logs everybody out."""
    path = Path(settings.secret_key_file)
    if path.exists():
        data = path.read_bytes().strip()
        if len(data) >= 32:
            return data
    path.parent.mkdir(parents=True, exist_ok=True)
    data = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return data


def _check_log_in(s, settings, name: str, password: str, client: str,
                  now: datetime) -> LoginRefused | None:
    """Why ``name`` may not log in with ``password`` now (counted and audited in session
    ``s``), or None."""
    from command.clock import beijing

    rec = user_store.get_user(s, name) if name else None
    if rec is None:
        verify_password(_DUMMY_HASH, password or "")
        store.append_audit(s, actor="system", action="login.unknown",
                           subject=f"user:{name}"[:200], payload={"client": client}, at=now)
        return LoginRefused("wrong")
    if rec.locked_until is not None and rec.locked_until > now:
        store.append_audit(s, actor=name, action="login.locked", subject=f"user:{name}",
                           payload={"client": client}, at=now)
        return LoginRefused("locked", until=beijing(rec.locked_until).strftime("%H:%M"))
    if not verify_password(rec.password_hash, password or ""):
        failures = rec.failed_logins + 1
        lock = (now + timedelta(minutes=settings.login_lockout_min)
                if failures >= settings.login_max_failures else None)
        user_store.record_login_failure(s, name, lock_until=lock, client=client, now=now)
        if lock is not None:
            return LoginRefused("locked", until=beijing(lock).strftime("%H:%M"))
        return LoginRefused("wrong")
    if not rec.enabled:
        store.append_audit(s, actor=name, action="login.disabled", subject=f"user:{name}",
                           payload={"client": client}, at=now)
        return LoginRefused("disabled")
    return None


def log_in(engine: Engine, settings, name: str, password: str, *, client: str = "",
           now: datetime | None = None) -> Grant:
    """Check ``name`` and ``password`` and open a session.

    Raises
    ------
    LoginRefused
        ``wrong``, ``locked`` or ``disabled``; the failure is counted and audited (an
        unknown name only in the log: there is no user to count it on).
    """
    now = as_utc(now or utc_now(), field="now")
    name = (name or "").strip()[:64]
    # The refusal's audit entry (and failure count) must be committed: decide inside the
    # transaction, raise after it.
    with store.session_scope(engine) as s:
        refusal = _check_log_in(s, settings, name, password, client, now)
        if refusal is None:
            rec = user_store.get_user(s, name)
            rehash = hash_password(password) if needs_rehash(rec.password_hash) else None
            user_store.record_login_success(s, name, password_hash=rehash, now=now)
            lifetime = (timedelta(days=settings.wall_session_days) if rec.role == "wall"
                        else timedelta(hours=settings.session_hours))
            token = secrets.token_urlsafe(32)
            user_store.create_session(s, token, name, expires_at=now + lifetime,
                                      client=client, now=now)
    if refusal is not None:
        raise refusal
    return Grant(token, _user(rec), now + lifetime, lifetime.total_seconds())


def session_user(engine: Engine, token: str, *, now: datetime | None = None) -> User | None:
    """The user of an open, unexpired session whose user is enabled; None otherwise."""
    now = as_utc(now or utc_now(), field="now")
    with store.session_scope(engine, read_only=True) as s:
        sess = user_store.get_session(s, token)
        if sess is None or sess.ended_at is not None or sess.expires_at <= now:
            return None
        rec = user_store.get_user(s, sess.user_name)
    return _user(rec) if rec is not None and rec.enabled else None


def log_out(engine: Engine, token: str, *, now: datetime | None = None) -> bool:
    """End the session of ``token`` (audited); False when it was not open."""
    with store.session_scope(engine) as s:
        return user_store.end_session(s, token, now=now)


def refuse(engine: Engine, user: User, permission: str, *, what: str,
           now: datetime | None = None) -> None:
    """Audit a refused request: ``user`` lacked ``permission`` for ``what`` (a page path
    or a callback's outputs)."""
    with store.session_scope(engine) as s:
        store.append_audit(s, actor=user.name, action="access.denied",
                           subject=f"user:{user.name}",
                           payload={"role": user.role, "permission": permission,
                                    "what": what[:200]},
                           at=as_utc(now or utc_now(), field="now"))


# --- users (the administrator's page and the `users` commands) -----------------------------

def _check_new_user(name: str, role: str, scope: dict[str, str | None], password: str,
                    dataset) -> list[Problem]:
    problems = []
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
        problems.append(Problem("letters, digits, - _ . only; 1 to 64 characters",
                                field="name", value=name))
    if role not in ROLES:
        problems.append(Problem(f"unknown role; one of: {', '.join(ROLES)}", field="role",
                                value=role))
    needed = SCOPED_ROLES.get(role)
    for kind, value in scope.items():
        if kind == needed and not value:
            problems.append(Problem(f"a {role} user needs --{kind}", field=kind, value=None))
        elif kind != needed and value:
            problems.append(Problem(f"only a {_owner_of(kind)} user has a {kind}", field=kind,
                                    value=value))
    known = {"agency": {a.agency_id for a in dataset.agencies} if dataset else None,
             "enterprise": {e.enterprise_id for e in dataset.enterprises} if dataset else None,
             "grid": {g.grid_id for g in dataset.grid_cells} if dataset else None}
    for kind, value in scope.items():
        if value and known[kind] is not None and value not in known[kind]:
            problems.append(Problem(f"no such {kind} in the data set", field=kind, value=value))
    why = password_problem(password)
    if why:
        problems.append(Problem(why, field="password", value="(hidden)"))
    return problems


def _owner_of(kind: str) -> str:
    return next(role for role, k in SCOPED_ROLES.items() if k == kind)


def add_user(engine: Engine, *, name: str, role: str, password: str, actor: str,
             display_name: str | None = None, agency: str | None = None,
             enterprise: str | None = None, grid: str | None = None, dataset=None,
             now: datetime | None = None) -> User:
    """Add a user with a role (and its agency, enterprise or grid cell for the roles that
    have one), audited as ``actor``.

    Raises
    ------
    DataError
        Every problem of the input at once (name, role, scope, password rule), naming
        the field and the value; nothing is written.
    StoreError
        If the name is taken.
    """
    scope = {"agency": agency, "enterprise": enterprise, "grid": grid}
    problems = _check_new_user(name, role, scope, password, dataset)
    if problems:
        raise DataError(f"user '{name}' not added", problems)
    with store.session_scope(engine) as s:
        rec = user_store.create_user(
            s, name=name, display_name=(display_name or name)[:100], role=role,
            password_hash=hash_password(password), actor=actor, agency_id=agency,
            enterprise_id=enterprise, grid_id=grid, now=now)
    return _user(rec)


def list_users(engine: Engine) -> list[dict]:
    """Every user as plain data (no hash): name, display name, role, scope, enabled,
    locked until, created."""
    with store.session_scope(engine, read_only=True) as s:
        recs = user_store.list_users(s)
    return [{"name": r.name, "display_name": r.display_name, "role": r.role,
             "agency_id": r.agency_id, "enterprise_id": r.enterprise_id, "grid_id": r.grid_id,
             "enabled": r.enabled, "locked_until": r.locked_until, "created_at": r.created_at}
            for r in recs]


def disable_user(engine: Engine, name: str, *, actor: str, now: datetime | None = None) -> None:
    """Disable ``name``: its sessions end at once and it cannot log in.

    Raises
    ------
    StoreError
        If there is no such user, or it is the last enabled administrator.
    """
    with store.session_scope(engine) as s:
        rec = user_store.get_user(s, name)
        if rec is not None and rec.role == "admin" and rec.enabled:
            admins = [u for u in user_store.list_users(s) if u.role == "admin" and u.enabled]
            if len(admins) == 1:
                raise StoreError(f"'{name}' is the last enabled administrator: add another "
                                 "first")
        user_store.set_user_enabled(s, name, False, actor=actor, now=now)


def enable_user(engine: Engine, name: str, *, actor: str, now: datetime | None = None) -> None:
    """Enable ``name`` again (its failure count and lock are cleared)."""
    with store.session_scope(engine) as s:
        user_store.set_user_enabled(s, name, True, actor=actor, now=now)


def set_password(engine: Engine, name: str, password: str, *, actor: str,
                 now: datetime | None = None) -> None:
    """Set the password of ``name`` (its sessions end).

    Raises
    ------
    DataError
        If the password breaks the rule (naming it); nothing is written.
    StoreError
        If there is no such user.
    """
    why = password_problem(password)
    if why:
        raise DataError(f"password of '{name}' not changed",
                        [Problem(why, field="password", value="(hidden)")])
    with store.session_scope(engine) as s:
        user_store.set_password_hash(s, name, hash_password(password), actor=actor, now=now)


def change_own_password(engine: Engine, name: str, current: str, new: str, *,
                        now: datetime | None = None) -> None:
    """A user changes their own password: ``current`` must be right (else
    :class:`LoginRefused` ``wrong``, audited as a failed check); then as
    :func:`set_password`, audited as the user."""
    with store.session_scope(engine, read_only=True) as s:
        rec = user_store.get_user(s, name)
    if rec is None or not verify_password(rec.password_hash, current):
        with store.session_scope(engine) as s:
            store.append_audit(s, actor=name, action="password.check_failed",
                               subject=f"user:{name}", at=as_utc(now or utc_now(), field="now"))
        raise LoginRefused("wrong")
    set_password(engine, name, new, actor=name, now=now)


def first_accounts(engine: Engine, *, demo: bool, dataset=None,
                   now: datetime | None = None) -> dict | None:
    """On a store without users, add ``admin`` with a new random password and, when the
    data set asks for it (``demo``), one demo account per role with the same password
    (scoped roles get the data set's first agency, enterprise or grid cell).

    Returns
    -------
    dict or None
        ``password`` and ``users`` (names) when accounts were made; None when the store
        had users already (nothing is written).
    """
    with store.session_scope(engine, read_only=True) as s:
        if user_store.list_users(s):
            return None
    password = new_password()
    made = [add_user(engine, name="admin", role="admin", password=password, actor="system",
                     display_name="管理员 Administrator", now=now).name]
    if demo and dataset is not None:
        first = {"agency": dataset.agencies[0].agency_id if dataset.agencies else None,
                 "enterprise": (dataset.enterprises[0].enterprise_id
                                if dataset.enterprises else None),
                 "grid": dataset.grid_cells[0].grid_id if dataset.grid_cells else None}
        for role in ROLES:
            if role == "admin":
                continue
            kind = SCOPED_ROLES.get(role)
            made.append(add_user(engine, name=f"demo-{role.replace('_', '-')}", role=role,
                                 password=password, actor="system",
                                 display_name=f"demo-{role.replace('_', '-')}", dataset=dataset,
                                 now=now, **({kind: first[kind]} if kind else {})).name)
    return {"password": password, "users": made}


def acting_user(engine: Engine, name: str, permission: str, *,
                now: datetime | None = None) -> User:
    """The store's user ``name`` taking an action that needs ``permission``, checked as a
    log-in would be (known and enabled) and against the role matrix: how a command such as
    ``hazards advance --actor NAME`` acts as a named person. A refusal is audited
    (``access.denied``) like a refused page.

    Raises
    ------
    AccessError
        Naming the user and the permission, if the user is unknown, disabled or lacks it.
    """
    with store.session_scope(engine, read_only=True) as s:
        rec = user_store.get_user(s, name)
    if rec is None or not rec.enabled:
        why = "unknown user" if rec is None else "disabled user"
        raise AccessError("This user may not act.", [Problem(why, field="actor", value=name)])
    user = _user(rec)
    if not allowed(user.role, permission):
        refuse(engine, user, permission, what="command line", now=now)
        raise AccessError("This user may not act.", [Problem(
            f"role '{user.role}' lacks permission '{permission}'", field="actor",
            value=name)])
    return user
