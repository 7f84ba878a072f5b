"""The origin secret as the API functions read it: the current value, the previous one only for
a header the current one does not match (a rotation under way), each at most once per
``max_age``, and what was read kept when Secrets Manager cannot be reached (runtime/origin.py)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from intake_common.runtime.origin import (
    REHEARSAL,
    OriginSecret,
    OriginSecretUnavailable,
    matches,
)

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:origin"


class _SecretsManager:
    """Answers GetSecretValue by staging label, as Secrets Manager does."""

    def __init__(self, stages: dict[str, str]) -> None:
        self.stages = stages
        self.calls: list[tuple[str, str]] = []
        self.down = False

    def get_secret_value(self, SecretId: str, VersionStage: str) -> dict[str, Any]:
        self.calls.append((SecretId, VersionStage))
        if self.down:
            raise EndpointConnectionError(endpoint_url="https://secretsmanager")
        if VersionStage not in self.stages:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no such version"}}
            raise ClientError(error, "GetSecretValue")  # type: ignore[arg-type]
        return {"SecretString": self.stages[VersionStage], "VersionId": VersionStage.lower()}


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _origin(stages: dict[str, str]) -> tuple[OriginSecret, _SecretsManager, _Clock]:
    clock = _Clock()
    origin = OriginSecret(
        ARN, "unit-test (not recorded: not clinic-intake/)", max_age=60, clock=clock
    )
    manager = _SecretsManager(stages)
    origin._client = manager
    return origin, manager, clock


def test_the_current_value_is_read_alone_when_it_matches() -> None:
    # One call, not two: the first request after a SnapStart restore waits for one read.
    origin, manager, _ = _origin({"AWSCURRENT": "new", "AWSPREVIOUS": "old"})
    assert origin.admits("new")
    assert manager.calls == [(ARN, "AWSCURRENT")]


def test_outside_a_rotation_only_the_current_value_passes() -> None:
    origin, manager, _ = _origin({"AWSCURRENT": "new"})
    assert not origin.admits("old")
    assert manager.calls == [(ARN, "AWSCURRENT"), (ARN, "AWSPREVIOUS")]


def test_the_previous_value_passes_while_a_rotation_is_under_way() -> None:
    origin, _, _ = _origin({"AWSCURRENT": "new", "AWSPREVIOUS": "old"})
    assert origin.admits("old")
    assert origin.admits("new")
    assert not origin.admits("older")


def test_read_once_per_max_age_then_again_so_a_retired_value_stops_passing() -> None:
    origin, manager, clock = _origin({"AWSCURRENT": "new", "AWSPREVIOUS": "old"})
    assert origin.admits("old")
    # Within the minute, no call, however many headers fail to match: the label's removal is
    # not seen yet, and a forged header costs at most one read a minute...
    del manager.stages["AWSPREVIOUS"]
    clock.now += 59.9
    assert origin.admits("old")
    assert not origin.admits("forged")
    assert len(manager.calls) == 2
    # ...after it, the previous value is refused.
    clock.now += 0.1
    assert not origin.admits("old")
    assert len(manager.calls) == 4


def test_a_new_current_value_is_seen_after_max_age() -> None:
    origin, manager, clock = _origin({"AWSCURRENT": "old"})
    assert origin.current() == "old"
    manager.stages.update({"AWSCURRENT": "new", "AWSPREVIOUS": "old"})
    clock.now += 59.9
    assert origin.current() == "old"
    clock.now += 0.1
    assert origin.current() == "new"
    assert origin.admits("new")
    assert origin.admits("old")


def test_an_unreachable_secrets_manager_keeps_what_was_read() -> None:
    origin, manager, clock = _origin({"AWSCURRENT": "new", "AWSPREVIOUS": "old"})
    assert origin.admits("old")
    manager.down = True
    clock.now += 120
    assert origin.admits("new")  # visitors are not refused for it
    assert origin.admits("old")


def test_nothing_read_yet_and_unreachable_is_unavailable_not_a_pass() -> None:
    origin, manager, _ = _origin({"AWSCURRENT": "new"})
    manager.down = True
    with pytest.raises(OriginSecretUnavailable):
        origin.admits("new")


def test_previous_never_read_and_unreachable_is_unavailable_not_a_refusal() -> None:
    # Mid-rotation, CloudFront still sends the old value: a 503 the form retries, not a 403.
    origin, manager, _ = _origin({"AWSCURRENT": "new", "AWSPREVIOUS": "old"})
    assert origin.admits("new")
    manager.down = True
    with pytest.raises(OriginSecretUnavailable):
        origin.admits("old")


def test_a_refusal_other_than_no_previous_version_is_not_taken_for_no_rotation() -> None:
    origin, manager, _ = _origin({"AWSCURRENT": "new"})
    assert origin.admits("new")

    def refused(SecretId: str, VersionStage: str) -> dict[str, Any]:
        error = {"Error": {"Code": "AccessDeniedException", "Message": "no"}}
        raise ClientError(error, "GetSecretValue")  # type: ignore[arg-type]

    manager.get_secret_value = refused  # type: ignore[method-assign]
    with pytest.raises(OriginSecretUnavailable):
        origin.admits("old")


def test_an_empty_value_is_never_accepted() -> None:
    origin, manager, _ = _origin({"AWSCURRENT": "", "AWSPREVIOUS": ""})
    assert not origin.admits("")
    assert manager.calls == []
    assert not origin.admits("x")
    assert not matches("", ("",))
    assert not matches("", ())
    assert matches("b", ("a", "b"))
    assert not matches("c", ("a", "b"))


def test_priming_answers_offline_and_leaves_nothing_in_the_snapshot() -> None:
    origin = OriginSecret(ARN, "unit-test (not recorded: not clinic-intake/)")
    with origin.rehearsal() as value:
        assert value == REHEARSAL
        assert origin.admits(REHEARSAL)
    assert origin._read_at == {}
    assert origin._values == {}


def test_the_first_value_does_not_stand_for_a_later_one() -> None:
    # Each value is compared, none short-cuts the others (a header equal to the first only).
    assert matches("a", ("a", "b"))
    assert matches("b", ("a", "b"))


def test_no_previous_version_and_an_empty_secret_string_are_no_value_at_all() -> None:
    origin, _, _ = _origin({"AWSCURRENT": "new"})
    assert origin._value("AWSPREVIOUS") == ""
    blank, manager, _ = _origin({"AWSCURRENT": "new"})
    manager.get_secret_value = lambda SecretId, VersionStage: {}  # type: ignore[method-assign]
    assert blank.current() == ""
    assert not blank.admits("new")


def test_an_unreadable_secret_is_logged_by_its_error_type_only(logs: Any) -> None:
    import json

    origin, manager, clock = _origin({"AWSCURRENT": "new"})
    assert origin.admits("new")
    manager.down = True
    clock.now += 120
    assert origin.admits("new")

    (line,) = [json.loads(text) for text in logs.getvalue().splitlines()]
    assert (line["level"], line["message"], line["error"]) == (
        "WARNING",
        "origin secret not read",
        "EndpointConnectionError",
    )


def test_the_secrets_client_says_which_function_calls() -> None:
    origin = OriginSecret(ARN, "clinic-intake/submit_request.handler")
    assert origin.client.meta.config.user_agent_extra == "clinic-intake/submit_request.handler"
