from __future__ import annotations

from pathlib import Path

from tests.support.data import valid_fields

DOC = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_docs_openapi_json_is_up_to_date() -> None:
    from submit_request.openapi import render

    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/openapi.json is out of date: run `make openapi`"
    )


def test_openapi_request_schema_accepts_a_valid_request_and_lists_every_field() -> None:
    from submit_request.openapi import openapi_document

    document = openapi_document()
    operation = document["paths"]["/appointments"]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
    }
    schema = document["components"]["schemas"]["AppointmentRequest"]
    assert set(valid_fields()) <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    assert schema["properties"]["full_name"]["maxLength"] == 100
    assert {"201", "409", "413", "415", "422"} <= set(operation["responses"])
