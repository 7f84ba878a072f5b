"""The alerts' words: one staff email (text and HTML) and one SMS per request, and the
visitor's confirmation email.

What they may hold is the privacy rule of the whole product: the SMS holds the reference, the
time, "Prefers Spanish" for a request sent from the Spanish pages (so the call back is in
Spanish) and, for an urgent request, "Urgent: please call back today"; the staff email the same
and, at ``AlertDetail=contact``, how to reach the person, never the reason they gave nor which
words made it urgent. The visitor's confirmation holds their first name and the reference,
nothing else they typed. Every value in the HTML is escaped, and subjects are fixed text and
our own reference, so nothing typed reaches a mail header.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from intake_common.domain.item import RequestItem
from intake_common.domain.limits import BudgetWindow
from intake_common.runtime.settings import NotifySettings
from intake_common.services.callbacks import Overdue

SMS_MAX = 160
# The GSM 03.38 basic character set: staying inside it keeps 160 characters in one segment.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def one_segment(message: str) -> str:
    """``message``, checked to be one GSM-7 segment: our texts are fixed words around a
    reference and a time, so a longer or wider one is a mistake in this file, not an input."""
    if len(message) > SMS_MAX or not set(message) <= GSM7:
        raise ValueError("SMS text must be one GSM-7 segment")
    return message


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str

    @property
    def parts(self) -> tuple[str, str, str]:
        return self.subject, self.text, self.html


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


CLINIC_NAME = "Riverbend Clinic"
URGENT = "Urgent: please call back today."
# What staff are told of a request sent from the Spanish pages: call back in Spanish. A page
# choice, not something the visitor typed, so the SMS may say it too.
SPANISH = "Prefers Spanish"
_CONFIRMATION_LINES = {
    "not_requested": "not asked for",
    "sent": "sent to the address they gave",
    "sent_today": "not sent: one was already sent to this address today",
    "alert_limit": "not sent: the email alert limit was reached",
    "failed": "not sent: the address was refused",
    "retry": "not sent yet: it will be retried",
}


def render_email(
    request: RequestItem, settings: NotifySettings, confirmation: str = "not_requested"
) -> Email:
    """The staff email. The subject holds fixed text and the reference only; every value in
    the HTML is escaped; the free-text reason is never included."""
    received = _local_time(request.created_at, settings.zone)
    link = request_link(request.reference, settings)
    rows: list[tuple[str, str]] = [
        ("Reference", request.reference),
        ("Received", f"{received:%Y-%m-%d %H:%M} ({settings.clinic_timezone})"),
    ]
    if request.language != "en":
        rows.append(("Language", SPANISH))
    if not request.smoke_test:
        rows.append(("Confirmation to the visitor", _CONFIRMATION_LINES[confirmation]))
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
        else f"{URGENT} A new appointment request has arrived."
        if request.urgent
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
    subject = (
        "TEST (post-deploy check)"
        if request.smoke_test
        else "Urgent: new appointment request"
        if request.urgent
        else "New appointment request"
    )
    return Email(subject=f"{subject} {request.reference}", text=text, html=body)


def render_sms(request: RequestItem, settings: NotifySettings) -> str:
    """One GSM-7 segment, and no health data: the reference and the time only."""
    received = _local_time(request.created_at, settings.zone)
    where = "See email." if settings.staff_emails else "See the staff tools."
    if request.smoke_test:
        message = f"TEST {request.reference} at {received:%H:%M}: post-deploy check, no action."
    else:
        message = f"New appointment request {request.reference} at {received:%H:%M}. {where}"
        if request.language != "en":
            message = f"{message} {SPANISH}."
        if request.urgent:
            message = f"{URGENT} {message}"
    return one_segment(message)


def _local_time(created_at: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(created_at).astimezone(zone)


def render_summary_sms(budget: BudgetWindow, settings: NotifySettings) -> str:
    """The one text that replaces a window's held alerts, in one GSM-7 segment; it names as
    many held urgent requests by reference as fit."""
    held, urgent = budget.held, budget.held_urgent
    start, end = _window_times(budget.window, settings)
    where = "See email." if settings.staff_emails else "See the staff tools."
    plural = "request was" if held == 1 else "requests were"
    head = f"Alert limit: {held} more {plural} received {start:%H:%M}-{end:%H:%M}. "
    message = head + where
    if urgent:
        named = sorted(budget.held_urgent_refs)
        # The most references that fit one segment (each "K7Q2-93XD" is 9 characters).
        for count in range(len(named), -1, -1):
            listed = ""
            if count:
                listed = ": " + ", ".join(named[:count])
                listed += f" and {urgent - count} more" if urgent > count else ""
            message = f"{head}{urgent} urgent{listed}, call back today. {where}"
            if len(message) <= SMS_MAX:
                break
    return one_segment(message)


def render_summary_email(budget: BudgetWindow, settings: NotifySettings) -> Email:
    """The one email that replaces a window's held alerts: counts, and the references of the
    urgent ones held (never anything a visitor wrote)."""
    held, urgent = budget.held, budget.held_urgent
    start, end = _window_times(budget.window, settings)
    span = f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} ({settings.clinic_timezone})"
    plural = "request" if held == 1 else "requests"
    subject = f"Alert limit reached: {held} more {plural} {start:%H:%M}-{end:%H:%M}"
    marked = ""
    if urgent:
        marked = (
            f"{urgent} of them {'is' if urgent == 1 else 'are'} marked urgent: please call "
            "them back today. The inbox lists urgent requests first.\n\n"
        )
        named = sorted(budget.held_urgent_refs)
        if named:
            more = urgent - len(named)
            marked += "Urgent, by reference:\n" + "".join(f"  {ref}\n" for ref in named)
            marked += f"  and {more} more\n\n" if more > 0 else "\n"
    if urgent:
        subject = f"Urgent: {subject}"
    text = (
        f"{held} more appointment {plural} arrived {span} than the alert limit lets us send "
        "one by one. They are all stored; none was lost. Please look through the new requests "
        "now and call back the ones that need it.\n\n"
        f"{marked}"
        'Open the staff inbox ("Staff alert held" lists them):\n'
        f"  {settings.staff_url or 'intake requests list --view held'}\n\n"
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

    from intake_common.domain.limits import parse_window

    start = parse_window(window).astimezone(settings.zone)
    return start, start + timedelta(minutes=settings.budget_window_minutes)


def first_name(full_name: str) -> str:
    """What the confirmation calls the visitor: the first word of their name ("Smith, Ann"
    gives Ann), never the surname; and only a word of letters (and their marks). A name may hold
    dots and hyphens, so a scripted request's "name" could otherwise put a domain or a phrase
    into a clinic-signed email ("Hello secure-riverbend-portal.com,"): "" then, and the
    greeting is "Hello,"."""
    import unicodedata

    given = full_name.split(",", 1)[1] if "," in full_name else full_name
    words = given.split()
    if not words:
        return ""
    first = words[0]
    letters = all(char.isalpha() or unicodedata.category(char).startswith("M") for char in first)
    return first if letters and first[0].isalpha() else ""


# The confirmation in the language of the page the visitor used (the item's ``language``).
_CONFIRMATION: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "hello_nameless": "Hello,",
        "thanks": "Thank you for your request to {clinic}. Your reference is {reference}.",
        "next_title": "What happens next",
        "next": (
            "Someone from the clinic will contact you the way you asked, usually within one "
            "working day. Nothing is booked until you agree to it."
        ),
        "reach_title": "To reach us",
        "reach_phone": "Call us on {phone} and give your reference.",
        "reach_other": "Reply to the clinic's call or email and give your reference.",
        "worse_title": "If things get worse while you wait",
        "worse": (
            "Call or text 988 (the Suicide & Crisis Lifeline, US) at any time, or your local "
            "emergency number."
        ),
        "why": (
            "You asked for this email on the clinic's appointment form. If that was not you, "
            "you can ignore it: nothing else will be sent to this address."
        ),
        "subject": "Your request to {clinic}, reference {reference}",
    },
    "es": {
        "hello": "Hola, {name}:",
        "hello_nameless": "Hola:",
        "thanks": ("Gracias por su solicitud a {clinic}. Su número de referencia es {reference}."),
        "next_title": "Qué pasará ahora",
        "next": (
            "Alguien de la clínica se comunicará con usted por el medio que eligió, normalmente "
            "en un día hábil. Anotamos que prefiere hablar en español. No se agenda nada hasta "
            "que usted esté de acuerdo."
        ),
        "reach_title": "Para comunicarse con nosotros",
        "reach_phone": "Llámenos al {phone} y dé su número de referencia.",
        "reach_other": (
            "Responda a la llamada o al correo de la clínica y dé su número de referencia."
        ),
        "worse_title": "Si se siente peor mientras espera",
        "worse": (
            "Llame al 988 y marque 2 para español, o envíe el texto AYUDA al 988 (la Línea 988 "
            "de Prevención del Suicidio y Crisis, EE. UU.), a cualquier hora, o llame al número "
            "de emergencias de su zona."
        ),
        "why": (
            "Usted pidió este correo en el formulario de citas de la clínica. Si no fue usted, "
            "puede ignorarlo: no enviaremos nada más a esta dirección."
        ),
        "subject": "Su solicitud a {clinic}, referencia {reference}",
    },
}


def render_confirmation(request: RequestItem, settings: NotifySettings) -> Email:
    """The visitor's confirmation, in their page's language: the clinic, the reference, what
    happens next, how to reach the clinic, and 988. Their first name and nothing else they
    typed; a neutral subject."""
    import phonenumbers

    words = _CONFIRMATION[request.language]
    phone = ""
    if settings.clinic_phone:
        number = phonenumbers.parse(settings.clinic_phone, None)
        phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    name = first_name(request.full_name)
    greeting = words["hello"].format(name=name) if name else words["hello_nameless"]
    reach = words["reach_phone"].format(phone=phone) if phone else words["reach_other"]
    sections = [
        (None, greeting),
        (None, words["thanks"].format(clinic=CLINIC_NAME, reference=request.reference)),
        (words["next_title"], words["next"]),
        (words["reach_title"], reach),
        (words["worse_title"], words["worse"]),
        (None, words["why"]),
        (None, CLINIC_NAME),
    ]
    text = "\n\n".join(f"{title}\n{body}" if title else body for title, body in sections) + "\n"
    # Only the two sections that give a number link it (a reference may contain "988" too).
    links = {words["worse_title"]: ("988", '<a href="tel:988">988</a>')}
    if phone:
        tel = html.escape(settings.clinic_phone)
        links[words["reach_title"]] = (phone, f'<a href="tel:{tel}">{html.escape(phone)}</a>')
    parts = []
    for title, text_part in sections:
        escaped = html.escape(text_part)
        if title in links:
            plain, linked = links[title]
            escaped = escaped.replace(html.escape(plain), linked, 1)
        heading = f"<h2>{html.escape(title)}</h2>" if title else ""
        parts.append(f"{heading}<p>{escaped}</p>")
    body = f'<!doctype html><html lang="{request.language}"><body>' + "".join(parts)
    body += "</body></html>"
    subject = words["subject"].format(clinic=CLINIC_NAME, reference=request.reference)
    return Email(subject=subject, text=text, html=body)


def _paragraphs(text: str) -> str:
    return (
        '<!doctype html><html lang="en"><body>'
        + "".join(f"<p>{html.escape(part)}</p>" for part in text.strip().split("\n\n"))
        + "</body></html>"
    )


def render_escalation_email(request: RequestItem, waited: str, settings: NotifySettings) -> Email:
    """To the escalation contacts: an urgent request nobody has reached within its target. The
    reference, when it came and how long it has waited; nothing the visitor wrote."""
    received = _local_time(request.created_at, settings.zone)
    minutes = settings.urgent_callback_minutes
    text = (
        f"An urgent appointment request has waited {waited} and nobody has called back yet "
        f"(the target is {minutes} minutes).\n\n"
        f"Reference: {request.reference}\n"
        f"Received: {received:%Y-%m-%d %H:%M} ({settings.clinic_timezone})\n"
        + (f"Language: {SPANISH}\n" if request.language != "en" else "")
        + "\nPlease make sure someone calls back now, and record it in the staff inbox:\n"
        f"  {request_link(request.reference, settings)}\n"
    )
    subject = f"Escalation: urgent request {request.reference} waiting {waited}"
    return Email(subject=subject, text=text, html=_paragraphs(text))


def render_escalation_sms(request: RequestItem, waited: str) -> str:
    message = (
        f"Escalation: urgent request {request.reference} has waited {waited} without a call "
        "back. Please call back now."
    )
    if request.language != "en":
        message = f"{message} {SPANISH}."
    return one_segment(message)


# How many requests the digest lists by reference (the rest it counts: the inbox has them).
DIGEST_LISTED = 100


def render_digest_email(day: str, overdue: list[Overdue], settings: NotifySettings) -> Email:
    """The morning's list of requests past their target, the longest waiting first:
    references and waiting times only."""
    urgent = sum(row.urgent for row in overdue)
    plural = "request is" if len(overdue) == 1 else "requests are"
    lines = "".join(
        f"  {row.reference}  waiting {row.waited}{'  URGENT' if row.urgent else ''}\n"
        for row in overdue[:DIGEST_LISTED]
    )
    more = len(overdue) - DIGEST_LISTED
    text = (
        f"Good morning. {len(overdue)} {plural} past the call-back target"
        + (f", {urgent} of them urgent" if urgent else "")
        + ". The longest waiting first:\n\n"
        + lines
        + (f"  and {more} more\n" if more > 0 else "")
        + '\nOpen "Needs a call back" in the staff inbox:\n'
        + f"  {settings.staff_url or 'intake requests list'}\n"
    )
    subject = f"Call backs past target on {day}: {len(overdue)}" + (
        f" ({urgent} urgent)" if urgent else ""
    )
    return Email(subject=subject, text=text, html=_paragraphs(text))


def render_digest_sms(overdue: list[Overdue], settings: NotifySettings) -> str:
    urgent = sum(row.urgent for row in overdue)
    where = "See email." if settings.staff_emails else "See the staff inbox."
    plural = "request is" if len(overdue) == 1 else "requests are"
    first = overdue[0]
    message = (
        f"{len(overdue)} {plural} past the call-back target"
        + (f" ({urgent} urgent)" if urgent else "")
        + f". Longest: {first.reference}, {first.waited}. {where}"
    )
    return one_segment(message)
