"""staff_api: the staff inbox's API, ``/staff/...`` behind the REST API's Cognito authorizer.

Thin: who is signed in (the authorizer's claims), which group they are in, one call into the
shared staff operations (``intake_common.services.staff``, which the ``intake requests``
commands call too: audit first, the real identity, expired means gone), and every error mapped
to its status in one place. Answers are never
cached (``no-store``), and carry what the inbox needs for a call back, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intake_common.aws.table import to_attributes
from intake_common.domain import paging
from intake_common.domain.audit import Actor
from intake_common.domain.clinic_hours import waited
from intake_common.domain.errors import body_error
from intake_common.domain.item import (
    ESCALATION_PREFIX,
    STAFF_CHANNELS,
    STATUS_TRANSITIONS,
    AttemptResult,
    CallAttempt,
    Outcome,
    RequestItem,
    RequestSummary,
    alert_channel,
    alert_recipient,
)
from intake_common.domain.paging import VIEWS, Page
from intake_common.domain.ports import StorageUnavailable
from intake_common.runtime import events, snapstart
from intake_common.runtime.gateway import cloudfront_only, json_response, secured
from intake_common.runtime.observability import logger, metrics
from intake_common.runtime.settings import StaffSettings
from intake_common.services import callbacks
from intake_common.services import staff as operations
from intake_common.services.staff import Dependencies

from . import adapters

# Every AWS call says which function made it (CloudTrail; the IAM check in the tests).
AGENT = f"clinic-intake/{__name__}"
settings = StaffSettings.from_env()
# The values of X-Origin-Verify CloudFront may send, read from Secrets Manager (they rotate).
origin = settings.origin_secret(AGENT)
TARGETS = settings.targets
GROUPS = frozenset({"staff", "admin"})


@cache
def dependencies() -> Dependencies:
    """The adapters, built once per execution environment, on first use."""
    return adapters.build_for(settings, AGENT)


app = APIGatewayRestResolver()
app.use(middlewares=[cloudfront_only(origin, required=settings.origin_check == "on")])


class Unauthorized(Exception):
    """No signed-in user (API Gateway's authorizer refuses this first; this is a backstop)."""


class Forbidden(Exception):
    """Signed in, but not in a group that may do this."""


class BadInput(Exception):
    """A query or body the inbox would never send."""


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    groups: frozenset[str]

    @property
    def admin(self) -> bool:
        return "admin" in self.groups


def parse_groups(value: object) -> frozenset[str]:
    """``cognito:groups`` as the REST authorizer passes it (a string: "admin,staff" or
    "[admin staff]"), or as a list."""
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    text = str(value or "").strip("[]")
    return frozenset(part for part in text.replace(",", " ").split() if part)


def signed_in() -> SignedIn:
    """The user the authorizer verified; ``staff`` or ``admin``, or nothing is shown."""
    claims: dict[str, Any] = app.current_event.request_context.authorizer.claims or {}
    if not claims.get("sub") or claims.get("token_use") != "id":
        raise Unauthorized
    groups = parse_groups(claims.get("cognito:groups")) & GROUPS
    if not groups:
        raise Forbidden(f"cognito:{claims['sub']}")
    name = claims.get("email") or claims.get("cognito:username")
    return SignedIn(Actor(f"cognito:{claims['sub']}", str(name) if name else None), groups)


def admin() -> SignedIn:
    user = signed_in()
    if not user.admin:
        raise Forbidden(user.actor.identity)
    return user


def _since(period: str, now: datetime) -> datetime:
    local = now.astimezone(settings.zone)
    if period == "today":
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return now - timedelta(days=7)
    if period == "month":
        return now - timedelta(days=30)
    if period == "all":
        return datetime.fromisoformat(paging.EVERYTHING)
    raise BadInput("period")


def _now() -> datetime:
    return datetime.now(settings.zone)


def summary(
    row: RequestSummary, now: datetime, attempts: tuple[CallAttempt, ...] = ()
) -> dict[str, Any]:
    """A list's row; one nobody has reached yet says how long it has waited, whether it is
    past its call-back target (``domain/clinic_hours.py``) and its call attempts so far."""
    data = row.model_dump(
        include={"reference", "created_at", "status", "full_name", "alert_state", "urgent"}
    )
    if row.status == "new":
        received = datetime.fromisoformat(row.created_at)
        due = TARGETS.due(received, urgent=row.urgent)
        data.update(
            waited=waited(received, now),
            due_at=due.isoformat(),
            overdue=now > due,
            attempts=len(attempts),
            last_attempt=attempts[-1].result if attempts else None,
            offer_unreachable=operations.offers_unreachable(
                attempts, row.status, settings.unreachable_after, settings.zone
            ),
        )
    return data


def detail(item: RequestItem) -> dict[str, Any]:
    """Everything a call back needs; not the content hash, nor the raw alert leases."""
    data = item.model_dump(
        mode="json",
        by_alias=True,
        exclude={"content_hash", "alerts", "alert_retry", "alert_budget"},
    )
    # What the page may offer next (the same rule the mark endpoint enforces).
    data["next_statuses"] = list(STATUS_TRANSITIONS[item.status])
    data["offer_unreachable"] = operations.offers_unreachable(
        item.attempts, item.status, settings.unreachable_after, settings.zone
    )
    data["confirmation"] = item.confirmation_state
    # Which staff address or phone each alert went to (staff's own; never the visitor's).
    data["alerts"] = [
        {
            "channel": alert_channel(key),
            "to": alert_recipient(key) if alert_channel(key) in STAFF_CHANNELS else None,
            "state": record.state,
            "error": record.error,
        }
        for key, record in sorted(item.alerts.items())
        if not key.startswith(ESCALATION_PREFIX)
    ]
    # The history shows when the escalation contacts were told (by channel, not who).
    data["escalations"] = [
        {
            "at": record.at,
            "channel": alert_channel(key).removeprefix(ESCALATION_PREFIX),
            "state": record.state,
        }
        for key, record in sorted(item.alerts.items(), key=lambda pair: pair[1].at)
        if key.startswith(ESCALATION_PREFIX)
    ]
    return data


@app.get("/staff/me")
def me() -> Response[str]:
    user = signed_in()
    return json_response(
        HTTPStatus.OK,
        {
            "name": user.actor.name,
            "groups": sorted(user.groups),
            "admin": user.admin,
            "clinic_timezone": settings.clinic_timezone,
        },
    )


@app.get("/staff/requests")
def list_requests() -> Response[str]:
    user, deps = signed_in(), dependencies()
    """One page of a view (``domain/paging.py``; ``callback`` by default), with the cursor of
    the next; ``q`` finds one reference (or id). Times are the clinic's, and the answer says
    which zone that is."""
    query = app.current_event.query_string_parameters or {}
    now = _now()
    view = query.get("view") or query.get("status") or "callback"
    if view not in VIEWS:
        raise BadInput("view")
    page: Page
    if query.get("q"):
        item = operations.show(deps, user.actor, now, query["q"])
        page = Page([RequestSummary.model_validate(item.model_dump())], None)
    else:
        try:
            cursor = paging.decode(query["cursor"], view) if query.get("cursor") else None
            limit = int(query.get("limit") or paging.PAGE_SIZE)
        except (paging.BadCursor, ValueError) as exc:
            raise BadInput("cursor" if isinstance(exc, paging.BadCursor) else "limit") from exc
        page = operations.list_page(
            deps,
            user.actor,
            now,
            view=view,
            since=_since(query.get("period", "week"), now),
            cursor=cursor,
            limit=limit,
        )
    attempts = operations.attempts_of(deps, page.rows)
    return json_response(
        HTTPStatus.OK,
        {
            "requests": [
                summary(row, now, attempts.get(row.submission_id, ())) for row in page.rows
            ],
            "next": page.cursor.encode() if page.cursor else None,
            "view": view,
            "clinic_timezone": settings.clinic_timezone,
            "promise": TARGETS.promise(),
        },
    )


@app.get("/staff/figures")
def figures() -> Response[str]:
    """The call-back figures: time to first contact for the last eight weeks (median, 90th
    percentile), and the requests past their target now (counts only, no names)."""
    user, deps = signed_in(), dependencies()
    now = _now()
    weeks = operations.figures(deps, user.actor, now)
    late = callbacks.overdue(deps.store, TARGETS, now)
    return json_response(
        HTTPStatus.OK,
        {
            "weeks": [week.as_dict() for week in weeks],
            "past_target": len(late),
            "urgent_past_target": sum(row.urgent for row in late),
            "clinic_timezone": settings.clinic_timezone,
        },
    )


@app.get("/staff/requests/<reference>")
def show(reference: str) -> Response[str]:
    user, deps = signed_in(), dependencies()
    item = operations.show(deps, user.actor, _now(), reference)
    return json_response(HTTPStatus.OK, {"request": detail(item)})


class MarkBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, defer_build=True)

    status: Literal["contacted", "scheduled", "closed"]
    note: Annotated[str, Field(max_length=500)] = ""
    # Closing asks how it ended (and only closing takes one).
    outcome: Outcome | None = None


@app.post("/staff/requests/<reference>/status")
def mark(reference: str) -> Response[str]:
    user, deps = signed_in(), dependencies()
    body = _body(MarkBody)
    marked = operations.mark(
        deps, user.actor, _now(), reference, body.status, body.note or None, body.outcome
    )
    item = operations.find(deps, marked.reference, _now())
    return json_response(HTTPStatus.OK, {"request": detail(item)})


class AttemptBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, defer_build=True)

    result: AttemptResult
    note: Annotated[str, Field(max_length=200)] = ""


@app.post("/staff/requests/<reference>/attempts")
def attempt(reference: str) -> Response[str]:
    """A call that did not reach the person, in a click (no answer, voicemail, wrong number)."""
    user, deps = signed_in(), dependencies()
    body = _body(AttemptBody)
    item = operations.log_attempt(deps, user.actor, _now(), reference, body.result, body.note)
    return json_response(HTTPStatus.OK, {"request": detail(item)})


class EraseBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, defer_build=True)

    # The reference, typed again by the admin on the request's page: erasing takes two acts.
    confirm: Annotated[str, Field(max_length=40)]


@app.post("/staff/requests/<reference>/erase")
def erase(reference: str) -> Response[str]:
    user, deps = admin(), dependencies()
    body = _body(EraseBody)
    now = _now()
    item = operations.find(deps, reference, now)
    if operations.find(deps, body.confirm, now).submission_id != item.submission_id:
        raise BadInput("confirm")
    erased = operations.erase(deps, user.actor, now, item.submission_id)
    return json_response(HTTPStatus.OK, {"erased": erased.reference})


@app.get("/staff/export")
def export() -> Response[str]:
    user, deps = admin(), dependencies()
    """One page of the CSV of the period's requests (health data: the admin acknowledged it on
    the page). The first page has the header row; ``X-Next-Page`` is the cursor of the next
    (absent on the last): the page asks for each in turn and joins them in the browser."""
    query = app.current_event.query_string_parameters or {}
    if query.get("acknowledge") != "health-data":
        raise BadInput("acknowledge")
    now = _now()
    try:
        cursor = paging.decode(query["cursor"], "export") if query.get("cursor") else None
    except paging.BadCursor as exc:
        raise BadInput("cursor") from exc
    since = _since(query.get("period", "month"), now)
    page = operations.export_page(deps, user.actor, now, since, cursor)
    headers = {"Content-Disposition": f'attachment; filename="requests-{now:%Y-%m-%d}.csv"'}
    if page.cursor is not None:
        headers["X-Next-Page"] = page.cursor.encode()
    return Response(
        status_code=HTTPStatus.OK,
        content_type="text/csv; charset=utf-8",
        body=operations.csv_text(page.items, header=cursor is None, zone=settings.zone),
        headers=headers,
    )


def _body(model: type[MarkBody] | type[EraseBody] | type[AttemptBody]) -> Any:
    try:
        return model.model_validate_json(app.current_event.body or "{}")
    except ValidationError as exc:
        # Which field, never its value (hide_input_in_errors keeps it out of the exception).
        location = exc.errors()[0].get("loc") or ("body",)
        raise BadInput(str(location[0])) from exc


# --- Every error, once -----------------------------------------------------------------
def _problem(
    status: int, code: str, message: str, field: str = "body", **extra: Any
) -> Response[str]:
    """The same error shape as the public API's: ``{"errors": [{field, code, message}]}``."""
    body = body_error(code, message)
    body["errors"][0]["field"] = field
    body.update(extra)
    return json_response(status, body)


@app.exception_handler(Unauthorized)  # type: ignore[untyped-decorator]
def _unauthorized(_: Unauthorized) -> Response[str]:
    return _problem(HTTPStatus.UNAUTHORIZED, "unauthorized", "Please sign in again.")


@app.exception_handler(Forbidden)  # type: ignore[untyped-decorator]
def _forbidden(exc: Forbidden) -> Response[str]:
    # Who asked for what (an identity and a route, never a request's data): the alarm's lead.
    logger.warning("staff action refused", by=str(exc), route=app.current_event.resource)
    metrics.add_metric(name="StaffForbidden", unit="Count", value=1)
    return _problem(HTTPStatus.FORBIDDEN, "forbidden", "Your account may not do this.")


@app.exception_handler(BadInput)  # type: ignore[untyped-decorator]
def _bad_input(exc: BadInput) -> Response[str]:
    return _problem(
        HTTPStatus.BAD_REQUEST, "bad_request", f"Please check the {exc} and retry.", field=str(exc)
    )


@app.exception_handler(operations.NotFound)  # type: ignore[untyped-decorator]
def _not_found(exc: operations.NotFound) -> Response[str]:
    return _problem(HTTPStatus.NOT_FOUND, "not_found", str(exc))


@app.exception_handler(operations.AmbiguousReference)  # type: ignore[untyped-decorator]
def _ambiguous(exc: operations.AmbiguousReference) -> Response[str]:
    return _problem(HTTPStatus.CONFLICT, "ambiguous_reference", str(exc), ids=exc.ids)


@app.exception_handler(operations.StaffError)  # type: ignore[untyped-decorator]
def _refused(exc: operations.StaffError) -> Response[str]:
    # NotAllowed (a closed request) and ChangedMeanwhile (someone else just changed it)
    return _problem(HTTPStatus.CONFLICT, "refused", str(exc))


@app.exception_handler(StorageUnavailable)  # type: ignore[untyped-decorator]
def _unavailable(exc: StorageUnavailable) -> Response[str]:
    logger.warning("storage unavailable", error=str(exc))
    return _problem(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "unavailable",
        "The requests could not be reached. Try again.",
    )


@app.exception_handler(Exception)  # type: ignore[untyped-decorator]
def _unexpected(exc: Exception) -> Response[str]:
    logger.error("unexpected error", error_type=type(exc).__name__)
    metrics.add_metric(name="UnexpectedError", unit="Count", value=1)
    return _problem(HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "Something went wrong.")


@app.not_found
def _no_route(_: Exception) -> Response[str]:
    return _problem(HTTPStatus.NOT_FOUND, "not_found", "There is nothing here.")


@snapstart.before_snapshot
def prime() -> None:
    """Before a SnapStart snapshot: a signed-in user's list and one request's page through
    the whole route (the authorizer's claims, the audit entry, the table's reads), answered
    locally. Nothing is read, written, logged or counted."""
    deps = dependencies()
    item = snapstart.sample_item()
    claims = {
        "sub": "priming",
        "email": "priming@example.org",
        "cognito:groups": "staff",
        "token_use": "id",
    }
    with (
        adapters.offline(deps, to_attributes(item.attributes())),
        snapstart.rehearsed(origin) as secret,
    ):
        for path, parameters in (
            ("/staff/requests", None),
            (f"/staff/requests/{item.reference}", {"reference": item.reference}),
        ):
            event = events.page_event(
                "GET",
                path,
                origin_secret=secret,
                claims=claims,
                resource="/staff/requests/{reference}" if parameters else None,
                path_parameters=parameters,
            )
            snapstart.rehearse(
                partial(app.resolve, event, events.LambdaContext("priming")),  # type: ignore[arg-type]
                lambda answer: answer["statusCode"] == HTTPStatus.OK,
            )


@snapstart.answers_keep_active
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return secured(app.resolve(event, context))
