"""The test stack: the template's resources on moto (SNS, SQS, SES, CloudFormation) and on
dynalite (DynamoDB), under one stack name, with the staff recipients the tests expect."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3

from intake_local.resources import create_data_resources, create_tables, empty_tables
from intake_local.template import ACCOUNT_ID, LocalStack, load_template

REGION = "us-east-1"
STACK = "intake-test"
PARAMETERS = {
    "StaffEmails": "frontdesk@clinic.example,nurse@clinic.example",
    "StaffPhones": "+14155550101",
    "SenderEmail": "alerts@clinic.example",
    "ClinicPhone": "+14155550100",
    "AllowedDevOrigins": "http://localhost:5173",
}
TEMPLATE = load_template()
# The stack every test builds (same names each time), planned when the session starts.
PLANNED: LocalStack | None = None

__all__ = [
    "ACCOUNT_ID",
    "PARAMETERS",
    "PLANNED",
    "REGION",
    "STACK",
    "build",
    "create",
    "empty",
    "functions",
]


@cache
def _session() -> Any:
    # One session: each new one reloads every service model (about 140 ms). Its clients read
    # AWS_ENDPOINT_URL_DYNAMODB when they are created: DynamoDB goes to dynalite.
    return boto3.Session(region_name=REGION)


def _client(service: str) -> Any:
    return _session().client(service)


def functions() -> list[str]:
    return [
        name
        for name, resource in TEMPLATE["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    ]


def build() -> LocalStack:
    """Create the stack's resources on moto (which must be active); its tables exist already on
    dynalite (``create_tables``, once per session) and are emptied (``empty``) after each test."""
    stack = LocalStack(TEMPLATE, STACK, REGION, parameters=dict(PARAMETERS))
    return create_data_resources(stack, _client, tables=False)


def create(stack: LocalStack) -> None:
    """The template's tables on dynalite, with their indexes (once per session)."""
    create_tables(stack, _client("dynamodb"))


def empty(stack: LocalStack) -> None:
    """Every item of the stack's tables deleted; the tables stay for the next test."""
    empty_tables(stack, _client("dynamodb"))
