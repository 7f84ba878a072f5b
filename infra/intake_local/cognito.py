"""The staff inbox's sign-in, locally: a stand-in for Cognito's managed login on moto's user
pool, and API Gateway's Cognito authorizer.

In AWS the inbox page sends staff to Cognito's managed login (the authorization-code flow with
PKCE), exchanges the code at ``/oauth2/token``, and API Gateway checks each ID token against
the user pool's keys. Here the same page, with a different ``staff/config.json``, uses:

- ``/_local/cognito/oauth2/authorize``: a sign-in page (email, password, authenticator code)
  that signs in on moto's pool, which checks the password and the TOTP code;
- ``/_local/cognito/oauth2/token``: the code (with its PKCE verifier) or a refresh token for
  tokens; ``/oauth2/revoke`` and ``/logout`` as Cognito's;
- :meth:`LocalCognito.verify`: the authorizer: an ID token signed by the pool's key (moto's),
  for this pool's client, not expired; its claims reach the function as API Gateway passes them.

``make run`` seeds one ``staff`` and one ``admin`` user and prints how to sign in.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import html
import json
import secrets
import struct
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, cast
from urllib.parse import parse_qs, urlencode

from .template import LocalStack

REGION = "us-east-1"
# moto's pool signs every user's TOTP with this one secret (its COGNITO_TOTP_MFA_SECRET); the
# password is the local stack's seeded users'. Both are local only, never deployed.
TOTP_SECRET = "asdfasdfasdf"  # noqa: S105  # nosec B105
PASSWORD = "Local-Inbox-Pa55word!"  # noqa: S105  # nosec B105
USERS = {"staff": "staff@clinic.example", "admin": "admin@clinic.example"}
Answer = tuple[str, list[tuple[str, str]], bytes]


def totp(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    """The authenticator app's current code (RFC 6238: SHA-1, 30 s, 6 digits)."""
    padded = secret.upper() + "=" * (-len(secret) % 8)
    key = base64.b32decode(padded)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _public_jwks() -> dict[str, Any]:
    data = resources.files("moto.cognitoidp").joinpath("resources/jwks-public.json.gz")
    loaded: dict[str, Any] = json.loads(gzip.decompress(data.read_bytes()))
    return loaded


SESSION_COOKIE = "local-login-session"
SESSION_SECONDS = 3600


def _cookie_value(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    tokens: dict[str, Any]
    expires: float


@dataclass
class LocalCognito:
    stack: LocalStack
    client: Any  # moto's cognito-idp
    base_url: str
    _grants: dict[str, _Grant] = field(default_factory=dict)
    # Refresh tokens revoked at /oauth2/revoke (moto has no RevokeToken).
    _revoked: set[str] = field(default_factory=set)
    # Managed login's own session (a cookie on the login domain, an hour): a later sign-in in
    # that browser skips the password and code, unless the app asks for prompt=login or
    # /logout ended it. The stand-in keeps it as Cognito does, so that the tests see it.
    _sessions: dict[str, tuple[dict[str, Any], float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def pool_id(self) -> str:
        return self.stack.physical["StaffUserPool"]

    @property
    def client_id(self) -> str:
        return self.stack.physical["StaffUserPoolClient"]

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/_local/cognito"

    @property
    def staff_url(self) -> str:
        return f"{self.base_url}/staff/"

    # --- seeding -----------------------------------------------------------------------
    def seed(self) -> None:
        """One user per group, with a permanent password and TOTP required at sign-in."""
        for group, email in USERS.items():
            self.client.admin_create_user(
                UserPoolId=self.pool_id,
                Username=email,
                TemporaryPassword=PASSWORD,
                MessageAction="SUPPRESS",
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
            )
            self.client.admin_set_user_password(
                UserPoolId=self.pool_id, Username=email, Password=PASSWORD, Permanent=True
            )
            self.client.admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=email, GroupName=group
            )
            signed_in = self.client.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
            )
            access = signed_in["AuthenticationResult"]["AccessToken"]
            self.client.associate_software_token(AccessToken=access)
            self.client.verify_software_token(AccessToken=access, UserCode=totp())
            self.client.admin_set_user_mfa_preference(
                UserPoolId=self.pool_id,
                Username=email,
                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
            )

    def describe(self) -> dict[str, Any]:
        """How to sign in locally (development only: a fixed password and TOTP secret)."""
        return {
            "url": self.staff_url,
            "users": USERS,
            "password": PASSWORD,
            "totp_secret": TOTP_SECRET.upper(),
        }

    # --- the authorizer ------------------------------------------------------------------
    def verify(self, token: str) -> dict[str, str] | None:
        """The ID token's claims as API Gateway passes them (strings), or None: refused."""
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        try:
            keys = KeySet.import_key_set(cast(Any, _public_jwks()))
            decoded = jwt.decode(token.removeprefix("Bearer "), keys)
        except (JoseError, ValueError):
            return None
        claims = decoded.claims
        valid = (
            claims.get("iss") == self.issuer
            and claims.get("aud") == self.client_id
            and claims.get("token_use") == "id"
            and int(claims.get("exp", 0)) > time.time()
        )
        if not valid:
            return None
        return {
            key: ",".join(value) if isinstance(value, list) else str(value)
            for key, value in claims.items()
        }

    # --- the managed login stand-in --------------------------------------------------------
    def answer(self, path: str, method: str, query: str, body: bytes, cookie: str = "") -> Answer:
        params = {
            k: v[0] for k, v in parse_qs(query or body.decode(), keep_blank_values=True).items()
        }
        session = _cookie_value(cookie, SESSION_COOKIE)
        if path.endswith("/oauth2/authorize"):
            if method == "POST":
                return self._sign_in(params)
            remembered = self._remembered(session)
            if (
                remembered is not None
                and params.get("prompt") != "login"
                and self._oauth_ok(params)
            ):
                return self._redirect_with_code(params, remembered)  # no password, no code
            return self._page(params, "")
        if path.endswith("/oauth2/token") and method == "POST":
            return self._token(params)
        if path.endswith("/oauth2/revoke") and method == "POST":
            # As Cognito's: the refresh token can no longer be used. ID tokens already issued
            # stay valid until they expire (API Gateway does not ask): hence 15 minutes.
            if params.get("client_id") != self.client_id:
                return _json(400, {"error": "invalid_client"})
            with self._lock:
                self._revoked.add(params.get("token", ""))
            return _json(200, {})
        if path.endswith("/logout"):
            target = params.get("logout_uri", "")
            if target != self.staff_url:
                return _json(400, {"error": "invalid_request"})
            with self._lock:
                self._sessions.pop(session, None)
            ended = f"{SESSION_COOKIE}=; Path=/_local/cognito; Max-Age=0; HttpOnly; SameSite=Lax"
            headers = [("Location", target), ("Cache-Control", "no-store"), ("Set-Cookie", ended)]
            return "302 Found", headers, b""
        return _json(404, {"error": "not_found"})

    def _oauth_ok(self, params: dict[str, str]) -> bool:
        return (
            params.get("client_id") == self.client_id
            and params.get("redirect_uri") == self.staff_url
            and params.get("response_type") == "code"
            and params.get("code_challenge_method") == "S256"
            and bool(params.get("code_challenge"))
        )

    def _page(self, params: dict[str, str], error: str) -> Answer:
        if not self._oauth_ok(params):
            return _json(400, {"error": "invalid_request"})
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k
            in {
                "client_id",
                "redirect_uri",
                "response_type",
                "state",
                "scope",
                "code_challenge",
                "code_challenge_method",
            }
        )
        alert = f'<p class="error-summary" role="alert">{html.escape(error)}</p>' if error else ""
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Riverbend Clinic staff</title>
<link rel="stylesheet" href="/assets/site.css"></head>
<body><main id="main" class="narrow">
<h1>Sign in to the staff inbox</h1>
<p class="note">Local stand-in for Cognito's managed login (development only).</p>
{alert}
<form method="post" action="/_local/cognito/oauth2/authorize">{hidden}
<div class="field"><label for="username">Email</label>
<input id="username" name="username" type="email" autocomplete="username" required></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></div>
<div class="field"><label for="code">Authenticator code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"
 pattern="[0-9]{{6}}" required></div>
<button type="submit">Sign in</button>
</form></main></body></html>"""
        return (
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
            page.encode(),
        )

    def _sign_in(self, params: dict[str, str]) -> Answer:
        if not self._oauth_ok(params):
            return _json(400, {"error": "invalid_request"})
        tokens = self._authenticate(
            params.get("username", ""), params.get("password", ""), params.get("code", "")
        )
        if tokens is None:
            # One message for every failure: no user enumeration.
            return self._page(params, "The email, password or authenticator code is not right.")
        session = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[session] = (tokens, time.time() + SESSION_SECONDS)
        status, headers, body = self._redirect_with_code(params, tokens)
        cookie = f"{SESSION_COOKIE}={session}; Path=/_local/cognito; HttpOnly; SameSite=Lax"
        return status, [*headers, ("Set-Cookie", cookie)], body

    def _remembered(self, session: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._sessions.get(session)
        if found is None or found[1] < time.time():
            return None
        return found[0]

    def _redirect_with_code(self, params: dict[str, str], tokens: dict[str, Any]) -> Answer:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                params["client_id"],
                params["redirect_uri"],
                params["code_challenge"],
                tokens,
                time.time() + 300,
            )
        query = urlencode({"code": code, "state": params.get("state", "")})
        target = f"{params['redirect_uri']}?{query}"
        return "302 Found", [("Location", target), ("Cache-Control", "no-store")], b""

    def _authenticate(self, username: str, password: str, code: str) -> dict[str, Any] | None:
        try:
            challenge = self.client.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
            if challenge.get("ChallengeName") != "SOFTWARE_TOKEN_MFA":
                return None  # MFA is required: a pool user without it cannot sign in
            result = self.client.admin_respond_to_auth_challenge(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=challenge["Session"],
                ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
            )
        except self.client.exceptions.ClientError:
            return None
        tokens: dict[str, Any] = result["AuthenticationResult"]
        return tokens

    def _token(self, params: dict[str, str]) -> Answer:
        if params.get("client_id") != self.client_id:
            return _json(400, {"error": "invalid_client"})
        if params.get("grant_type") == "refresh_token":
            with self._lock:
                revoked = params.get("refresh_token", "") in self._revoked
            if revoked:
                return _json(400, {"error": "invalid_grant"})
            try:
                refreshed = self.client.admin_initiate_auth(
                    UserPoolId=self.pool_id,
                    ClientId=self.client_id,
                    AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": params.get("refresh_token", "")},
                )["AuthenticationResult"]
            except self.client.exceptions.ClientError:
                return _json(400, {"error": "invalid_grant"})
            return _json(200, _oauth_tokens(refreshed))
        if params.get("grant_type") != "authorization_code":
            return _json(400, {"error": "unsupported_grant_type"})
        with self._lock:
            grant = self._grants.pop(params.get("code", ""), None)  # a code is used once
        verifier = params.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            grant is None
            or grant.expires < time.time()
            or grant.redirect_uri != params.get("redirect_uri")
            or not hmac.compare_digest(grant.challenge, challenge)
        ):
            return _json(400, {"error": "invalid_grant"})
        return _json(200, _oauth_tokens(grant.tokens))


def _oauth_tokens(result: dict[str, Any]) -> dict[str, Any]:
    tokens = {
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "expires_in": result.get("ExpiresIn", 3600),
        "token_type": "Bearer",
    }
    if "RefreshToken" in result:
        tokens["refresh_token"] = result["RefreshToken"]
    return tokens


def _json(status: int, body: Any) -> Answer:
    phrases = {200: "OK", 400: "Bad Request", 404: "Not Found"}
    return (
        f"{status} {phrases[status]}",
        [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
        json.dumps(body).encode(),
    )
