from __future__ import annotations

import re
from typing import Any

from tests.support.aws import all_items, header, json_body
from tests.support.data import valid_fields
from tests.support.handlers import Invoke


def test_valid_json_request_is_stored_once_and_answered_201(invoke: Invoke, aws: Any) -> None:
    fields = valid_fields()

    response = invoke(fields)

    assert response["statusCode"] == 201
    body = json_body(response)
    assert body["id"] == fields["submission_id"]
    assert body["status"] == "received"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", body["reference"])
    assert header(response, "Cache-Control") == "no-store"
    assert header(response, "X-Content-Type-Options") == "nosniff"
    items = all_items(aws)
    assert len(items) == 1
    item = items[0]
    assert item["submission_id"] == fields["submission_id"]
    assert item["reference"] == body["reference"]
    assert item["status"] == "new"
    assert item["alert_state"] == "pending"
    assert item["phone"] == "+14155552671"
    assert item["full_name"] == "Ana Núñez-O'Brien"
    assert item["created_at"].endswith("+00:00")
    assert int(item["expires_at"]) > 0
