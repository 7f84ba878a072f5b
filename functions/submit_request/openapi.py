"""The API's OpenAPI document: Powertools generates it from the routes; the request body,
which the handler decodes itself (JSON or form data), is added from the pydantic model.

``make openapi`` writes it to ``docs/openapi.json``; a test keeps it current.
"""

from __future__ import annotations

import json
from typing import Any

from intake_common.domain.models import AppointmentRequest


def openapi_document() -> dict[str, Any]:
    from .handler import app

    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title="clinic-intake API",
            version="1",
            summary="Appointment requests for the clinic",
        )
    )
    schema = AppointmentRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    json_schema = json.loads(json.dumps(schema))
    json_schema["required"] = sorted({*json_schema.get("required", []), "submission_id"})
    document.setdefault("components", {}).setdefault("schemas", {})["AppointmentRequest"] = (
        json_schema
    )
    document["paths"]["/appointments"]["post"]["requestBody"] = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/AppointmentRequest"}},
            "application/x-www-form-urlencoded": {"schema": schema},
        },
    }
    return document


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import os

    # The routes do not depend on the deployment: any valid settings will do.
    os.environ.setdefault("TABLE_NAME", "requests")
    os.environ.setdefault("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:alerts")
    print(render(), end="")
