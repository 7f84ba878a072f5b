"""The appointment request as a visitor submits it: the input model and its field types.

The stored item is ``item.py``. Every submitted value is health data. Validation errors carry
a field name and a code, never the value (``hide_input_in_errors``); the visitor-facing words
live in ``errors.py``.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    UUID4,
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

PreferredContact = Literal["email", "phone", "text"]
VisitType = Literal["new", "returning"]
PreferredTime = Literal["morning", "afternoon", "evening", "any"]
# The language of the page the visitor sent the form from: the API answers in it, the
# confirmation email is written in it, and staff see it so the call back is in it.
Language = Literal["en", "es"]

NAME_MAX = 100
EMAIL_MAX = 254
REASON_MAX = 1000
CONSENT_VERSION_MAX = 32
HONEYPOT_MAX = 200
PHONE_MAX = 40
DEFAULT_PHONE_REGION = "US"
# Letters and marks of any script, plus the punctuation names really use.
_NAME_PUNCTUATION = frozenset(" '-.,’")
# Letters that render as nothing (Hangul fillers): a name of them looks blank to staff.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
# A base letter carries at most this many combining marks in a row (Thai and Devanagari need
# two or three); more stack into glyphs that hide or imitate other text.
_MAX_MARKS = 3
# Scripts that one word may mix: Japanese (kanji and kana) and Korean (hangul and hanja).
# Any other mix (Latin with Cyrillic, say) is how look-alike names are made. "IDEOGRAPHIC" is
# the first word of the ideographic marks' names, 々 (ITERATION MARK, as in 佐々木 Sasaki) and
# 〆 among them: letters of the same writing.
_SCRIPT_FAMILIES = (
    frozenset({"CJK", "IDEOGRAPHIC", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"}),
    frozenset({"CJK", "IDEOGRAPHIC", "HANGUL"}),
)
# Namespace for ids derived from content (the no-JavaScript form post).
_DERIVED_ID_NAMESPACE = uuid.UUID("6f1f3f0c-6d3e-4f0e-9a53-5b8f0a6c2b11")


def _fail(code: str) -> PydanticCustomError:
    # The message template is the code: the visitor's words are chosen in errors.py, and no
    # value is ever formatted into it.
    return PydanticCustomError(code, code)


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _reject_controls(value: str, *, allow_newlines: bool = False) -> str:
    for char in value:
        if allow_newlines and char == "\n":
            continue
        # Cc: C0/C1 controls (NUL, CR, LF...); Cf: bidi overrides, zero-width characters.
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            raise _fail("control_characters")
    return value


def _check_name(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    _reject_controls(value)
    if not value:
        raise _fail("required")
    if len(value) > NAME_MAX:
        raise _fail("too_long")
    for char in value:
        letter = char.isalpha() or unicodedata.category(char).startswith("M")
        if not letter and char not in _NAME_PUNCTUATION:
            raise _fail("name_characters")
        if char in _BLANK_LETTERS:
            raise _fail("name_characters")
    if not any(char.isalpha() for char in value) or not _readable(value):
        raise _fail("name_characters")
    return " ".join(value.split())


def _script(char: str) -> str:
    """A letter's script, from its Unicode name (LATIN, CYRILLIC, CJK...); '' for modifiers."""
    word = unicodedata.name(char, "").split(" ", 1)[0]
    return "" if word == "MODIFIER" else word


def _readable(name: str) -> bool:
    """No long stacks of combining marks, and no word that mixes scripts (look-alikes)."""
    marks = 0
    for char in name:
        marks = marks + 1 if unicodedata.category(char).startswith("M") else 0
        if marks > _MAX_MARKS:
            return False
    for word in name.replace("-", " ").replace("’", " ").replace("'", " ").split():
        scripts = {_script(char) for char in word if char.isalpha()} - {""}
        if len(scripts) > 1 and not any(scripts <= family for family in _SCRIPT_FAMILIES):
            return False
    return True


def _check_email(value: str) -> str:
    # Imported here: email_validator pulls in dnspython, which only this rule needs.
    from email_validator import EmailNotValidError, validate_email

    _reject_controls(value)
    if not value:
        raise _fail("required")
    if len(value) > EMAIL_MAX:
        raise _fail("too_long")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise _fail("email_invalid") from exc
    return str(result.normalized)


def _check_phone(value: str) -> str:
    import phonenumbers

    _reject_controls(value)
    if not value:
        raise _fail("required")
    if len(value) > PHONE_MAX:
        raise _fail("too_long")
    try:
        parsed = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise _fail("phone_invalid") from exc
    # The number's type is UNKNOWN exactly when it is not a valid number (phonenumbers'
    # is_valid_number works it out the same way): one look-up for both rules.
    kind = phonenumbers.number_type(parsed)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        raise _fail("phone_invalid")
    if kind == phonenumbers.PhoneNumberType.PREMIUM_RATE:
        # A call back to +1 900 ... would cost the clinic by the minute.
        raise _fail("phone_invalid")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def _check_reason(value: str) -> str:
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    _reject_controls(value, allow_newlines=True)
    if len(value) > REASON_MAX:
        raise _fail("too_long")
    return value


def _check_consent_version(value: str) -> str:
    if not value:
        raise _fail("required")
    if len(value) > CONSENT_VERSION_MAX:
        raise _fail("too_long")
    if not all(char.isascii() and (char.isalnum() or char in "._-") for char in value):
        raise _fail("consent_version_invalid")
    return value


def _empty_to_none(value: object) -> object:
    # A form sends an empty string for an optional field left blank.
    return None if value == "" else value


FullName = Annotated[
    str,
    BeforeValidator(_strip),
    AfterValidator(_check_name),
    Field(
        description="1-100 letters (any script), spaces and ' - . ,",
        examples=["Ana Núñez"],
        json_schema_extra={"minLength": 1, "maxLength": NAME_MAX},
    ),
]
Email = Annotated[
    str,
    BeforeValidator(_strip),
    AfterValidator(_check_email),
    Field(
        description="An email address, at most 254 characters",
        examples=["ana@example.org"],
        json_schema_extra={"format": "email", "maxLength": EMAIL_MAX},
    ),
]
PhoneE164 = Annotated[
    str,
    BeforeValidator(_strip),
    AfterValidator(_check_phone),
    Field(
        description="A phone number in any common notation (default region US); stored in E.164",
        examples=["(415) 555-2671"],
        json_schema_extra={"minLength": 7, "maxLength": PHONE_MAX},
    ),
]
Reason = Annotated[
    str,
    AfterValidator(_check_reason),
    Field(
        description="Free text, at most 1000 characters; newlines allowed",
        json_schema_extra={"maxLength": REASON_MAX},
    ),
]
ConsentVersion = Annotated[
    str,
    BeforeValidator(_strip),
    AfterValidator(_check_consent_version),
    Field(
        description="Version of the privacy notice the page showed",
        examples=["2026-11"],
        json_schema_extra={
            "minLength": 1,
            "maxLength": CONSENT_VERSION_MAX,
            "pattern": "^[A-Za-z0-9._-]+$",
        },
    ),
]
SubmissionId = Annotated[
    UUID4,
    Field(description="UUID v4 made by the page at load: the idempotency key"),
]


class AppointmentRequest(BaseModel):
    """An appointment request as a visitor submits it."""

    # Field order matters: ``sms_consent``'s rule reads ``preferred_contact``.

    model_config = ConfigDict(
        defer_build=True,
        extra="forbid",
        hide_input_in_errors=True,
        frozen=True,
        title="AppointmentRequest",
    )

    submission_id: SubmissionId | None = None
    full_name: FullName
    email: Email
    phone: PhoneE164
    preferred_contact: PreferredContact
    sms_consent: Annotated[bool, Field(validate_default=True)] = False
    visit_type: VisitType
    preferred_date: Annotated[date | None, BeforeValidator(_empty_to_none)] = None
    preferred_time: Annotated[PreferredTime, BeforeValidator(lambda v: v or "any")] = "any"
    reason: Annotated[Reason | None, BeforeValidator(_empty_to_none)] = None
    # "Email me a confirmation": one short email to ``email`` (notify_staff sends it).
    confirmation_email: Annotated[
        bool, Field(description="Email the visitor a confirmation with the reference")
    ] = False
    consent: Annotated[bool, Field(description="Must be true: the privacy notice was accepted")]
    consent_version: ConsentVersion
    language: Annotated[
        Language, Field(description="The page's language: en (English) or es (Spanish)")
    ] = "en"
    website: Annotated[str, Field(max_length=HONEYPOT_MAX, description="Leave empty")] = ""

    @field_validator("sms_consent")
    @classmethod
    def _sms_needs_consent(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("preferred_contact") == "text" and not value:
            raise _fail("sms_consent_required")
        return value

    @field_validator("preferred_date")
    @classmethod
    def _date_in_window(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return None
        today = (info.context or {}).get("today") or datetime.now(UTC).date()
        if value < today:
            raise _fail("date_in_past")
        if value > _one_year_after(today):
            raise _fail("date_too_far")
        return value

    @field_validator("consent")
    @classmethod
    def _consent_given(cls, value: bool) -> bool:
        if not value:
            raise _fail("consent_required")
        return value

    @property
    def is_spam(self) -> bool:
        return bool(self.website.strip())

    def normalised(self) -> dict[str, Any]:
        """The fields as stored: what the content hash and the derived id are made from."""
        return {
            "full_name": self.full_name,
            "email": self.email,
            "phone": self.phone,
            "preferred_contact": self.preferred_contact,
            "sms_consent": self.sms_consent,
            "visit_type": self.visit_type,
            "preferred_date": self.preferred_date.isoformat() if self.preferred_date else None,
            "preferred_time": self.preferred_time,
            "reason": self.reason,
            "confirmation_email": self.confirmation_email,
            "consent_version": self.consent_version,
            "language": self.language,
        }

    def content_hash(self) -> str:
        """Same content, same hash: tells a retry from a conflicting reuse of an id. The page's
        language is not content (the same request sent from either page is one request), and
        leaving it out keeps the hashes of requests stored before it existed."""
        content = {k: v for k, v in self.normalised().items() if k != "language"}
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def derived_submission_id(self, day: date) -> uuid.UUID:
        """The key of a post without a page-made id: one request per content and day."""
        material = self.content_hash() + day.isoformat()
        return uuid.uuid5(_DERIVED_ID_NAMESPACE, material)


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# ``intake smoke`` sends its post-deploy test request under an id with this prefix (a UUID v4
# no browser will make by chance: 48 fixed bits). Staff alerts say it is a test, it expires
# within a day, and the ops policy may delete only such ids.
SMOKE_TEST_PREFIX = "00000000-0000-4000-8000-"
SMOKE_TEST_RETENTION_DAYS = 1


def is_smoke_test(submission_id: uuid.UUID | str) -> bool:
    return str(submission_id).startswith(SMOKE_TEST_PREFIX)
