"""The API and the alerts for a visitor on the Spanish pages, through the handlers on moto and
dynalite: every answer they can see in Spanish (the same codes), the request stored with its
language, staff told "Prefers Spanish", the confirmation in Spanish; and the same care as in
English: nothing echoed, nothing half-written, one request per id."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from intake_local.template import LocalStack
from tests.component.submit_request.test_hostile_input import CATALOGUE, MARK
from tests.support.aws import all_items, header, json_body, outbox
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke
from tests.support.stack import PARAMETERS

SPANISH = "lang=es"
VISITOR = "ana.nunez@example.org"
STAFF_EMAILS = PARAMETERS["StaffEmails"].split(",")


def _es(**overrides: Any) -> dict[str, Any]:
    return valid_fields(language="es", **overrides)


def test_field_errors_come_back_in_spanish_with_the_same_codes(invoke: Invoke) -> None:
    bad = {"email": "ana@", "phone": "12", "full_name": "R2-D2"}
    english = json_body(invoke(valid_fields(**bad)))["errors"]
    spanish_response = invoke(_es(**bad), query=SPANISH)

    assert spanish_response["statusCode"] == 422
    spanish = json_body(spanish_response)["errors"]
    assert [(e["field"], e["code"]) for e in spanish] == [(e["field"], e["code"]) for e in english]
    by_field = {e["field"]: e["message"] for e in spanish}
    assert by_field["email"] == "Escriba un correo electrónico como nombre@ejemplo.com, por favor."
    assert by_field["full_name"].startswith("En su nombre, use solo letras")
    assert all(e["message"] != s["message"] for e, s in zip(english, spanish, strict=True))


def test_the_bodys_language_is_enough_without_the_query(invoke: Invoke) -> None:
    response = invoke(_es(email=""))
    (error,) = json_body(response)["errors"]
    assert error == {
        "field": "email",
        "code": "required",
        "message": "Escriba su correo electrónico, por favor.",
    }


@pytest.mark.parametrize(
    ("request_", "status", "code", "words"),
    [
        ({"raw": "{", "content_type": "application/json"}, 400, "invalid_json", "JSON válido"),
        ({"raw": "x", "content_type": "text/plain"}, 415, "unsupported_media_type", "Envíe"),
        ({"raw": "a" * 20000, "content_type": "application/json"}, 413, "too_large", "16 KiB"),
        ({"raw": "", "content_type": "application/json"}, 400, "empty_body", "vacía"),
    ],
    ids=["bad-json", "media-type", "too-large", "empty"],
)
def test_a_request_that_cannot_be_read_is_answered_in_spanish(
    invoke: Invoke, aws: LocalStack, request_: dict[str, Any], status: int, code: str, words: str
) -> None:
    response = invoke(query=SPANISH, **request_)

    assert response["statusCode"] == status
    (error,) = json_body(response)["errors"]
    assert error["code"] == code  # the JSON API keeps its codes
    assert words in error["message"]
    assert all_items(aws) == []


def test_a_request_not_through_cloudfront_is_refused_in_spanish(invoke: Invoke) -> None:
    response = invoke(_es(), query=SPANISH, through_cloudfront=False)

    assert response["statusCode"] == 403
    assert json_body(response)["errors"][0]["message"] == (
        "Use la página web de la clínica, por favor."
    )


def test_without_javascript_the_errors_page_is_spanish_and_leads_back_to_the_spanish_form(
    invoke: Invoke, aws: LocalStack
) -> None:
    fields = _es(consent="on", submission_id="", email="no-es-un-correo")
    response = invoke(fields, form=True, query=SPANISH)

    assert response["statusCode"] == 422
    page = response["body"]
    assert '<html lang="es">' in page
    assert "<h1>Revise su solicitud, por favor</h1>" in page
    assert "<strong>Correo electrónico:</strong> Escriba un correo electrónico" in page
    assert 'href="/es/#request"' in page
    assert "marque 2" in page  # 988's Spanish option
    assert "no-es-un-correo" not in page
    assert all_items(aws) == []


def test_without_javascript_a_spanish_request_lands_on_the_spanish_thank_you_pages(
    invoke: Invoke, aws: LocalStack
) -> None:
    calm = _es(consent="on", submission_id="", reason="¿Pueden llamarme por la tarde? ¡Gracias!")
    urgent = _es(consent="on", submission_id="", reason="A veces quiero morirme.")

    locations = [
        str(header(invoke(f, form=True, query=SPANISH), "Location")) for f in (calm, urgent)
    ]

    assert [urlparse(where).path for where in locations] == [
        "/es/thank-you.html",
        "/es/request-received.html",
    ]
    assert all(set(parse_qs(urlparse(where).query)) == {"ref"} for where in locations)
    items = sorted(all_items(aws), key=lambda item: item["urgent"])
    assert [(item["language"], item["urgent"]) for item in items] == [("es", False), ("es", True)]
    assert items[0]["reason"] == "¿Pueden llamarme por la tarde? ¡Gracias!"


def test_spanish_names_and_text_are_stored_folded_and_a_retry_is_the_same_request(
    invoke: Invoke, aws: LocalStack
) -> None:
    # NFD (as some phones send it), ñ and inverted punctuation: stored NFC, once.
    fields = _es(
        full_name="Begon\u0303a Ordo\u0301n\u0303ez Pe\u0301rez",
        reason="¿Es normal sentir pánico todos los días?",
    )
    first = invoke(fields, query=SPANISH)
    again = invoke(fields, query=SPANISH)

    assert first["statusCode"] == again["statusCode"] == 201
    assert json_body(first)["reference"] == json_body(again)["reference"]
    (item,) = all_items(aws)
    assert item["full_name"] == "Begoña Ordóñez Pérez"
    assert item["language"] == "es"


def test_the_same_request_from_either_page_is_one_request(invoke: Invoke, aws: LocalStack) -> None:
    # The page's language is not content: the same id with it changed is a retry, not a conflict.
    fields = valid_fields()
    assert invoke(fields)["statusCode"] == 201
    assert invoke({**fields, "language": "es"}, query=SPANISH)["statusCode"] == 201
    (item,) = all_items(aws)
    assert item["language"] == "en"  # the first one stored stays


def test_staff_are_told_prefers_spanish_and_the_visitor_is_confirmed_in_spanish(
    invoke: Invoke, deliver: Deliver, aws: LocalStack
) -> None:
    body = json_body(invoke(_es(email=VISITOR, confirmation_email=True), query=SPANISH))
    reference = body["reference"]

    deliver()

    emails = outbox()["emails"]
    (confirmation,) = [e for e in emails if e["to"] == [VISITOR]]
    assert confirmation["subject"] == f"Su solicitud a Riverbend Clinic, referencia {reference}"
    assert confirmation["text"].startswith("Hola, Ana:")
    assert "marque 2 para español" in confirmation["text"]
    assert "AYUDA al 988" in confirmation["text"]
    assert '<html lang="es">' in confirmation["html"]
    assert '<a href="tel:988">988</a>' in confirmation["html"]
    for private in ("Núñez", "Anxiety", "2671"):
        assert private not in confirmation["text"] + confirmation["html"]
    for address in STAFF_EMAILS:
        (alert,) = [e for e in emails if e["to"] == [address]]
        assert "Language: Prefers Spanish" in alert["text"]
    for sms in outbox()["sms"]:
        assert sms["message"].endswith("Prefers Spanish.")
        assert re.fullmatch(r"[ -~]+", sms["message"])  # plain GSM-7, one segment
        assert len(sms["message"]) <= 160


def test_an_english_request_says_nothing_about_language_to_staff(
    invoke: Invoke, deliver: Deliver
) -> None:
    invoke(valid_fields())
    deliver()
    assert all("Spanish" not in e["text"] for e in outbox()["emails"])
    assert all("Spanish" not in s["message"] for s in outbox()["sms"])


@pytest.mark.parametrize(("case", "request_", "status"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_the_hostile_catalogue_in_spanish_gets_a_clear_4xx_and_nothing_else(
    invoke: Invoke, aws: LocalStack, case: str, request_: dict[str, Any], status: int
) -> None:
    spanish = dict(request_)
    if isinstance(spanish.get("body"), dict) and "language" not in spanish["body"]:
        spanish["body"] = {**spanish["body"], "language": "es"}
    response = invoke(query=SPANISH, **spanish)

    assert response["statusCode"] == status, response["body"][:300]
    assert MARK not in response["body"]
    assert "Traceback" not in response["body"]
    if str(header(response, "Content-Type")).startswith("application/json"):
        errors = json_body(response)["errors"]
        assert errors
        assert all(error["message"] for error in errors)
    else:
        assert 'lang="es"' in response["body"]
    assert all_items(aws) == []
