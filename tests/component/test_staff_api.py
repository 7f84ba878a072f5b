"""staff_api's handler, called as API Gateway calls it after the Cognito authorizer, on moto
(queues) and dynalite (the tables). The authorizer itself is exercised over HTTP in
tests/integration/test_staff_api.py and in the browser in tests/e2e/test_staff_inbox.py."""

from __future__ import annotations

import csv
import io
from functools import partial
from typing import Any

import pytest

from intake_common.domain.audit import AuditEntry
from intake_common.domain.ports import StorageUnavailable
from intake_local.template import LocalStack
from staff_api import handler
from tests.support import swap
from tests.support.aws import all_items, header, json_body
from tests.support.data import valid_fields
from tests.support.handlers import Invoke, claims_for, staff
from tests.support.leaks import LeakGuard

NURSE = claims_for("staff", "nurse@clinic.example")
ADMIN = claims_for("admin", "lead@clinic.example")

Call = Any


@pytest.fixture
def call(aws: LocalStack, leak_guard: LeakGuard) -> Call:
    return partial(staff, leak_guard)


def _submit(invoke: Invoke, **overrides: Any) -> str:
    response = invoke(valid_fields(**overrides))
    assert response["statusCode"] == 201, response["body"]
    reference: str = json_body(response)["reference"]
    return reference


def _audit(stack: LocalStack) -> list[dict[str, Any]]:
    return sorted(all_items(stack, "AuditTable"), key=lambda entry: entry["entry"])


def test_the_inbox_opens_on_the_call_back_queue_longest_waiting_first(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    first = _submit(invoke, full_name="First Caller")
    second = _submit(invoke, full_name="Second Caller")

    response = call("GET", "/staff/requests", claims=NURSE)
    newest = json_body(call("GET", "/staff/requests", claims=NURSE, query="view=new&period=today"))

    assert response["statusCode"] == 200
    assert header(response, "Cache-Control") == "no-store"
    answer = json_body(response)
    rows = answer["requests"]
    assert [row["reference"] for row in rows] == [first, second]
    assert [row["reference"] for row in newest["requests"]] == [second, first]
    assert (answer["view"], answer["next"], answer["clinic_timezone"]) == (
        "callback",
        None,
        "America/New_York",
    )
    assert answer["promise"] == "within one working day"
    assert set(rows[0]) == {
        "reference",
        "created_at",
        "status",
        "full_name",
        "alert_state",
        "urgent",
        "waited",
        "due_at",
        "overdue",
        "attempts",
        "last_attempt",
        "offer_unreachable",
    }
    assert (rows[0]["waited"], rows[0]["overdue"]) == ("0 min", False)
    entries = _audit(aws)
    assert sorted((e["action"], e["status"]) for e in entries) == [
        ("list", "callback"),
        ("list", "new"),
    ]
    assert {e["by"] for e in entries} == {f"cognito:{NURSE['sub']}"}
    assert {e["by_name"] for e in entries} == {"nurse@clinic.example"}


def test_list_filters_by_status_and_finds_one_reference(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    wanted = _submit(invoke)
    other = _submit(invoke)
    call("POST", f"/staff/requests/{other}/status", claims=NURSE, body={"status": "contacted"})

    new = json_body(call("GET", "/staff/requests", claims=NURSE, query="status=new"))
    contacted = json_body(call("GET", "/staff/requests", claims=NURSE, query="status=contacted"))
    typed = wanted.lower().replace("-", " ")
    found = json_body(call("GET", "/staff/requests", claims=NURSE, query=f"q={typed}"))

    assert {row["reference"] for row in new["requests"]} == {wanted}
    assert {row["reference"] for row in contacted["requests"]} == {other}
    assert [row["reference"] for row in found["requests"]] == [wanted]


def test_opening_a_request_shows_the_call_back_details_and_is_audited(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    reference = _submit(invoke, reason="Panic at work since spring.")

    response = call("GET", f"/staff/requests/{reference}", claims=NURSE)

    assert response["statusCode"] == 200
    assert header(response, "Cache-Control") == "no-store"
    request = json_body(response)["request"]
    assert request["reference"] == reference
    assert request["phone"] == "+14155552671"
    assert request["reason"] == "Panic at work since spring."
    assert request["next_statuses"] == ["contacted", "scheduled", "closed"]
    assert "content_hash" not in request
    assert "alert_retry" not in request
    show = [entry for entry in _audit(aws) if entry["action"] == "show"]
    assert [(entry["reference"], entry["by_name"]) for entry in show] == [
        (reference, "nurse@clinic.example")
    ]


def test_mark_contacted_with_a_note_adds_to_the_history(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    reference = _submit(invoke)

    response = call(
        "POST",
        f"/staff/requests/{reference}/status",
        claims=NURSE,
        body={"status": "contacted", "note": "Left a voicemail"},
    )

    assert response["statusCode"] == 200
    request = json_body(response)["request"]
    assert request["status"] == "contacted"
    assert request["next_statuses"] == ["scheduled", "closed"]
    (change,) = request["history"]
    assert (change["from"], change["to"], change["by"], change["by_name"], change["note"]) == (
        "new",
        "contacted",
        f"cognito:{NURSE['sub']}",  # who, as the verified token says: not a name to choose
        "nurse@clinic.example",
        "Left a voicemail",
    )
    marks = [entry for entry in _audit(aws) if entry["action"] == "mark"]
    assert [(entry["status"], entry["by"]) for entry in marks] == [
        ("contacted", f"cognito:{NURSE['sub']}")
    ]
    # The note is the request's own history, not the audit trail's
    assert all("Left a voicemail" not in str(entry) for entry in _audit(aws))


def test_a_change_the_request_may_not_make_is_refused_with_what_it_may(
    call: Call, invoke: Invoke
) -> None:
    reference = _submit(invoke)
    path = f"/staff/requests/{reference}/status"
    call("POST", path, claims=NURSE, body={"status": "closed", "outcome": "scheduled"})

    response = call("POST", path, claims=NURSE, body={"status": "contacted"})

    assert response["statusCode"] == 409
    assert "closed" in json_body(response)["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "new"}, "status"),
        ({"status": "contacted", "note": "x" * 501}, "note"),
        ({"status": "contacted", "extra": "Private words"}, "extra"),
        ({}, "status"),
    ],
)
def test_a_body_the_inbox_would_not_send_is_a_400_that_echoes_nothing(
    call: Call, invoke: Invoke, body: dict[str, Any], field: str
) -> None:
    reference = _submit(invoke)

    response = call("POST", f"/staff/requests/{reference}/status", claims=NURSE, body=body)

    assert response["statusCode"] == 400
    (error,) = json_body(response)["errors"]
    assert (error["code"], error["field"]) == ("bad_request", field)
    assert "xxxx" not in response["body"]
    assert "Private words" not in response["body"]


@pytest.mark.parametrize(
    ("method", "path", "query", "body"),
    [
        ("POST", "/staff/requests/{ref}/erase", "", {"confirm": "{ref}"}),
        ("GET", "/staff/export", "acknowledge=health-data", None),
    ],
)
def test_a_staff_user_is_refused_the_admin_actions(
    call: Call,
    invoke: Invoke,
    aws: LocalStack,
    logs: io.StringIO,
    capsys: pytest.CaptureFixture[str],
    leak_guard: LeakGuard,
    method: str,
    path: str,
    query: str,
    body: dict[str, str] | None,
) -> None:
    reference = _submit(invoke)
    filled = {k: v.replace("{ref}", reference) for k, v in (body or {}).items()}

    response = call(
        method, path.replace("{ref}", reference), claims=NURSE, query=query, body=filled or None
    )

    assert response["statusCode"] == 403
    assert json_body(response)["errors"][0]["code"] == "forbidden"
    assert len(all_items(aws)) == 1
    assert _audit(aws) == []  # refused before anything was read
    # The alarm's lead: who asked (the StaffAccessRefused alarm counts the metric)
    refused = [line for line in logs.getvalue().splitlines() if "staff action refused" in line]
    assert len(refused) == 1
    assert f"cognito:{NURSE['sub']}" in refused[0]
    metrics = capsys.readouterr().out
    leak_guard.check("metrics", metrics)  # read here, so the guard's own check would miss it
    assert '"StaffForbidden"' in metrics


def test_the_admin_erases_only_with_the_reference_typed_again(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    reference = _submit(invoke)
    other = _submit(invoke)
    path = f"/staff/requests/{reference}/erase"

    wrong = call("POST", path, claims=ADMIN, body={"confirm": other})
    assert wrong["statusCode"] == 400
    assert len(all_items(aws)) == 2

    response = call("POST", path, claims=ADMIN, body={"confirm": reference.lower()})

    assert response["statusCode"] == 200
    assert json_body(response)["erased"] == reference
    assert [item["reference"] for item in all_items(aws)] == [other]
    erased = [entry for entry in _audit(aws) if entry["action"] == "erase"]
    assert [(entry["reference"], entry["by"]) for entry in erased] == [
        (reference, f"cognito:{ADMIN['sub']}")
    ]
    assert call("GET", f"/staff/requests/{reference}", claims=ADMIN)["statusCode"] == 404


def test_the_admin_export_needs_the_acknowledgement_and_is_a_safe_csv(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    reference = _submit(invoke, reason="=HYPERLINK(1)")

    refused = call("GET", "/staff/export", claims=ADMIN)
    response = call("GET", "/staff/export", claims=ADMIN, query="acknowledge=health-data")

    assert refused["statusCode"] == 400
    assert response["statusCode"] == 200
    assert header(response, "Content-Type") == "text/csv; charset=utf-8"
    assert header(response, "Cache-Control") == "no-store"
    assert "attachment" in (header(response, "Content-Disposition") or "")
    (row,) = list(csv.DictReader(io.StringIO(response["body"])))
    assert row["reference"] == reference
    assert row["reason"] == "'=HYPERLINK(1)"
    assert [entry["action"] for entry in _audit(aws)] == ["export"]


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        (None, 401),
        ({**NURSE, "token_use": "access"}, 401),
        # A token that does not say it is an ID token is not taken for one
        ({k: v for k, v in NURSE.items() if k != "token_use"}, 401),
        ({k: v for k, v in NURSE.items() if k != "sub"}, 401),
        (claims_for(None), 403),
        (claims_for("patients"), 403),
    ],
)
def test_without_a_staff_identity_nothing_is_shown(
    call: Call, invoke: Invoke, aws: LocalStack, claims: dict[str, str] | None, status: int
) -> None:
    reference = _submit(invoke)

    response = call("GET", f"/staff/requests/{reference}", claims=claims)

    assert response["statusCode"] == status
    assert _audit(aws) == []


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        ("admin", {"admin"}),
        ("staff,admin", {"staff", "admin"}),
        ("[staff admin]", {"staff", "admin"}),
        (["staff"], {"staff"}),
        ("", set()),
    ],
)
def test_groups_are_read_in_every_shape_the_authorizer_passes(value: Any, groups: set[str]) -> None:
    assert handler.parse_groups(value) == groups


def test_a_call_that_skipped_cloudfront_is_refused(call: Call, invoke: Invoke) -> None:
    reference = _submit(invoke)

    response = call("GET", f"/staff/requests/{reference}", claims=NURSE, through_cloudfront=False)

    assert response["statusCode"] == 403


def test_unknown_reference_and_unknown_route_are_404(call: Call, aws: LocalStack) -> None:
    missing = call("GET", "/staff/requests/ZZZZ-ZZZZ", claims=NURSE)
    nowhere = call("GET", "/staff/nothing", claims=NURSE)

    assert missing["statusCode"] == 404
    assert "ZZZZ-ZZZZ" in json_body(missing)["errors"][0]["message"]
    assert nowhere["statusCode"] == 404


class _BrokenAudit:
    def record(self, entry: AuditEntry) -> None:
        raise StorageUnavailable("ProvisionedThroughputExceededException")


def test_when_the_audit_trail_cannot_be_written_nothing_is_revealed(
    call: Call, invoke: Invoke
) -> None:
    reference = _submit(invoke, full_name="Hidden Person")

    with swap.dependencies(handler, audit=_BrokenAudit()):
        shown = call("GET", f"/staff/requests/{reference}", claims=NURSE)
        listed = call("GET", "/staff/requests", claims=NURSE)

    for response in (shown, listed):
        assert response["statusCode"] == 503
        assert "Hidden Person" not in response["body"]
        assert header(response, "Cache-Control") == "no-store"


def _word(n: int) -> str:
    """A different name for each scripted request (names are letters: ``bcd`` for 123)."""
    return "".join("abcdefghij"[int(digit)] for digit in str(n))


def _follow(call: Call, query: str) -> list[list[dict[str, Any]]]:
    """Every page of a view, following ``next`` as the inbox's "Show more" does."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    for _ in range(50):
        more = f"&cursor={cursor}" if cursor else ""
        answer = json_body(call("GET", "/staff/requests", claims=NURSE, query=query + more))
        pages.append(answer["requests"])
        cursor = answer["next"]
        if cursor is None:
            return pages
    raise AssertionError("the pages never ended")


def test_a_scripted_flood_never_buries_a_real_urgent_request(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    # Issue 20: one real urgent request, then 230 urgent-looking ones from one script, then
    # ordinary ones; each paging of the inbox's API still reaches every one of them.
    real = _submit(invoke, full_name="Real Person", reason="I want to die, please call me")
    flood = [
        _submit(invoke, full_name=f"Script {_word(n)}", reason=f"I want to die {n}")
        for n in range(230)
    ]
    ordinary = [_submit(invoke, full_name=f"Ordinary {_word(n)}") for n in range(30)]
    stored = {real, *flood, *ordinary}

    queue = _follow(call, "limit=20")
    newest = _follow(call, "view=new&period=today&limit=20")

    first = [row["reference"] for row in queue[0]]
    assert first[0] == real  # urgent and waiting longest: the top of the queue
    assert set(first[:231]) == {real, *flood}  # every open urgent one on the first page
    assert [row["urgent"] for row in queue[0]] == [True] * 231 + [False] * 20
    assert len(queue) == 2
    assert len(queue[1]) == 10
    for pages in (queue, newest):
        shown = [row["reference"] for page in pages for row in page]
        assert sorted(shown) == sorted(stored)  # each once: none lost, none twice
    assert real in [row["reference"] for row in newest[0]]


def test_a_cursor_the_api_did_not_give_out_is_a_400_that_echoes_nothing(
    call: Call, invoke: Invoke
) -> None:
    for n in range(3):
        _submit(invoke, full_name=f"Caller {_word(n)}")
    cursor = json_body(call("GET", "/staff/requests", claims=NURSE, query="limit=1"))["next"]
    assert cursor

    for query in (f"view=new&cursor={cursor}", "cursor=eyJ2IjoiY2FsbGJhY2siLCJwIjo5fQ", "limit=x"):
        response = call("GET", "/staff/requests", claims=NURSE, query=query)
        assert response["statusCode"] == 400
        (error,) = json_body(response)["errors"]
        assert error["field"] in {"cursor", "limit"}
        assert cursor not in response["body"]
    assert call("GET", "/staff/requests", claims=NURSE, query="view=all")["statusCode"] == 400


def test_a_call_attempt_is_one_click_shown_in_the_queue_and_closing_asks_why(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    reference = _submit(invoke)
    path = f"/staff/requests/{reference}"

    tried = call("POST", f"{path}/attempts", claims=NURSE, body={"result": "no_answer"})
    again = call("POST", f"{path}/attempts", claims=NURSE, body={"result": "voicemail"})
    queue = json_body(call("GET", "/staff/requests", claims=NURSE))["requests"]
    unclosed = call("POST", f"{path}/status", claims=NURSE, body={"status": "closed"})
    bad = call("POST", f"{path}/attempts", claims=NURSE, body={"result": "hung_up"})
    closed = call(
        "POST", f"{path}/status", claims=NURSE, body={"status": "closed", "outcome": "unreachable"}
    )

    assert tried["statusCode"] == again["statusCode"] == 200
    shown = json_body(again)["request"]
    assert [a["result"] for a in shown["attempts"]] == ["no_answer", "voicemail"]
    assert shown["attempts"][0]["by_name"] == "nurse@clinic.example"
    assert shown["status"] == "new"
    assert shown["offer_unreachable"] is False
    (row,) = [r for r in queue if r["reference"] == reference]
    assert (row["attempts"], row["last_attempt"], row["offer_unreachable"]) == (
        2,
        "voicemail",
        False,
    )
    assert unclosed["statusCode"] == 409
    assert "needs an outcome" in json_body(unclosed)["errors"][0]["message"]
    assert bad["statusCode"] == 400
    assert json_body(bad)["errors"][0]["field"] == "result"
    assert closed["statusCode"] == 200
    assert json_body(closed)["request"]["outcome"] == "unreachable"
    assert json_body(closed)["request"]["first_contact_at"] is not None
    actions = sorted(entry["action"] for entry in _audit(aws))
    assert actions.count("attempt") == 2


def test_the_figures_count_first_contacts_by_week_and_name_nobody(
    call: Call, invoke: Invoke, aws: LocalStack
) -> None:
    first, second = _submit(invoke), _submit(invoke, full_name="Bo Lee")
    call("POST", f"/staff/requests/{first}/status", claims=NURSE, body={"status": "contacted"})
    call("POST", f"/staff/requests/{first}/status", claims=NURSE, body={"status": "scheduled"})

    response = call("GET", "/staff/figures", claims=NURSE)

    assert response["statusCode"] == 200
    answer = json_body(response)
    assert len(answer["weeks"]) == 8
    this_week = answer["weeks"][-1]
    assert this_week["contacts"] == 1  # the first contact only, not the second move
    assert this_week["median_minutes"] == this_week["p90_minutes"] == 0
    assert (answer["past_target"], answer["urgent_past_target"]) == (0, 0)
    assert first not in response["body"]
    assert second not in response["body"]
    assert "figures" in {entry["action"] for entry in _audit(aws)}
    stored = [i for i in all_items(aws, "AlertLimitsTable") if i["limit_key"].startswith("figure#")]
    assert [len(i["minutes"]) for i in stored] == [1]


def test_the_export_comes_in_pages_the_page_joins_into_one_csv(
    call: Call, invoke: Invoke, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake_common.services import staff as operations

    monkeypatch.setattr(operations, "EXPORT_PAGE", 2)
    references = {_submit(invoke, full_name=f"Caller {_word(n)}") for n in range(5)}
    chunks, cursor, answers = [], None, 0
    while True:
        query = "acknowledge=health-data" + (f"&cursor={cursor}" if cursor else "")
        response = call("GET", "/staff/export", claims=ADMIN, query=query)
        assert response["statusCode"] == 200
        chunks.append(response["body"])
        answers += 1
        cursor = header(response, "X-Next-Page")
        if not cursor:
            break
    tampered = call(
        "GET", "/staff/export", claims=ADMIN, query="acknowledge=health-data&cursor=e30"
    )

    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert answers == 3
    assert {row["reference"] for row in rows} == references  # each once, one header row
    assert [row["attempts"] for row in rows] == ["0"] * 5
    assert tampered["statusCode"] == 400
    assert [entry["action"] for entry in _audit(aws)].count("export") == 3
