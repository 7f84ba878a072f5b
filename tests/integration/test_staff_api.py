"""The staff API over HTTP on the local stack: signed in through the local login, checked by the
stand-in for API Gateway's Cognito authorizer against the pool's keys."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.support.data import valid_fields
from tests.support.local_stack import Local
from tests.support.staff import claims_of, forged, sign_in, signed_by_the_pool


@pytest.fixture(scope="module")
def client_id(local: Local) -> str:
    config: dict[str, Any] = requests.get(f"{local.base_url}/staff/config.json", timeout=5).json()
    assert config["login_url"] == f"{local.base_url}/_local/cognito"
    return str(config["client_id"])


@pytest.fixture(scope="module")
def tokens(local: Local, client_id: str) -> dict[str, dict[str, Any]]:
    return {group: sign_in(local.base_url, client_id, group) for group in ("staff", "admin")}


def _submit(local: Local) -> str:
    response = requests.post(
        f"{local.base_url}/api/appointments",
        json=valid_fields(),
        headers={"Origin": local.base_url},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def _get(local: Local, path: str, token: str | None) -> requests.Response:
    headers = {"Authorization": token} if token else {}
    return requests.get(f"{local.base_url}/api/staff{path}", headers=headers, timeout=10)


def test_signed_in_staff_read_a_request_with_no_store(
    local: Local, tokens: dict[str, dict[str, Any]]
) -> None:
    reference = _submit(local)

    response = _get(local, f"/requests/{reference}", tokens["staff"]["id_token"])

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json()["request"]["reference"] == reference
    me = _get(local, "/me", tokens["staff"]["id_token"]).json()
    assert me == {
        "name": "staff@clinic.example",
        "groups": ["staff"],
        "admin": False,
        "clinic_timezone": "America/New_York",  # the inbox shows every time in it
    }


def test_the_id_token_is_short_lived_and_the_pool_issued_it(
    local: Local, tokens: dict[str, dict[str, Any]], client_id: str
) -> None:
    claims = claims_of(tokens["staff"]["id_token"])

    assert claims["aud"] == client_id
    assert claims["token_use"] == "id"
    assert claims["cognito:groups"] == ["staff"]
    assert "refresh_token" in tokens["staff"]


def _claims(tokens: dict[str, dict[str, Any]], **changed: Any) -> dict[str, Any]:
    return {**claims_of(tokens["admin"]["id_token"]), **changed}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda t: None, id="no token"),
        pytest.param(lambda t: "not-a-token", id="garbage"),
        pytest.param(lambda t: forged(_claims(t)), id="forged signature"),
        pytest.param(
            lambda t: signed_by_the_pool(_claims(t, exp=int(time.time()) - 60)), id="expired"
        ),
        pytest.param(
            lambda t: signed_by_the_pool(_claims(t, aud="another-client")), id="another client"
        ),
        pytest.param(
            lambda t: signed_by_the_pool(_claims(t, iss="https://cognito-idp.x/other")),
            id="another pool",
        ),
        pytest.param(lambda t: t["admin"]["access_token"], id="access token"),
        pytest.param(lambda t: t["admin"]["id_token"][:-4] + "AAAA", id="tampered"),
    ],
)
def test_a_missing_forged_or_expired_token_is_refused_with_401(
    local: Local, tokens: dict[str, dict[str, Any]], make: Any
) -> None:
    reference = _submit(local)

    response = _get(local, f"/requests/{reference}", make(tokens))

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}  # API Gateway's, nothing of ours


def test_the_pools_own_signature_with_fresh_claims_is_accepted(
    local: Local, tokens: dict[str, dict[str, Any]]
) -> None:
    # The control for the test above: only the changed claim made those tokens fail.
    token = signed_by_the_pool(_claims(tokens, exp=int(time.time()) + 300))

    assert _get(local, "/me", token).status_code == 200


def test_a_staff_user_is_refused_the_admin_actions_and_an_admin_is_not(
    local: Local, tokens: dict[str, dict[str, Any]]
) -> None:
    reference = _submit(local)
    erase = f"{local.base_url}/api/staff/requests/{reference}/erase"

    for group, expected in (("staff", 403), ("admin", 200)):
        token = tokens[group]["id_token"]
        exported = _get(local, "/export?acknowledge=health-data&period=today", token)
        erased = requests.post(
            erase, json={"confirm": reference}, headers={"Authorization": token}, timeout=10
        )
        assert (exported.status_code, erased.status_code) == (expected, expected), group

    assert _get(local, f"/requests/{reference}", tokens["admin"]["id_token"]).status_code == 404


def test_a_refreshed_token_works_and_a_revoked_session_cannot_refresh(
    local: Local, client_id: str
) -> None:
    signed_in = sign_in(local.base_url, client_id, "staff")
    token_url = f"{local.base_url}/_local/cognito/oauth2/token"
    refresh = {
        "grant_type": "refresh_token",
        "client_id": client_id,
        "refresh_token": signed_in["refresh_token"],
    }

    refreshed = requests.post(token_url, data=refresh, timeout=10)

    assert refreshed.status_code == 200
    assert _get(local, "/me", refreshed.json()["id_token"]).status_code == 200
    revoked = requests.post(
        f"{local.base_url}/_local/cognito/oauth2/revoke",
        data={"token": signed_in["refresh_token"], "client_id": client_id},
        timeout=10,
    )
    assert revoked.status_code == 200
    assert requests.post(token_url, data=refresh, timeout=10).status_code == 400


def test_the_login_refuses_a_wrong_code_without_saying_which_part_was_wrong(
    local: Local, client_id: str
) -> None:
    form = {
        "client_id": client_id,
        "redirect_uri": f"{local.base_url}/staff/",
        "response_type": "code",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
        "username": "staff@clinic.example",
        "password": "Local-Inbox-Pa55word!",
        "code": "000000",
    }
    login = f"{local.base_url}/_local/cognito/oauth2/authorize"

    wrong_code = requests.post(login, data=form, allow_redirects=False, timeout=10)
    no_user = requests.post(
        login, data={**form, "username": "nobody@clinic.example"}, allow_redirects=False, timeout=10
    )
    elsewhere = requests.post(
        login,
        data={**form, "redirect_uri": "https://attacker.example/staff/"},
        allow_redirects=False,
        timeout=10,
    )

    assert wrong_code.status_code == no_user.status_code == 200  # the form again, no code
    assert "Location" not in wrong_code.headers
    assert "not right" in wrong_code.text
    assert "not right" in no_user.text
    assert elsewhere.status_code == 400
