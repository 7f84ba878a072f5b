"""HTTP details of the intake endpoint: decoding the body and the no-JavaScript HTML pages.

Everything here is strict about form and forgiving about nothing that could hide a problem:
duplicate keys, bad UTF-8, compressed or oversized bodies are refused before validation.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from intake_common.domain.errors import LABELS, FieldError
from intake_common.domain.models import Language

MAX_BODY_BYTES = 16 * 1024
MAX_FORM_FIELDS = 30
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"

BodyKind = Literal["json", "form"]


class BadRequest(Exception):
    """The request cannot be read at all. ``status`` and ``code`` say why; ``words`` is the
    catalogue's key for the visitor's message (errors.PROBLEMS), ``code`` unless said."""

    def __init__(self, status: int, code: str, words: str | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.words = words or code


def media_type(headers: dict[str, str]) -> tuple[str, str]:
    """``(type, charset)`` of the Content-Type header, lower case."""
    raw = headers.get("content-type", "")
    parts = [part.strip() for part in raw.split(";")]
    charset = "utf-8"
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def body_kind(headers: dict[str, str]) -> BodyKind:
    """``form`` for a form post (answered with HTML pages), otherwise ``json``."""
    return "form" if media_type(headers)[0] == FORM_TYPE else "json"


def decode_body(headers: dict[str, str], body: str | None, is_base64: bool) -> dict[str, Any]:
    """Read the request body into a dict of fields, or raise ``BadRequest``."""
    kind_header, charset = media_type(headers)
    if kind_header not in {JSON_TYPE, FORM_TYPE}:
        raise BadRequest(415, "unsupported_media_type")
    if charset not in {"utf-8", "utf8"}:
        raise BadRequest(415, "unsupported_charset")
    if headers.get("content-encoding", "identity").strip().lower() not in {"", "identity"}:
        raise BadRequest(415, "unsupported_encoding")

    raw = _raw_bytes(body or "", is_base64)
    if len(raw) > MAX_BODY_BYTES:
        raise BadRequest(413, "too_large")
    if not raw.strip():
        raise BadRequest(400, "empty_body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, "invalid_encoding") from exc
    return _parse_json(text) if kind_header == JSON_TYPE else _parse_form(text)


def _raw_bytes(body: str, is_base64: bool) -> bytes:
    # Refuse an oversized body before decoding it: base64 only shrinks it by a quarter.
    if len(body) > MAX_BODY_BYTES * 2:
        raise BadRequest(413, "too_large")
    if not is_base64:
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest(400, "invalid_encoding", "unreadable_body") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BadRequest(400, "duplicate_field")
        result[key] = value
    return result


# Python refuses to turn a string of more than 4,300 digits into an int (ValueError): a field
# that long is not a number a form sends, and must be a 400, not a 500.
_MAX_NUMBER_DIGITS = 30


def _parse_int(text: str) -> int:
    if len(text) > _MAX_NUMBER_DIGITS:
        raise BadRequest(400, "invalid_json", "number_too_long")
    return int(text)


def _parse_json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
        )
    except json.JSONDecodeError as exc:
        raise BadRequest(400, "invalid_json") from exc
    except RecursionError as exc:
        raise BadRequest(400, "invalid_json", "too_deep") from exc
    if not isinstance(data, dict):
        raise BadRequest(422, "not_an_object")
    return data


def _reject_constant(name: str) -> None:
    raise BadRequest(400, "invalid_json")


def _parse_form(text: str) -> dict[str, Any]:
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(400, "invalid_form") from exc
    return _no_duplicates(pairs)


def from_the_clinics_page(headers: dict[str, str], allowed_origins: tuple[str, ...]) -> bool:
    """Whether a browser sent this from the clinic's own page (or a configured dev origin).

    ``Sec-Fetch-Site`` (every current browser) says so directly; older browsers send
    ``Origin``, which must name the site's own host (``x-forwarded-host``, set by CloudFront's
    function). A request with neither is not a browser's cross-site post (a script, the smoke
    test): the form's other defences apply to it.
    """
    origin = headers.get("origin")
    if origin in allowed_origins:
        return True
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in {"same-origin", "none"}
    if origin is None:
        return True
    # An opaque origin ("null": a sandboxed frame, a file) has no host, so it never matches.
    own_host = headers.get("x-forwarded-host")
    return bool(own_host) and urlsplit(origin).netloc.lower() == str(own_host).lower()


def localised(path: str, language: Language) -> str:
    """The Spanish pages are the English ones' paths under ``/es/`` (``/es/thank-you.html``)."""
    return f"/es{path}" if language == "es" and not path.startswith("/es/") else path


# The no-JavaScript pages' own words (their field messages are errors.py's).
_PAGE_WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "check_title": "Please check your request",
        "check_intro": "We could not send your request yet. Please fix the following:",
        "check_back": (
            "Use your browser's <strong>Back</strong> button to return to the form: what you "
            "typed is still there."
        ),
        "problem_title": "We could not send your request",
        "problem_back": (
            "Use your browser's <strong>Back</strong> button and try again in a minute: what "
            "you typed is still there. Sending the same request twice is safe."
        ),
        "again": "Open the appointment form again",
        "crisis": 'If you are in crisis, please call or text <a href="tel:988">988</a> now.',
    },
    "es": {
        "check_title": "Revise su solicitud, por favor",
        "check_intro": "Todavía no pudimos enviar su solicitud. Corrija lo siguiente, por favor:",
        "check_back": (
            "Use el botón <strong>Atrás</strong> de su navegador para volver al formulario: lo "
            "que escribió sigue ahí."
        ),
        "problem_title": "No pudimos enviar su solicitud",
        "problem_back": (
            "Use el botón <strong>Atrás</strong> de su navegador e inténtelo otra vez en un "
            "minuto: lo que escribió sigue ahí. Enviar la misma solicitud dos veces no causa "
            "ningún problema."
        ),
        "again": "Abrir otra vez el formulario de citas",
        "crisis": (
            'Si está en crisis, llame al <a href="tel:988">988</a> y marque 2 para español, o '
            "envíe el texto AYUDA al 988, ahora."
        ),
    },
}


def _page(title: str, body: str, language: Language) -> str:
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} - Riverbend Clinic</title>"
        '<link rel="stylesheet" href="/assets/site.css"></head>'
        f'<body><main id="main" class="narrow">{body}</main></body></html>\n'
    )


def errors_page(errors: list[FieldError], form_path: str, language: Language = "en") -> str:
    """The no-JavaScript answer to invalid input: what to fix, and the way back."""
    words, labels = _PAGE_WORDS[language], LABELS[language]
    items = "".join(
        f"<li><strong>{html.escape(labels.get(e['field'], labels['body']))}:</strong> "
        f"{html.escape(e['message'])}</li>"
        for e in errors
    )
    return _page(
        words["check_title"],
        f"<h1>{words['check_title']}</h1>"
        f"<p>{words['check_intro']}</p>"
        f"<ul>{items}</ul>"
        f"<p>{words['check_back']}</p>"
        f'<p><a href="{html.escape(localised(form_path, language))}">{words["again"]}</a></p>'
        f"<p>{words['crisis']}</p>",
        language,
    )


def problem_page(message: str, form_path: str, language: Language = "en") -> str:
    """The no-JavaScript answer when the request could not be read or stored."""
    words = _PAGE_WORDS[language]
    return _page(
        words["problem_title"],
        f"<h1>{words['problem_title']}</h1>"
        f"<p>{html.escape(message)}</p>"
        f"<p>{words['problem_back']}</p>"
        f'<p><a href="{html.escape(localised(form_path, language))}">{words["again"]}</a></p>'
        f"<p>{words['crisis']}</p>",
        language,
    )
