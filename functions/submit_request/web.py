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

from intake_common.domain.errors import FIELD_LABELS, FieldError

MAX_BODY_BYTES = 16 * 1024
MAX_FORM_FIELDS = 30
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"

BodyKind = Literal["json", "form"]


class BadRequest(Exception):
    """The request cannot be read at all. ``status`` and ``code`` say why, in our words."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


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
        raise BadRequest(
            415, "unsupported_media_type", "Please send the form as JSON or as form data."
        )
    if charset not in {"utf-8", "utf8"}:
        raise BadRequest(415, "unsupported_charset", "Please send the form encoded as UTF-8.")
    if headers.get("content-encoding", "identity").strip().lower() not in {"", "identity"}:
        raise BadRequest(415, "unsupported_encoding", "Please send the form uncompressed.")

    raw = _raw_bytes(body or "", is_base64)
    if len(raw) > MAX_BODY_BYTES:
        raise BadRequest(413, "too_large", "The request is too large (at most 16 KiB).")
    if not raw.strip():
        raise BadRequest(400, "empty_body", "The request is empty: please fill in the form.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, "invalid_encoding", "The request is not valid UTF-8.") from exc
    return _parse_json(text) if kind_header == JSON_TYPE else _parse_form(text)


def _raw_bytes(body: str, is_base64: bool) -> bytes:
    # Refuse an oversized body before decoding it: base64 only shrinks it by a quarter.
    if len(body) > MAX_BODY_BYTES * 2:
        raise BadRequest(413, "too_large", "The request is too large (at most 16 KiB).")
    if not is_base64:
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest(400, "invalid_encoding", "The request body could not be read.") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BadRequest(400, "duplicate_field", "A field appears more than once.")
        result[key] = value
    return result


# Python refuses to turn a string of more than 4,300 digits into an int (ValueError): a field
# that long is not a number a form sends, and must be a 400, not a 500.
_MAX_NUMBER_DIGITS = 30


def _parse_int(text: str) -> int:
    if len(text) > _MAX_NUMBER_DIGITS:
        raise BadRequest(400, "invalid_json", "The request holds a number that is too long.")
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
        raise BadRequest(400, "invalid_json", "The request is not valid JSON.") from exc
    except RecursionError as exc:
        raise BadRequest(400, "invalid_json", "The request is nested too deeply.") from exc
    if not isinstance(data, dict):
        raise BadRequest(422, "not_an_object", "The request must be a JSON object of fields.")
    return data


def _reject_constant(name: str) -> None:
    raise BadRequest(400, "invalid_json", "The request is not valid JSON.")


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
        raise BadRequest(400, "invalid_form", "The form data could not be read.") from exc
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
    own_host = headers.get("x-forwarded-host", "").lower()
    return origin != "null" and bool(own_host) and urlsplit(origin).netloc.lower() == own_host


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} - Riverbend Clinic</title>"
        '<link rel="stylesheet" href="/assets/site.css"></head>'
        f'<body><main id="main" class="narrow">{body}</main></body></html>\n'
    )


def errors_page(errors: list[FieldError], form_path: str) -> str:
    """The no-JavaScript answer to invalid input: what to fix, and the way back."""
    items = "".join(
        f"<li><strong>{html.escape(FIELD_LABELS.get(e['field'], 'The form'))}:</strong> "
        f"{html.escape(e['message'])}</li>"
        for e in errors
    )
    return _page(
        "Please check your request",
        "<h1>Please check your request</h1>"
        "<p>We could not send your request yet. Please fix the following:</p>"
        f"<ul>{items}</ul>"
        "<p>Use your browser's <strong>Back</strong> button to return to the form: what you "
        "typed is still there.</p>"
        f'<p><a href="{html.escape(form_path)}">Open the appointment form again</a></p>'
        '<p>If you are in crisis, please call or text <a href="tel:988">988</a> now.</p>',
    )


def problem_page(message: str, form_path: str) -> str:
    """The no-JavaScript answer when the request could not be read or stored."""
    return _page(
        "We could not send your request",
        "<h1>We could not send your request</h1>"
        f"<p>{html.escape(message)}</p>"
        "<p>Use your browser's <strong>Back</strong> button and try again in a minute: what "
        "you typed is still there. Sending the same request twice is safe.</p>"
        f'<p><a href="{html.escape(form_path)}">Open the appointment form again</a></p>'
        '<p>If you are in crisis, please call or text <a href="tel:988">988</a> now.</p>',
    )
