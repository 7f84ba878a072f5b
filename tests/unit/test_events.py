"""The events the local stack and the tests build have the shape AWS sends."""

from __future__ import annotations

import json
from pathlib import Path

from intake_common.runtime.events import api_event, received_sqs_event

EVENTS = Path(__file__).resolve().parents[1] / "events"


def test_rest_event_has_the_keys_of_a_recorded_api_gateway_event() -> None:
    recorded = json.loads((EVENTS / "apigw-rest-post-appointments.json").read_text())
    built = api_event("POST", "/appointments", resource="/appointments", body="{}")
    assert set(built) == set(recorded)
    assert set(built["requestContext"]) == set(recorded["requestContext"])
    assert built["requestContext"]["stage"] == "prod"


def test_sqs_event_matches_lambdas_record_shape() -> None:
    from aws_lambda_powertools.utilities.parser.models import SqsModel

    message = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "Body": "{}",
        "MD5OfBody": "0" * 32,
        "Attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1",
            "SenderId": "x",
            "ApproximateFirstReceiveTimestamp": "1",
        },
    }
    event = received_sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:q", "us-east-1")
    SqsModel.model_validate(event)


def test_only_cloudfronts_header_passes_and_no_secret_passes_nothing_unless_turned_off() -> None:
    from intake_common.runtime.gateway import through_cloudfront
    from intake_common.runtime.origin import OriginSecret

    class Labels:
        def __init__(self, **stages: str) -> None:
            self.stages = stages

        def get_secret_value(self, SecretId: str, VersionStage: str) -> dict[str, str]:
            return {"SecretString": self.stages.get(VersionStage, "")}

    def secret(**stages: str) -> OriginSecret:
        origin = OriginSecret("arn:origin", "unit-test (not recorded: not clinic-intake/)")
        origin._client = Labels(**stages)
        return origin

    outside = secret(AWSCURRENT="s3cret")
    assert through_cloudfront({"x-origin-verify": "s3cret"}, outside)
    assert not through_cloudfront({"x-origin-verify": "guess"}, outside)
    assert not through_cloudfront({}, outside)
    # During a rotation, the previous value passes too; an empty header never does.
    during = secret(AWSCURRENT="new", AWSPREVIOUS="old")
    assert through_cloudfront({"x-origin-verify": "old"}, during)
    assert through_cloudfront({"x-origin-verify": "new"}, during)
    assert not through_cloudfront({"x-origin-verify": ""}, during)
    # Empty values are no secret: nothing passes, even with the check turned off.
    assert not through_cloudfront({"x-origin-verify": ""}, secret(), required=False)
    # A deployed function whose secret is missing refuses everything...
    assert not through_cloudfront({"x-origin-verify": ""}, None)
    assert not through_cloudfront({}, None)
    # ...and only a local stack may say it runs without one (ORIGIN_CHECK=off).
    assert through_cloudfront({}, None, required=False)
