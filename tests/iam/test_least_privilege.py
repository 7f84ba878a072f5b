"""Every AWS call the suite saw is granted by the template, and nothing needs more.

``test_every_call_the_suite_saw_is_granted`` runs after every other test (``after_suite``): by
then the recorder holds each operation each function and ``intake`` command really made, in
this process and in the local stacks the integration and browser tests started.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from intake_cli.main import build_parser
from intake_local.calls import AwsCall, load
from intake_local.template import LocalStack, load_template
from tests.support import iam, stack
from tests.support.iam_actions import Keys, Need, needs

REGION = "us-east-1"
SENDER = stack.PARAMETERS["SenderEmail"]


def _stack() -> LocalStack:
    planned = stack.PLANNED
    assert planned is not None, "the test session plans the stack in pytest_configure"
    return planned


def _raw_email(principal: str = "notify_staff.handler") -> AwsCall:
    return AwsCall(
        principal, "sesv2", "SendEmail", REGION, {"FromEmailAddress": SENDER, "Content": ["Raw"]}
    )


def _policy_of(function: str, template: dict[str, Any], stack_: LocalStack) -> list[iam.Statement]:
    transformed = iam.transform(template)
    role = transformed["Resources"][f"{function}Role"]["Properties"]
    resolved = iam.resolver(stack_, transformed)
    return [
        statement
        for policy in role["Policies"]
        for statement in iam._statements(policy["PolicyDocument"], resolved)
    ]


def test_raw_email_needs_send_raw_email_which_the_old_policy_lacked() -> None:
    # Given the template as it was: notify_staff may only ses:SendEmail
    old = copy.deepcopy(load_template())
    for statement in old["Resources"]["NotifyStaffFunction"]["Properties"]["Policies"][0][
        "Statement"
    ]:
        if statement["Sid"] == "EmailFromSenderOnly":
            statement["Action"] = "ses:SendEmail"
    keys = Keys({}, {})
    call = _raw_email()

    # Then the MIME message notify_staff sends is refused, and granted by today's template
    assert any(
        not iam.allowed(need, _policy_of("NotifyStaffFunction", old, _stack()), {})
        for need in needs(call, keys)
    )
    today = _policy_of("NotifyStaffFunction", load_template(), _stack())
    assert all(iam.allowed(need, today, {}) for need in needs(call, keys))


def test_a_sender_other_than_the_configured_one_is_refused() -> None:
    statements = _policy_of("NotifyStaffFunction", load_template(), _stack())
    call = AwsCall(
        "notify_staff.handler",
        "sesv2",
        "SendEmail",
        REGION,
        {"FromEmailAddress": "someone@clinic.example", "Content": ["Raw"]},
    )
    assert not all(iam.allowed(need, statements, {}) for need in needs(call, Keys({}, {})))


def test_a_query_on_an_index_needs_the_index_arn_not_the_table() -> None:
    call = AwsCall("x", "dynamodb", "Query", REGION, {"TableName": "t", "IndexName": "by-status"})
    (need,) = needs(call, Keys({}, {}))
    assert need.resource.endswith("table/t/index/by-status")
    table_only = [
        iam.Statement("Allow", ("dynamodb:Query",), (need.resource.split("/index")[0],), ())
    ]
    assert not iam.allowed(need, table_only, {})


def test_an_explicit_deny_wins_over_an_allow() -> None:
    need = Need("sns:Publish", "arn:aws:sns:us-east-1:123456789012:ops")
    statements = [
        iam.Statement("Allow", ("sns:Publish",), ("*",), ()),
        iam.Statement("Deny", ("sns:Publish",), ("arn:aws:sns:*:*:*",), ()),
    ]
    assert not iam.allowed(need, statements, {})
    assert iam.allowed(Need("sns:Publish", "*"), statements, {})


def test_every_intake_command_runs_under_a_managed_policy_of_the_template() -> None:
    parser: Any = build_parser()
    commands: dict[str, Any] = parser._subparsers._group_actions[0].choices
    names = set()
    for command, sub in commands.items():
        actions = [a for a in sub._actions if getattr(a, "choices", None)]
        if actions:
            names |= {f"intake-{command}-{action}" for action in actions[0].choices}
        else:
            names.add(f"intake-{command}")
    assert names == set(iam.COMMAND_POLICIES)
    resources = iam.transformed_template()["Resources"]
    for policy in set(iam.COMMAND_POLICIES.values()):
        assert resources[policy]["Type"] == "AWS::IAM::ManagedPolicy"


@pytest.mark.after_suite
def test_every_call_the_suite_saw_is_granted() -> None:
    # The local stacks the integration and browser tests started, with what their functions
    # called; the test process also called some of them (intake commands over --local).
    locals_: list[tuple[LocalStack, list[AwsCall]]] = []
    for path in iam.RECORDINGS:
        if not path.exists():
            continue
        described, local_calls = load(path)
        local = LocalStack(
            load_template(),
            described["name"],
            REGION,
            parameters=described["parameters"],
            physical=described["physical"],
            attributes={(a, b): v for a, b, v in described["attributes"]},
        )
        locals_.append((local, local_calls))
    stacks = [_stack(), *iam.TEST_STACKS, *(local for local, _ in locals_)]
    # The test process: the component tests' handlers and intake commands
    calls = list(iam.RECORDER.calls)
    problems = iam.violations(calls, stacks)
    seen = {(c.principal, c.service, c.operation) for c in calls}
    for local, local_calls in locals_:
        problems += iam.violations(local_calls, [local])
        seen |= {(c.principal, c.service, c.operation) for c in local_calls}

    assert not problems, "\n".join(problems)
    principals = {principal for principal, _, _ in seen}
    # Run alone, this test has nothing to check: it belongs at the end of the whole suite.
    every_function = {
        "submit_request.handler",
        "notify_staff.handler",
        "redrive_alerts.handler",
        "staff_api.handler",
        "canary.handler",
    }
    assert every_function <= principals, (
        f"run the whole suite: only {sorted(principals)} were recorded"
    )
    assert {p for p in principals if p.startswith("intake-")}, "no intake command was recorded"
