"""Notifications: the outbox every message to a person goes through, and the in-app inbox.

Owns: the ``notifications`` table. A notification is queued (``pending``) in the same
transaction as the change it tells of, so nobody is told of a change that did not happen
and no change goes untold; a delivery adapter then marks it ``sent`` or ``failed`` (with
the error), and the recipient marks an in-app one ``read``. Messages are kept as a text key
and parameters, so each person reads them in their own language.

Must not: deliver anything (:mod:`command.app.notify` holds the adapters) or decide who is
told (the use cases do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from command.errors import StoreError
from command.store._tables import Base, _fk, _name_time_columns, _time
from command.store._types import stamp
from command.store.audit import append_audit

__all__ = ["CHANNELS", "STATES", "NotificationRecord", "queue", "pending", "mark_sent",
           "mark_failed", "mark_read", "inbox", "unread_count", "list_notifications"]

#: Ways a message reaches a person: the in-app inbox, SMS, e-mail.
CHANNELS: tuple[str, ...] = ("in_app", "sms", "email")
#: pending -> sent | failed; an in-app message that was sent -> read.
STATES: tuple[str, ...] = ("pending", "sent", "failed", "read")


class NotificationRow(Base):
    __tablename__ = "notifications"
    notification_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    #: a user name (in_app), a phone number (sms) or an address (email)
    address: Mapped[str] = mapped_column(String(200), nullable=False)
    user_name: Mapped[str | None] = _fk("users.name", nullable=True)
    person: Mapped[str] = mapped_column(String(100), nullable=False)
    subject: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    message_key: Mapped[str] = mapped_column(String(80), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = _time()
    sent_at: Mapped[datetime | None] = _time(nullable=True)
    read_at: Mapped[datetime | None] = _time(nullable=True)
    __table_args__ = (
        CheckConstraint("channel IN ('in_app', 'sms', 'email')", name="channel"),
        CheckConstraint("state IN ('pending', 'sent', 'failed', 'read')", name="state"),
    )


_name_time_columns()


@dataclass(frozen=True)
class NotificationRecord:
    notification_id: int
    channel: str
    address: str
    user_name: str | None
    person: str
    subject: str
    message_key: str
    params: dict
    state: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    read_at: datetime | None


def _record(r: NotificationRow) -> NotificationRecord:
    return NotificationRecord(r.notification_id, r.channel, r.address, r.user_name, r.person,
                              r.subject, r.message_key, dict(r.params), r.state, r.attempts,
                              r.error, r.created_at, r.sent_at, r.read_at)


def queue(session: Session, *, channel: str, address: str, person: str, subject: str,
          message_key: str, params: Mapping[str, Any], user_name: str | None = None,
          actor: str = "system", now: datetime | None = None) -> NotificationRecord:
    """Put one message in the outbox (``pending``; audited ``notification.queued``).

    Raises
    ------
    StoreError
        For an unknown channel or an empty address.
    """
    now = stamp(now)
    if channel not in CHANNELS:
        raise StoreError(f"unknown notification channel {channel!r} "
                         f"(one of {', '.join(CHANNELS)})")
    if not address:
        raise StoreError(f"a {channel} notification needs an address")
    row = NotificationRow(channel=channel, address=address, user_name=user_name, person=person,
                          subject=subject, message_key=message_key, params=dict(params),
                          state="pending", attempts=0, error=None, created_at=now)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="notification.queued", subject=subject,
                 payload={"notification_id": row.notification_id, "channel": channel,
                          "address": address, "message_key": message_key}, at=now)
    return _record(row)


def pending(session: Session, *, channel: str | None = None,
            limit: int = 500) -> list[NotificationRecord]:
    """Messages waiting to be delivered, oldest first."""
    stmt = (select(NotificationRow).where(NotificationRow.state == "pending")
            .order_by(NotificationRow.notification_id).limit(limit))
    if channel is not None:
        stmt = stmt.where(NotificationRow.channel == channel)
    return [_record(r) for r in session.scalars(stmt)]


def _row(session: Session, notification_id: int) -> NotificationRow:
    row = session.get(NotificationRow, notification_id)
    if row is None:
        raise StoreError(f"no notification {notification_id}")
    return row


def mark_sent(session: Session, notification_id: int, *,
              now: datetime | None = None) -> NotificationRecord:
    """A delivery adapter delivered the message."""
    now = stamp(now)
    row = _row(session, notification_id)
    row.state, row.sent_at, row.attempts, row.error = "sent", now, row.attempts + 1, None
    return _record(row)


def mark_failed(session: Session, notification_id: int, error: str, *,
                now: datetime | None = None) -> NotificationRecord:
    """A delivery adapter could not deliver the message (audited
    ``notification.failed``, so a failure is never silent)."""
    now = stamp(now)
    row = _row(session, notification_id)
    row.state, row.attempts, row.error = "failed", row.attempts + 1, error
    append_audit(session, actor="system", action="notification.failed", subject=row.subject,
                 payload={"notification_id": notification_id, "channel": row.channel,
                          "address": row.address, "error": error}, at=now)
    return _record(row)


def mark_read(session: Session, notification_id: int, *, user_name: str,
              now: datetime | None = None) -> NotificationRecord:
    """``user_name`` read their in-app message (only theirs).

    Raises
    ------
    StoreError
        If the message is not an in-app message of ``user_name``.
    """
    now = stamp(now)
    row = _row(session, notification_id)
    if row.channel != "in_app" or row.user_name != user_name:
        raise StoreError(f"notification {notification_id} is not in {user_name}'s inbox")
    if row.state != "read":
        row.state, row.read_at = "read", now
    return _record(row)


def inbox(session: Session, user_name: str, *, limit: int = 100) -> list[NotificationRecord]:
    """``user_name``'s delivered in-app messages, newest first."""
    stmt = (select(NotificationRow)
            .where(NotificationRow.channel == "in_app",
                   NotificationRow.user_name == user_name,
                   NotificationRow.state.in_(("sent", "read")))
            .order_by(NotificationRow.notification_id.desc()).limit(limit))
    return [_record(r) for r in session.scalars(stmt)]


def unread_count(session: Session, user_name: str) -> int:
    """How many of ``user_name``'s in-app messages are delivered and unread."""
    return int(session.scalar(select(func.count()).select_from(NotificationRow).where(
        NotificationRow.channel == "in_app", NotificationRow.user_name == user_name,
        NotificationRow.state == "sent")) or 0)


def list_notifications(session: Session, *, subject: str | None = None,
                       state: str | None = None) -> list[NotificationRecord]:
    """Messages (about one subject; in one state), oldest first."""
    stmt = select(NotificationRow).order_by(NotificationRow.notification_id)
    if subject is not None:
        stmt = stmt.where(NotificationRow.subject == subject)
    if state is not None:
        stmt = stmt.where(NotificationRow.state == state)
    return [_record(r) for r in session.scalars(stmt)]
