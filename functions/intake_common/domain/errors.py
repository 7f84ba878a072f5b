"""Turn pydantic's validation errors into plain words a visitor understands.

One entry per bad field, with a stable ``code`` the page can key on and a ``message`` that
never contains what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from pydantic_core import ErrorDetails


class FieldError(TypedDict):
    field: str
    code: str
    message: str


FIELD_LABELS: dict[str, str] = {
    "submission_id": "Form session",
    "full_name": "Full name",
    "email": "Email",
    "phone": "Phone",
    "preferred_contact": "How should we contact you",
    "sms_consent": "Text message consent",
    "visit_type": "Visit type",
    "preferred_date": "Preferred date",
    "preferred_time": "Preferred time",
    "reason": "Reason for your visit",
    "consent": "Privacy notice",
    "consent_version": "Privacy notice version",
    "website": "Website",
    "human_check": "Human check",
}

_MESSAGES: dict[tuple[str, str], str] = {
    ("full_name", "required"): "Please enter your name.",
    ("full_name", "too_long"): "Please shorten your name to 100 characters or fewer.",
    ("full_name", "name_characters"): (
        "Please use only letters, spaces and the characters ' - . , in your name."
    ),
    ("email", "required"): "Please enter your email address.",
    ("email", "too_long"): "Please use an email address of 254 characters or fewer.",
    ("email", "email_invalid"): "Please enter an email address like name@example.com.",
    ("phone", "required"): "Please enter your phone number.",
    ("phone", "phone_invalid"): (
        "Please enter a phone number we can call, like (415) 555-2671 or +44 20 7946 0958."
    ),
    ("phone", "too_long"): "Please enter a phone number we can call.",
    ("preferred_contact", "invalid"): "Please choose email, phone call or text message.",
    ("sms_consent", "sms_consent_required"): (
        "To be contacted by text message, please agree to receive texts."
    ),
    ("sms_consent", "invalid"): "Please tick or untick the box to agree to text messages.",
    ("visit_type", "invalid"): "Please tell us whether you are a new or returning patient.",
    ("preferred_date", "date_in_past"): "Please choose today or a later date.",
    ("preferred_date", "date_too_far"): "Please choose a date within the next year.",
    ("preferred_date", "invalid"): "Please enter the date as year-month-day, like 2026-12-01.",
    ("preferred_time", "invalid"): "Please choose morning, afternoon, evening or any time.",
    ("reason", "too_long"): "Please shorten this to 1000 characters or fewer.",
    ("consent", "consent_required"): "Please confirm that you have read the privacy notice.",
    ("consent", "invalid"): "Please confirm that you have read the privacy notice.",
    ("consent_version", "consent_version_invalid"): (
        "Please reload the page and try again (the privacy notice version is not valid)."
    ),
    ("submission_id", "invalid"): "Please reload the page and try again.",
    ("website", "invalid"): "Please leave this field empty.",
    ("human_check", "human_check_failed"): (
        "We could not confirm that a person sent this form. Please complete the check above "
        "the button and send it again, or call the clinic."
    ),
}

_GENERIC: dict[str, str] = {
    "required": "This field is required.",
    "missing": "This field is required.",
    "too_long": "This is too long.",
    "control_characters": "This contains characters we cannot accept (such as invisible ones).",
    "extra_forbidden": "The request contains a field that is not part of the form.",
    "invalid": "This value is not valid.",
}

# pydantic's built-in error types, folded into our few codes.
_TYPE_TO_CODE: dict[str, str] = {
    "missing": "required",
    "string_too_long": "too_long",
    "extra_forbidden": "extra_forbidden",
}


_OWN_CODES = frozenset(code for _, code in _MESSAGES) | frozenset(_GENERIC)


def _code_for(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind in _TYPE_TO_CODE:
        return _TYPE_TO_CODE[kind]
    return kind if kind in _OWN_CODES else "invalid"


def field_errors(errors: Iterable[ErrorDetails]) -> list[FieldError]:
    """One entry per field (the first problem found), in form order."""
    seen: dict[str, FieldError] = {}
    for error in errors:
        location = error.get("loc") or ("body",)
        field = str(location[0])
        if field in seen:
            continue
        code = _code_for(error)
        if field not in FIELD_LABELS:
            # An unknown key is reported as a whole-request problem: even a key name can be
            # something a person typed, so it is not repeated back.
            field, code = "body", "extra_forbidden"
            if field in seen:
                continue
        message = _MESSAGES.get((field, code)) or _GENERIC.get(code) or _GENERIC["invalid"]
        if code == "required" and (field, "required") not in _MESSAGES:
            message = f"Please fill in {FIELD_LABELS.get(field, 'this field').lower()}."
        seen[field] = FieldError(field=field, code=code, message=message)
    order = list(FIELD_LABELS)
    return sorted(
        seen.values(), key=lambda e: order.index(e["field"]) if e["field"] in order else 99
    )


# The page checks some fields before sending, under its own code for a field left empty; its
# words are the server's for that field.
_PAGE_ALIASES = {
    ("preferred_contact", "required"): ("preferred_contact", "invalid"),
    ("visit_type", "required"): ("visit_type", "invalid"),
}


def page_messages() -> dict[str, dict[str, str]]:
    """The words the form's page shows, by field and code: these same messages
    (``make site-index`` writes them into ``site/assets/js/messages.js``)."""
    catalogue: dict[str, dict[str, str]] = {}
    for (field, code), message in _MESSAGES.items():
        catalogue.setdefault(field, {})[code] = message
    for (field, code), (source_field, source_code) in _PAGE_ALIASES.items():
        catalogue[field][code] = _MESSAGES[(source_field, source_code)]
    return catalogue


def field_error(field: str, code: str) -> FieldError:
    """One field's error in our words (for a rule checked outside the model)."""
    message = _MESSAGES.get((field, code)) or _GENERIC.get(code) or _GENERIC["invalid"]
    return FieldError(field=field, code=code, message=message)


def body_error(code: str, message: str) -> dict[str, Any]:
    """An error about the request as a whole (format, size), in the same shape."""
    return {"errors": [{"field": "body", "code": code, "message": message}]}
