"""The staff alert's words: one email (text and HTML) and one SMS per request.

What they may hold is the privacy rule of the whole product: the SMS holds the reference and
the time only; the email the reference, the time and, at ``AlertDetail=contact``, how to reach
the person, never the reason they gave. Every value in the HTML is escaped, and the subject is
fixed text and our own reference, so nothing typed reaches a mail header.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from intake_common.item import RequestItem
from intake_common.settings import NotifySettings

SMS_MAX = 160
# The GSM 03.38 basic character set: staying inside it keeps 160 characters in one segment.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


_LABELS = {
    "email": "Email",
    "phone": "Phone call",
    "text": "Text message",
    "new": "New patient",
    "returning": "Returning patient",
    "morning": "morning",
    "afternoon": "afternoon",
    "evening": "evening",
    "any": "any time",
}


def render_email(request: RequestItem, settings: NotifySettings) -> Email:
    """The staff email. The subject holds fixed text and the reference only; every value in
    the HTML is escaped; the free-text reason is never included."""
    received = _local_time(request.created_at, settings.zone)
    link = request_link(request.reference, settings)
    rows: list[tuple[str, str]] = [
        ("Reference", request.reference),
        ("Received", f"{received:%Y-%m-%d %H:%M} ({settings.clinic_timezone})"),
    ]
    if settings.alert_detail == "contact":
        when = request.preferred_date or "no preferred date"
        rows += [
            ("Name", request.full_name),
            ("Phone", request.phone),
            ("Email", request.email),
            ("Preferred contact", _LABELS[request.preferred_contact]),
            ("Visit type", _LABELS[request.visit_type]),
            ("Preferred time", f"{when}, {_LABELS[request.preferred_time]}"),
        ]
    intro = (
        "TEST: this request was sent by `intake smoke` after a deploy. No action is needed."
        if request.smoke_test
        else "A new appointment request has arrived."
    )
    outro = (
        "The reason for the visit is never sent by email. Open the request in the staff inbox:"
        if settings.alert_detail == "contact"
        else "Details are not sent by email. Open the request in the staff inbox:"
    )
    text = "\n".join(
        [intro, "", *(f"{label}: {value}" for label, value in rows), "", outro, f"  {link}", ""]
    )
    cells = "".join(
        f'<tr><th scope="row" align="left">{html.escape(label)}</th>'
        f"<td>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    body = (
        '<!doctype html><html lang="en"><body>'
        f"<p>{html.escape(intro)}</p><table>{cells}</table>"
        f'<p>{html.escape(outro)}</p><p><a href="{html.escape(link)}">{html.escape(link)}</a>'
        "</p></body></html>"
    )
    subject = "TEST (post-deploy check)" if request.smoke_test else "New appointment request"
    return Email(subject=f"{subject} {request.reference}", text=text, html=body)


def render_sms(request: RequestItem, settings: NotifySettings) -> str:
    """One GSM-7 segment, and no health data: the reference and the time only."""
    received = _local_time(request.created_at, settings.zone)
    where = "See email." if settings.staff_emails else "See the staff tools."
    if request.smoke_test:
        message = f"TEST {request.reference} at {received:%H:%M}: post-deploy check, no action."
    else:
        message = f"New appointment request {request.reference} at {received:%H:%M}. {where}"
    if len(message) > SMS_MAX or not set(message) <= GSM7:  # pragma: no cover - fixed text
        raise ValueError("SMS text must be one GSM-7 segment")
    return message


def _local_time(created_at: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(created_at).astimezone(zone)


def render_summary_sms(held: int, window: str, settings: NotifySettings) -> str:
    """The one text that replaces ``held`` alerts of a window, in one GSM-7 segment."""
    start, end = _window_times(window, settings)
    where = "See email." if settings.staff_emails else "See the staff tools."
    plural = "request was" if held == 1 else "requests were"
    message = f"Alert limit: {held} more {plural} received {start:%H:%M}-{end:%H:%M}. {where}"
    if len(message) > SMS_MAX or not set(message) <= GSM7:  # pragma: no cover - fixed text
        raise ValueError("SMS text must be one GSM-7 segment")
    return message


def render_summary_email(held: int, window: str, settings: NotifySettings) -> Email:
    """The one email that replaces ``held`` alerts of a window: a count, never a request."""
    start, end = _window_times(window, settings)
    span = f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} ({settings.clinic_timezone})"
    plural = "request" if held == 1 else "requests"
    subject = f"Alert limit reached: {held} more {plural} {start:%H:%M}-{end:%H:%M}"
    text = (
        f"{held} more appointment {plural} arrived {span} than the alert limit lets us send "
        "one by one. They are all stored; none was lost. Please look through the new requests "
        "now and call back the ones that need it.\n\n"
        "Open the staff inbox:\n"
        f"  {settings.staff_url or 'intake requests list'}\n\n"
        "If this was not a busy hour, someone may be sending the form by script: ops have been "
        "alerted.\n"
    )
    body = (
        '<!doctype html><html lang="en"><body>'
        + "".join(f"<p>{html.escape(part)}</p>" for part in text.strip().split("\n\n"))
        + "</body></html>"
    )
    return Email(subject=subject, text=text, html=body)


def request_link(reference: str, settings: NotifySettings) -> str:
    """The request in the staff inbox, by its reference and nothing else (the command where
    there is no inbox, as in tests)."""
    if settings.staff_url:
        return f"{settings.staff_url}#/requests/{reference}"
    return f"intake requests show {reference}"


def _window_times(window: str, settings: NotifySettings) -> tuple[datetime, datetime]:
    from datetime import timedelta

    from intake_common.budget import parse_window

    start = parse_window(window).astimezone(settings.zone)
    return start, start + timedelta(minutes=settings.budget_window_minutes)
