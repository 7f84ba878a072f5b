"""The template's CloudWatch dashboard shows only metrics the code really emits, under the
service that emits them (a dashboard widget on a misspelt metric shows an empty graph forever),
and covers what issue 20 asks: requests a day, alerts sent and held, time to first contact,
open past target, outcomes. CloudWatch's dashboard body format:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
"""

from __future__ import annotations

import json
from typing import Any

from intake_common.services.staff import CLOSED_METRICS
from tests.static.test_alarm_metrics import metrics_of
from tests.support.iam import transformed_template

HANDLERS = {
    "submit_request": "submit_request.handler",
    "notify_staff": "notify_staff.handler",
    "staff_api": "staff_api.handler",
    "redrive_alerts": "redrive_alerts.handler",
}


def _send_kind_metrics() -> set[str]:
    from notify_staff import logic

    kinds = [value for value in vars(logic).values() if isinstance(value, logic.SendKind)]
    assert len(kinds) >= 3
    return {
        name
        for kind in kinds
        for name in (kind.sent_metric, kind.rejected_metric, kind.retried_metric)
        if name
    }


def _body() -> dict[str, Any]:
    dashboard = transformed_template()["Resources"]["CallBackDashboard"]["Properties"]
    text = dashboard["DashboardBody"]["Fn::Sub"]
    parsed: dict[str, Any] = json.loads(text.replace("${AWS::Region}", "us-east-1"))
    return parsed


def test_every_dashboard_metric_is_emitted_by_the_service_it_names() -> None:
    shown = [
        tuple(metric[:4])
        for widget in _body()["widgets"]
        for metric in widget["properties"]["metrics"]
    ]
    assert len(shown) >= 12
    for namespace, name, dimension, service in shown:
        assert (namespace, dimension) == ("ClinicIntake", "service")
        emitted = metrics_of(HANDLERS[service])
        if service == "staff_api":
            emitted |= set(CLOSED_METRICS.values())  # named from the outcome
        if service == "notify_staff":
            emitted |= _send_kind_metrics()  # named by each kind of send
        assert name in emitted, f"{service} never emits {name}"


def test_the_dashboard_shows_what_the_clinic_asked_for() -> None:
    titles = [widget["properties"]["title"] for widget in _body()["widgets"]]
    assert titles == [
        "Requests a day",
        "Staff alerts sent and held by the budget",
        "Time to first contact (seconds): median and 90th percentile",
        "Urgent requests past target (escalated)",
        "How requests ended (a week)",
    ]
    outcomes = _body()["widgets"][-1]["properties"]["metrics"]
    assert {metric[1] for metric in outcomes} == set(CLOSED_METRICS.values())
