"""What notify_staff's logic needs from the outside, and how each can fail.

The requests table is the shared ``intake_common.domain.ports.RequestStore``; SES and SMS are here.
Each send raises ``TransientSendError`` (retry later) or ``PermanentSendError`` (record it, do
not retry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from intake_common.domain.limits import AlertBudget
from intake_common.domain.ports import RequestStore, StorageUnavailable

from .render import Email

__all__ = [
    "AlertBudget",
    "Dependencies",
    "MailKind",
    "MailSender",
    "PermanentSendError",
    "RequestStore",
    "SendingPaused",
    "SmsSender",
    "StorageUnavailable",
    "TransientSendError",
]


class TransientSendError(Exception):
    """Throttling, a 5xx, a time-out, a missing permission: the same send may work later."""


class SendingPaused(TransientSendError):
    """SES is not sending for the account (paused, for instance after too many bounces, or
    under review): no send can succeed until ops act, and none may be dropped meanwhile. The
    message is retried, reaches the DLQ after its receives, and is re-driven after the fix."""


class PermanentSendError(Exception):
    """Rejected for good (opted out, rejected sender, invalid address). ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# What an email is: it decides the SES configuration set (a visitor's confirmation has its own,
# with SES's suppression list, so that a visitor's address can never harm the staff alerts) and
# the tags SES returns with a bounce, so that it can be recorded on the request.
MailKind = Literal["alert", "summary", "escalation", "digest", "confirmation"]


class MailSender(Protocol):
    def send(self, to: str, email: Email, *, kind: MailKind, request_id: str = "") -> str: ...


class SmsSender(Protocol):
    def send(self, to: str, message: str) -> str: ...


@dataclass(frozen=True)
class Dependencies:
    store: RequestStore
    budget: AlertBudget
    mailer: MailSender
    texter: SmsSender
