"""Delivering notifications: the adapters behind one interface, the delivery run over the
outbox, and the in-app inbox.

Owns: :class:`Channel` (the interface every delivery adapter implements), the in-app
adapter (the inbox is the store: delivering marks the message sent), the SMS and e-mail
interfaces (:class:`SmsGateway`, :class:`EmailSender`) with the adapters that put a
gateway behind a channel, the stand-in for a channel nobody configured (it fails, saying
so: a message is never reported sent when it was not), :func:`deliver_pending`, and a
message's text in the reader's language.

Must not: choose who is told (the use cases queue messages in the transaction of the
change they tell of) or know about the web.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import Engine

from command import store
from command.clock import utc_now
from command.i18n import t
from command.store import notifications as outbox

__all__ = ["DeliveryError", "Channel", "InAppChannel", "SmsGateway", "EmailSender",
           "SmsChannel", "EmailChannel", "Unconfigured", "default_channels", "message",
           "deliver_pending", "inbox", "unread", "mark_read"]

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A channel could not deliver a message; the text says why (kept with it)."""


class Channel(Protocol):
    """Delivers one message. Returns when delivered; raises :class:`DeliveryError`
    otherwise."""

    name: str

    def send(self, note: outbox.NotificationRecord, text: str) -> None: ...


class InAppChannel:
    """The in-app inbox: the message is in the store already, so it is delivered."""

    name = "in_app"

    def send(self, note: outbox.NotificationRecord, text: str) -> None:
        if note.user_name is None:
            raise DeliveryError("an in-app message needs a user")


class SmsGateway(ABC):
    """An SMS provider (a carrier's or a government SMS platform's API)."""

    @abstractmethod
    def send_sms(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone``; raise :class:`DeliveryError` when it is refused."""


class EmailSender(ABC):
    """A mail server."""

    @abstractmethod
    def send_email(self, address: str, subject: str, text: str) -> None:
        """Send a message; raise :class:`DeliveryError` when it is refused."""


class SmsChannel:
    """SMS through a :class:`SmsGateway`."""

    name = "sms"

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def send(self, note: outbox.NotificationRecord, text: str) -> None:
        self.gateway.send_sms(note.address, text)


class EmailChannel:
    """E-mail through an :class:`EmailSender`; the subject line is the message's first
    line."""

    name = "email"

    def __init__(self, sender: EmailSender) -> None:
        self.sender = sender

    def send(self, note: outbox.NotificationRecord, text: str) -> None:
        self.sender.send_email(note.address, text.splitlines()[0][:120], text)


class Unconfigured:
    """A channel with no gateway behind it: every message fails, saying so."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, note: outbox.NotificationRecord, text: str) -> None:
        raise DeliveryError(f"no {self.name} gateway is configured; the message was not sent")


def default_channels() -> dict[str, Channel]:
    """The channels of an installation without an SMS or mail gateway: the in-app inbox
    delivers, SMS and e-mail fail visibly."""
    return {"in_app": InAppChannel(), "sms": Unconfigured("sms"),
            "email": Unconfigured("email")}


# parameters that are ids of things with names in the text table
_NAMED = {"kind": "hazard.kind.", "state": "hazard.state.", "level": "hazard.escalation.",
          "action": "hazard.action."}


def message(note: outbox.NotificationRecord, lang: str = "zh") -> str:
    """The text of a message in ``lang`` (kinds, states and levels in words)."""
    params = {k: (t(_NAMED[k] + str(v), lang) if k in _NAMED and v is not None else v)
              for k, v in note.params.items()}
    return t(note.message_key, lang).format(**params)


def deliver_pending(engine: Engine, *, channels: Mapping[str, Channel] | None = None,
                    only: str | None = None, lang: str = "zh",
                    now: datetime | None = None) -> dict[str, int]:
    """Deliver every pending message (of channel ``only``) through its channel; each
    outcome (sent, or failed with the channel's reason) is written at once, so a crash
    loses no outcome.

    Returns
    -------
    dict
        ``sent`` and ``failed`` counts.
    """
    channels = dict(default_channels() if channels is None else channels)
    now = now or utc_now()
    with store.session_scope(engine, read_only=True) as s:
        waiting = outbox.pending(s, channel=only)
    counts = {"sent": 0, "failed": 0}
    for note in waiting:
        channel = channels.get(note.channel) or Unconfigured(note.channel)
        try:
            channel.send(note, message(note, lang))
        except DeliveryError as exc:
            with store.session_scope(engine) as s:
                outbox.mark_failed(s, note.notification_id, str(exc), now=now)
            counts["failed"] += 1
            log.warning("notification %d (%s to %s) failed: %s", note.notification_id,
                        note.channel, note.address, exc)
            continue
        with store.session_scope(engine) as s:
            outbox.mark_sent(s, note.notification_id, now=now)
        counts["sent"] += 1
    return counts


def inbox(engine: Engine, user_name: str, *, lang: str = "zh") -> list[dict]:
    """``user_name``'s in-app messages, newest first, each with its text in ``lang``."""
    with store.session_scope(engine, read_only=True) as s:
        notes = outbox.inbox(s, user_name)
    return [{"notification_id": n.notification_id, "subject": n.subject,
             "text": message(n, lang), "read": n.state == "read", "at": n.created_at,
             "params": n.params} for n in notes]


def unread(engine: Engine, user_name: str) -> int:
    """How many of ``user_name``'s messages are unread."""
    with store.session_scope(engine, read_only=True) as s:
        return outbox.unread_count(s, user_name)


def mark_read(engine: Engine, user_name: str, notification_id: int, *,
              now: datetime | None = None) -> None:
    """``user_name`` read message ``notification_id`` (their own only).

    Raises
    ------
    StoreError
        If it is not in ``user_name``'s inbox.
    """
    with store.session_scope(engine) as s:
        outbox.mark_read(s, notification_id, user_name=user_name, now=now)
