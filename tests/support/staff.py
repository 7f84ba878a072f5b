"""Signing in to the local stack's staff inbox as the page does, and tokens it must refuse."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import secrets
import time
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from intake_local.cognito import PASSWORD, USERS, totp


def fresh_totp() -> str:
    """The authenticator's code, with time left to use it (never the last 3 s of its 30)."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return totp()


def sign_in(base_url: str, client_id: str, group: str = "staff") -> dict[str, Any]:
    """The authorization-code flow with PKCE against the local login, as staff.js runs it."""
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    redirect = f"{base_url}/staff/"
    answer = requests.post(
        f"{base_url}/_local/cognito/oauth2/authorize",
        data={
            "client_id": client_id,
            "redirect_uri": redirect,
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "s1",
            "username": USERS[group],
            "password": PASSWORD,
            "code": fresh_totp(),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    tokens = requests.post(
        f"{base_url}/_local/cognito/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    result: dict[str, Any] = tokens.json()
    return result


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    loaded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return loaded


def signed_by_the_pool(claims: dict[str, Any]) -> str:
    """A token signed with the pool's own key (moto's): valid unless its claims are not."""
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    data = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz")
    key = RSAKey.import_key(json.loads(gzip.decompress(data.read_bytes())))
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def forged(claims: dict[str, Any]) -> str:
    """A token with the pool's key id, signed with another key."""
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048)
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key)
