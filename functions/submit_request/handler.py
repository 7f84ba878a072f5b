"""submit_request: ``POST /appointments``.

Thin: decode the body, validate it into the model, call ``logic.submit``, map the result. Each
typed error becomes its HTTP answer in one place (``_refusal``), as JSON for the page's script
and as an accessible HTML page for a form post without JavaScript.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from functools import cache
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from intake_common.domain.errors import (
    FieldError,
    body_error,
    field_error,
    field_errors,
    language_of,
    problem,
)
from intake_common.domain.models import AppointmentRequest, Language
from intake_common.runtime import events, snapstart
from intake_common.runtime.gateway import (
    asked_language,
    cloudfront_only,
    json_response,
    page_language,
    secured,
)
from intake_common.runtime.observability import logger, metrics
from intake_common.runtime.settings import SubmitSettings

from . import adapters, logic
from .ports import Dependencies, HumanCheckUnavailable, StorageUnavailable
from .web import (
    BadRequest,
    BodyKind,
    body_kind,
    decode_body,
    errors_page,
    from_the_clinics_page,
    localised,
    problem_page,
)

# Every AWS call says which function made it (CloudTrail; the IAM check in the tests).
AGENT = f"clinic-intake/{__name__}"
settings = SubmitSettings.from_env()
# The values of X-Origin-Verify CloudFront may send, read from Secrets Manager (they rotate).
origin = settings.origin_secret(AGENT)


@cache
def dependencies() -> Dependencies:
    """The adapters, built once per execution environment, on first use. The route calls it on
    every request (tests replace it: ``tests/support/swap.py``)."""
    return adapters.build(settings, AGENT)


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
# The form's own field for Turnstile's token (the widget adds it to the form), removed
# before validation: it is not part of the request.
TURNSTILE_FIELD = "cf-turnstile-response"


# Every route: only requests CloudFront forwarded (its origin header) reach the code.
app.use(
    middlewares=[
        cloudfront_only(
            origin,
            lambda: _count_rejected("not_through_cloudfront"),
            required=settings.origin_check == "on",
        )
    ]
)

_HTML = "text/html; charset=utf-8"


class Receipt(BaseModel):
    """The 201 body."""

    id: str
    reference: str
    status: str = "received"


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx: one entry per problem, never a submitted value."""

    errors: list[dict[str, str]]


class InvalidFields(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("invalid fields")
        self.errors = errors


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
    deps = dependencies()
    event = app.current_event
    headers = {key.lower(): value for key, value in (event.headers or {}).items()}
    kind = body_kind(headers)
    # The answer's language: the page's (the Spanish form posts to ?lang=es), else the body's.
    asked = asked_language(app.current_event)
    language = language_of(asked)
    try:
        if not from_the_clinics_page(headers, settings.allowed_origins):
            # Any page elsewhere could make its visitors post here: refused, never stored.
            raise BadRequest(403, "cross_site")
        fields = decode_body(headers, event.body, bool(event.is_base64_encoded))
        if asked is None:
            language = language_of(fields.get("language"))
        token = fields.pop(TURNSTILE_FIELD, None)
        now = datetime.now(settings.zone)
        request = _validate(fields, kind, now.date(), language)
        submission_id = request.submission_id or request.derived_submission_id(now.date())
        logic.check_human(
            deps.human_check,
            token if isinstance(token, str) else None,
            submission_id,
            # The site's own host, as CloudFront's function writes it (no viewer can).
            headers.get("x-forwarded-host", "").lower(),
        )
        receipt = logic.submit(
            request,
            submission_id=submission_id,
            now=now,
            retention_days=settings.retention_days,
            deps=deps,
        )
    except (
        InvalidFields,
        BadRequest,
        logic.SubmissionConflict,
        logic.HumanCheckFailed,
        HumanCheckUnavailable,
        StorageUnavailable,
    ) as exc:
        return _refusal(exc, kind, language)

    if kind == "form":
        page = settings.urgent_thank_you_path if receipt.urgent else settings.thank_you_path
        location = f"{localised(page, language)}?ref={receipt.reference}"
        return Response(status_code=HTTPStatus.SEE_OTHER, headers={"Location": location}, body="")
    body = Receipt(id=receipt.submission_id, reference=receipt.reference)
    return json_response(HTTPStatus.CREATED, body.model_dump())


def _refusal(exc: Exception, kind: BodyKind, language: Language) -> Response[str]:
    """The one place where an error becomes an answer: status, words, and the way back."""
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidFields | logic.HumanCheckFailed):
        errors = (
            exc.errors
            if isinstance(exc, InvalidFields)
            else [field_error("human_check", "human_check_failed", language)]
        )
        status, reason, body = HTTPStatus.UNPROCESSABLE_ENTITY, "validation", {"errors": errors}
        if isinstance(exc, logic.HumanCheckFailed):
            reason = "human_check"
        page = errors_page(errors, settings.form_path, language)
    else:
        if isinstance(exc, BadRequest):
            status, reason, message = HTTPStatus(exc.status), exc.code, problem(exc.words, language)
        elif isinstance(exc, logic.SubmissionConflict):
            status, reason = HTTPStatus.CONFLICT, "conflict"
            message = problem("conflict", language)
        elif isinstance(exc, HumanCheckUnavailable):  # nothing was stored; retrying is safe
            logger.warning("human check unavailable", error=str(exc))
            status, reason, headers = (
                HTTPStatus.SERVICE_UNAVAILABLE,
                "unavailable",
                {"Retry-After": "5"},
            )
            message = problem("check_unavailable", language)
        else:  # StorageUnavailable: nothing was stored; retrying is safe
            logger.warning("storage unavailable", error=str(exc))
            metrics.add_metric(name="StorageUnavailable", unit="Count", value=1)
            status, reason, headers = (
                HTTPStatus.SERVICE_UNAVAILABLE,
                "unavailable",
                {"Retry-After": "5"},
            )
            message = problem("storage_unavailable", language)
        body = body_error(reason, message)
        page = problem_page(message, settings.form_path, language)
    if status != HTTPStatus.SERVICE_UNAVAILABLE:
        _count_rejected(reason)
    if kind == "form":
        return Response(status_code=status, content_type=_HTML, body=page, headers=headers)
    return json_response(status, body, headers)


@app.route(
    "/appointments",
    method=["GET", "PUT", "PATCH", "DELETE", "HEAD"] + ([] if _cors else ["OPTIONS"]),
    include_in_schema=False,
)
def method_not_allowed() -> Response[str]:
    if app.current_event.http_method == "OPTIONS":
        return Response(status_code=HTTPStatus.NO_CONTENT, headers={"Allow": "POST, OPTIONS"})
    _count_rejected("method")
    return json_response(
        HTTPStatus.METHOD_NOT_ALLOWED,
        body_error(
            "method_not_allowed",
            problem("method_not_allowed", page_language(app.current_event)),
        ),
        {"Allow": "POST, OPTIONS"},
    )


def _validate(
    fields: dict[str, Any], kind: BodyKind, today: date, language: Language
) -> AppointmentRequest:
    if kind == "form" and fields.get("submission_id") == "":
        fields.pop("submission_id")
    try:
        request = AppointmentRequest.model_validate(fields, context={"today": today})
    except ValidationError as exc:
        raise InvalidFields(field_errors(exc.errors(include_input=False), language)) from None
    if kind == "json" and request.submission_id is None:
        # Only the no-JavaScript form may leave the key to the server.
        missing: Any = {"type": "missing", "loc": ("submission_id",), "msg": "missing"}
        raise InvalidFields(field_errors([missing], language))
    return request


def _count_rejected(reason: str) -> None:
    with single_metric(name="RequestRejected", unit=MetricUnit.Count, value=1) as metric:
        metric.add_dimension(name="reason", value=reason)


@app.not_found
def not_found(_: Exception) -> Response[str]:
    message = problem("not_found", page_language(app.current_event))
    return json_response(HTTPStatus.NOT_FOUND, body_error("not_found", message))


@app.exception_handler(Exception)  # type: ignore[untyped-decorator]
def unexpected(exc: Exception) -> Response[str]:
    # Never a stack trace or a value in the answer; the log has the type only.
    logger.error("unexpected error", error_type=type(exc).__name__)
    metrics.add_metric(name="UnexpectedError", unit="Count", value=1)
    message = problem("internal", page_language(app.current_event))
    return json_response(HTTPStatus.INTERNAL_SERVER_ERROR, body_error("internal", message))


@snapstart.before_snapshot
def prime() -> None:
    """Before a SnapStart snapshot: one sample request through the whole route (the router,
    the validators, whose rules are imported and compiled on first use, the models, the
    clients' first calls), answered locally, so that nothing is left for the first visitor.
    Nothing is stored, sent, logged or counted, and no human check is asked of Cloudflare."""
    real = globals()["dependencies"]
    deps = real()
    globals()["dependencies"] = lambda: dataclasses.replace(deps, human_check=None)
    try:
        with adapters.offline(deps), snapstart.rehearsed(origin) as secret:
            event = events.page_event(
                "POST",
                "/appointments",
                origin_secret=secret,
                body=snapstart.SAMPLE_FIELDS,
            )
            snapstart.rehearse(
                lambda: app.resolve(event, events.LambdaContext("priming")),  # type: ignore[arg-type]
                lambda answer: answer["statusCode"] == HTTPStatus.CREATED,
            )
    finally:
        globals()["dependencies"] = real


@snapstart.answers_keep_active
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return secured(app.resolve(event, context))
