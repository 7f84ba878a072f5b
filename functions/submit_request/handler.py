"""submit_request: ``POST /appointments``.

Thin: decode the body, validate it into the model, call ``logic.submit``, map the result.
Typed errors are mapped to HTTP statuses in one place (``_answer_error``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from intake_common.errors import FieldError, body_error, field_errors
from intake_common.models import AppointmentRequest
from intake_common.observability import logger, metrics
from intake_common.settings import SubmitSettings

from . import logic
from .adapters import AlertTopic, RequestTable, StorageUnavailable
from .web import BadRequest, decode_body, errors_page, problem_page

# Every AWS call says which function made it (CloudTrail; the IAM check in the tests).
AGENT = f"clinic-intake/{__name__}"
settings = SubmitSettings.from_env()
table = RequestTable(settings.table_name, agent=AGENT)
topic = AlertTopic(settings.topic_arn, agent=AGENT)

_cors = (
    CORSConfig(
        allow_origin=settings.allowed_origins[0],
        extra_origins=list(settings.allowed_origins[1:]),
        allow_headers=["Content-Type"],
        max_age=600,
    )
    if settings.allowed_origins
    else None
)
app = APIGatewayRestResolver(cors=_cors)

_SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_HTML = "text/html; charset=utf-8"


class Receipt(BaseModel):
    """The 201 body."""

    id: str
    reference: str
    status: str = "received"


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx: one entry per problem, never a submitted value."""

    errors: list[dict[str, str]]


def _error(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


@app.post(
    "/appointments",
    summary="Request an appointment",
    description="Stores an appointment request once per submission_id and alerts the staff.",
    operation_id="createAppointmentRequest",
    responses={
        201: {"description": "Stored", "content": {"application/json": {"model": Receipt}}},
        303: {"description": "Stored (form post): redirect to the thank-you page"},
        400: _error("The body could not be read"),
        409: _error("submission_id reused with other content"),
        413: _error("The body is over 16 KiB"),
        415: _error("Not JSON or form data"),
        422: _error("Invalid fields"),
        503: _error("Storage unavailable: retry later"),
    },
)
def create_appointment() -> Response[str]:
    event = app.current_event
    kind = "json"
    try:
        kind, fields = decode_body(
            {key.lower(): value for key, value in (event.headers or {}).items()},
            event.body,
            bool(event.is_base64_encoded),
        )
        now = datetime.now(settings.zone)
        request = _validate(fields, kind, now.date())
        submission_id = request.submission_id or request.derived_submission_id(now.date())
        receipt = logic.submit(
            request,
            submission_id=submission_id,
            now=now,
            retention_days=settings.retention_days,
            store=table,
            publisher=topic,
        )
    except InvalidFields as exc:
        _count_rejected("validation")
        if kind == "form":
            return _html(
                HTTPStatus.UNPROCESSABLE_ENTITY, errors_page(exc.errors, settings.form_path)
            )
        return _json(HTTPStatus.UNPROCESSABLE_ENTITY, {"errors": exc.errors})
    except BadRequest as exc:
        _count_rejected(exc.code)
        if kind == "form":
            return _html(exc.status, problem_page(exc.message, settings.form_path))
        return _json(exc.status, body_error(exc.code, exc.message))
    except logic.SubmissionConflict:
        _count_rejected("conflict")
        message = "This request was already sent with different details. Please reload the page."
        return _json(HTTPStatus.CONFLICT, body_error("conflict", message))
    except StorageUnavailable as exc:
        logger.warning("storage unavailable", error=str(exc))
        metrics.add_metric(name="StorageUnavailable", unit="Count", value=1)
        message = "We could not save your request just now. Please try again in a minute."
        headers = {"Retry-After": "5"}
        if kind == "form":
            return _html(
                HTTPStatus.SERVICE_UNAVAILABLE, problem_page(message, settings.form_path), headers
            )
        return _json(HTTPStatus.SERVICE_UNAVAILABLE, body_error("unavailable", message), headers)

    if kind == "form":
        location = f"{settings.thank_you_path}?ref={receipt.reference}"
        return Response(status_code=HTTPStatus.SEE_OTHER, headers={"Location": location}, body="")
    body = Receipt(id=receipt.submission_id, reference=receipt.reference)
    return _json(HTTPStatus.CREATED, body.model_dump())


@app.route(
    "/appointments",
    method=["GET", "PUT", "PATCH", "DELETE", "HEAD"] + ([] if _cors else ["OPTIONS"]),
    include_in_schema=False,
)
def method_not_allowed() -> Response[str]:
    if app.current_event.http_method == "OPTIONS":
        return Response(status_code=HTTPStatus.NO_CONTENT, headers={"Allow": "POST, OPTIONS"})
    _count_rejected("method")
    return _json(
        HTTPStatus.METHOD_NOT_ALLOWED,
        body_error("method_not_allowed", "Please send the form with POST."),
        {"Allow": "POST, OPTIONS"},
    )


class InvalidFields(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("invalid fields")
        self.errors = errors


def _validate(fields: dict[str, Any], kind: str, today: date) -> AppointmentRequest:
    if kind == "form" and fields.get("submission_id") == "":
        fields.pop("submission_id")
    context = {"today": today}
    try:
        request = AppointmentRequest.model_validate(fields, context=context)
    except ValidationError as exc:
        raise InvalidFields(field_errors(exc.errors(include_input=False))) from None
    if kind == "json" and request.submission_id is None:
        # Only the no-JavaScript form may leave the key to the server.
        raise InvalidFields(field_errors([_missing("submission_id")]))
    return request


def _missing(field: str) -> Any:
    return {"type": "missing", "loc": (field,), "msg": "missing", "input": None}


def _count_rejected(reason: str) -> None:
    with single_metric(name="RequestRejected", unit=MetricUnit.Count, value=1) as metric:
        metric.add_dimension(name="reason", value=reason)


def _json(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, ensure_ascii=False),
        headers=headers,
    )


def _html(status: int, body: str, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status_code=status, content_type=_HTML, body=body, headers=headers)


@app.not_found
def not_found(_: Exception) -> Response[str]:
    return _json(HTTPStatus.NOT_FOUND, body_error("not_found", "There is nothing here."))


@app.exception_handler(Exception)  # type: ignore[untyped-decorator]
def unexpected(exc: Exception) -> Response[str]:
    # Never a stack trace or a value in the answer; the log has the type only.
    logger.error("unexpected error", error_type=type(exc).__name__)
    metrics.add_metric(name="UnexpectedError", unit="Count", value=1)
    message = "Something went wrong on our side. Please try again in a minute."
    return _json(HTTPStatus.INTERNAL_SERVER_ERROR, body_error("internal", message))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = app.resolve(event, context)
    headers = response.setdefault("headers", {}) or {}
    headers.update(_SECURITY_HEADERS)
    response["headers"] = headers
    return response
