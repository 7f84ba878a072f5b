"""What staff would have received: the emails and SMS that moto captured, oldest first."""

from __future__ import annotations

import email
from email.message import Message
from typing import Any

from .template import ACCOUNT_ID


def _part(message: Message, subtype: str) -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8")
    return ""


def _snapshot(items: Any) -> list[Any]:
    """A copy of a moto list or dict that the functions may be appending to right now."""
    for _ in range(10):
        try:
            return list(items)
        except RuntimeError:  # mutated during iteration: try again
            continue
    return []


def read_outbox(region: str, account: str = ACCOUNT_ID) -> dict[str, list[dict[str, Any]]]:
    """``{"emails": [{"to", "from", "subject", "text", "html"}], "sms": [{"to", "message"}]}``."""
    from moto.ses.models import RawMessage, ses_backends
    from moto.sns.models import sns_backends

    emails = []
    for sent in _snapshot(ses_backends[account][region].sent_messages):
        if isinstance(sent, RawMessage):
            parsed = email.message_from_string(sent.raw_data)
            emails.append(
                {
                    "id": sent.id,
                    "to": list(dict.fromkeys(sent.destinations)),
                    "from": sent.source,
                    "subject": str(parsed["Subject"] or ""),
                    "text": _part(parsed, "plain"),
                    "html": _part(parsed, "html"),
                }
            )
        else:  # pragma: no cover - the functions only send MIME messages
            emails.append({"id": sent.id, "to": [], "subject": sent.subject, "text": sent.body})
    sms = [
        {"id": message_id, "to": phone, "message": text}
        for message_id, (phone, text) in _snapshot(
            sns_backends[account][region].sms_messages.items()
        )
    ]
    return {"emails": emails, "sms": sms}
