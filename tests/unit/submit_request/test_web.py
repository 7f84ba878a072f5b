"""submit_request's HTTP edge on its own (web.py): each way a body cannot be read has its own
status, code and words; the no-JavaScript pages in both languages. The component tier sends the
same through the handler (tests/component/submit_request/test_hostile_input.py); these run in
the mutation tier."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from intake_common.domain.errors import LABELS, PROBLEMS
from submit_request import web

JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def _refused(headers: dict[str, str], body: str | None, is_base64: bool = False) -> tuple[Any, ...]:
    with pytest.raises(web.BadRequest) as refused:
        web.decode_body(headers, body, is_base64)
    return refused.value.status, refused.value.code, refused.value.words


@pytest.mark.parametrize(
    ("headers", "body", "is_base64", "expected"),
    [
        ({"content-type": "text/plain"}, "{}", False, (415, "unsupported_media_type")),
        ({}, "{}", False, (415, "unsupported_media_type")),
        (
            {"content-type": "application/json; charset=latin-1"},
            "{}",
            False,
            (415, "unsupported_charset"),
        ),
        ({**JSON, "content-encoding": "gzip"}, "{}", False, (415, "unsupported_encoding")),
        (JSON, "x" * (web.MAX_BODY_BYTES + 1), False, (413, "too_large")),
        (JSON, "x" * (web.MAX_BODY_BYTES * 2 + 1), False, (413, "too_large")),
        (JSON, "  \n ", False, (400, "empty_body")),
        (JSON, None, False, (400, "empty_body")),
        (JSON, base64.b64encode(b"\xff\xfe").decode(), True, (400, "invalid_encoding")),
        (JSON, "not base64!", True, (400, "invalid_encoding", "unreadable_body")),
        (JSON, '{"a": 1, "a": 2}', False, (400, "duplicate_field")),
        (FORM, "a=1&a=2", False, (400, "duplicate_field")),
        (JSON, "{" + '"a": ' + "9" * 31 + "}", False, (400, "invalid_json", "number_too_long")),
        (JSON, '{"a": NaN}', False, (400, "invalid_json")),
        (JSON, '{"a": Infinity}', False, (400, "invalid_json")),
        (JSON, "{", False, (400, "invalid_json")),
        (JSON, "[" * 100_000, False, (413, "too_large")),
        (JSON, "[" * 5000 + "]" * 5000, False, (400, "invalid_json", "too_deep")),
        (JSON, "[1, 2]", False, (422, "not_an_object")),
        (JSON, '"text"', False, (422, "not_an_object")),
        (
            FORM,
            "&".join(f"f{i}=x" for i in range(web.MAX_FORM_FIELDS + 1)),
            False,
            (400, "invalid_form"),
        ),
        (FORM, "name=%ff", False, (400, "invalid_form")),
        (JSON, '{"a": "\ud800"}', False, (400, "invalid_encoding")),  # a lone surrogate
        (JSON, "eyJhIjo*gMX0=", True, (400, "invalid_encoding", "unreadable_body")),
        # Over twice the max is refused unread; up to it, a bad encoding is said as such.
        (JSON, "!" * (web.MAX_BODY_BYTES * 2 + 1), True, (413, "too_large")),
        (JSON, "!" * (web.MAX_BODY_BYTES * 2), True, (400, "invalid_encoding", "unreadable_body")),
        (
            {"content-type": "application/json; charset=utf-8=x"},
            "{}",
            False,
            (415, "unsupported_charset"),
        ),
        (
            {"content-type": "application/json; charset=XUTF-8"},
            "{}",
            False,
            (415, "unsupported_charset"),
        ),
    ],
)
def test_each_unreadable_body_has_its_own_status_code_and_words(
    headers: dict[str, str], body: str | None, is_base64: bool, expected: tuple[Any, ...]
) -> None:
    status, code, *words = expected
    assert _refused(headers, body, is_base64) == (status, code, words[0] if words else code)
    assert (words[0] if words else code) in PROBLEMS["en"]  # every refusal has its words


@pytest.mark.parametrize(
    ("headers", "body", "is_base64", "fields"),
    [
        (JSON, '{"a": 1, "b": "é"}', False, {"a": 1, "b": "é"}),
        ({"content-type": 'Application/JSON; Charset="UTF8"'}, '{"a": 1}', False, {"a": 1}),
        ({**JSON, "content-encoding": " Identity "}, '{"a": 1}', False, {"a": 1}),
        ({**JSON, "content-encoding": ""}, '{"a": 1}', False, {"a": 1}),
        (JSON, base64.b64encode('{"a": "ñ"}'.encode()).decode(), True, {"a": "ñ"}),
        (FORM, "a=1&b=&c=%C3%B1+x", False, {"a": "1", "b": "", "c": "ñ x"}),
        (FORM, "a=1&b", False, {"a": "1", "b": ""}),  # a field without "=" is a blank one
        (JSON, base64.b64encode(b'{"a": 1}').decode(), True, {"a": 1}),
        (JSON, json.dumps({"n": int("9" * 30)}), False, {"n": int("9" * 30)}),
        (JSON, json.dumps({"r": "y" * (web.MAX_BODY_BYTES - 9)}), False, None),  # exactly the max
        (FORM, "&".join(f"f{i}=x" for i in range(web.MAX_FORM_FIELDS)), False, None),
    ],
)
def test_a_readable_body_becomes_its_fields(
    headers: dict[str, str], body: str, is_base64: bool, fields: dict[str, Any] | None
) -> None:
    decoded = web.decode_body(headers, body, is_base64)
    if fields is None:  # at the limits: read whole
        assert len(decoded) in {1, web.MAX_FORM_FIELDS}
    else:
        assert decoded == fields


def test_a_refusal_says_its_code() -> None:
    assert str(web.BadRequest(413, "too_large")) == "too_large"


def test_the_media_type_and_its_charset_are_read_in_any_case() -> None:
    assert web.media_type({"content-type": ' Text/HTML ; foo=bar; CHARSET = "ISO-8859-1" '}) == (
        "text/html",
        "iso-8859-1",
    )
    assert web.media_type({}) == ("", "utf-8")
    assert web.body_kind(FORM) == "form"
    assert web.body_kind({"content-type": "application/x-www-form-urlencoded; charset=utf-8"}) == (
        "form"
    )
    assert web.body_kind({"content-type": "text/plain"}) == "json"


@pytest.mark.parametrize(
    ("headers", "allowed", "answer"),
    [
        ({"origin": "http://127.0.0.1:8000", "sec-fetch-site": "cross-site"}, True, True),
        ({"sec-fetch-site": "same-origin"}, False, True),
        ({"sec-fetch-site": "none"}, False, True),  # typed or bookmarked
        ({"sec-fetch-site": "same-site"}, False, False),
        ({"sec-fetch-site": "cross-site", "origin": "https://clinic.example"}, False, False),
        ({}, False, True),  # no browser: a script or the smoke test
        ({"origin": "https://clinic.example", "x-forwarded-host": "Clinic.Example"}, False, True),
        ({"origin": "https://evil.example", "x-forwarded-host": "clinic.example"}, False, False),
        ({"origin": "null", "x-forwarded-host": "null"}, False, False),
        ({"origin": "https://clinic.example"}, False, False),  # no host to compare with
        ({"origin": "https://clinic.example", "x-forwarded-host": ""}, False, False),
    ],
)
def test_a_post_is_the_clinics_own_when_the_browser_says_so(
    headers: dict[str, str], allowed: bool, answer: bool
) -> None:
    origins = ("http://127.0.0.1:8000",) if allowed else ()
    assert web.from_the_clinics_page(headers, origins) is answer


def test_the_spanish_pages_are_under_es_once() -> None:
    assert web.localised("/thank-you.html", "es") == "/es/thank-you.html"
    assert web.localised("/es/thank-you.html", "es") == "/es/thank-you.html"
    assert web.localised("/thank-you.html", "en") == "/thank-you.html"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_no_javascript_pages_say_what_to_fix_and_the_way_back(language: Any) -> None:
    errors = [
        {"field": "email", "code": "invalid", "message": "Enter <an> email"},
        {"field": "nonsense", "code": "invalid", "message": "Something & else"},
    ]
    page = web.errors_page(errors, "/#request", language)  # type: ignore[arg-type]
    words = web._PAGE_WORDS[language]
    labels = LABELS[language]

    assert page.startswith(f'<!doctype html>\n<html lang="{language}">')
    assert (
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>'
    ) in page
    assert '</title><link rel="stylesheet" href="/assets/site.css"></head><body>' in page
    assert "email</li><li><strong>" in page  # one item per problem, nothing between
    assert f"<title>{words['check_title']} - Riverbend Clinic</title>" in page
    assert f"<li><strong>{labels['email']}:</strong> Enter &lt;an&gt; email</li>" in page
    assert f"<li><strong>{labels['body']}:</strong> Something &amp; else</li>" in page
    for key in ("check_intro", "check_back", "again", "crisis"):
        assert words[key] in page
    form = "/es/#request" if language == "es" else "/#request"
    assert f'<a href="{form}">{words["again"]}</a>' in page
    assert page.endswith("</main></body></html>\n")

    problem = web.problem_page("Try <later>", "/#request", language)
    assert f"<h1>{words['problem_title']}</h1><p>Try &lt;later&gt;</p>" in problem
    assert words["problem_back"] in problem
    assert f'<a href="{form}">{words["again"]}</a>' in problem
    assert f'<html lang="{language}">' in problem


def test_the_pages_are_english_unless_asked() -> None:
    assert '<html lang="en">' in web.errors_page([], "/")
    assert '<html lang="en">' in web.problem_page("x", "/")
