"""The local front door: what CloudFront and API Gateway do in production, on one origin.

``/`` serves ``site/`` with the response headers of the template's CloudFront policy;
``/api/...`` loses its prefix (as the template's CloudFront function does) and goes, as the
REST API's payload 1.0 proxy event, to the function whose route the template declares; a route
the template does not declare gets API Gateway's 403. ``/_local/...`` is the development page
(outbox, health, re-drive). Only the loopback host names this server listens on are answered,
so a web page elsewhere cannot read the outbox through DNS rebinding.
"""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from intake_common.runtime.events import api_event

from . import site as site_values_module
from .template import ROOT, LocalStack, Route, api_routes
from .waf import LocalWaf

SITE = ROOT / "site"
StartResponse = Callable[..., Any]
# The managed login's origin in the staff page's CSP (connect-src), as the template writes it.
_COGNITO_ORIGIN = re.compile(
    r" https://\$\{StaffLoginDomain\}\.auth\.\$\{AWS::Region\}\.amazoncognito\.com"
)
# An HTTP answer: status line, headers, body.
Answer = tuple[str, list[tuple[str, str]], bytes]
LocalHandler = Callable[[str, str], Answer]
# A token in, the authorizer's claims out (None: refused with 401, as API Gateway does).
Authorizer = Callable[[str], dict[str, str] | None]


class Invoker(Protocol):
    """What runs the functions (functions.LocalFunctions)."""

    def invoke(self, name: str, event: dict[str, Any]) -> Any: ...


class SignIn(Protocol):
    """What answers ``/_local/cognito/...`` (cognito.LocalCognito)."""

    def answer(
        self, path: str, method: str, query: str, body: bytes, cookie: str = ""
    ) -> Answer: ...


def _route_pattern(path: str) -> re.Pattern[str]:
    """``/staff/requests/{reference}`` as a pattern that captures ``reference``."""
    parts = re.split(r"\{(\w+)\}", path)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{pattern}$")


def security_headers(stack: LocalStack, policy_id: str = "SiteHeadersPolicy") -> dict[str, str]:
    """The response headers CloudFront's policy adds in production (HSTS aside: plain HTTP)."""
    policy = stack.resources[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]
    # The stand-in sign-in is on this origin ('self'): Cognito's domain has no place here.
    policy = json.loads(re.sub(_COGNITO_ORIGIN, "", json.dumps(policy)))
    config = stack.resolve(policy)
    security = config["SecurityHeadersConfig"]
    headers = {
        "Content-Security-Policy": security["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ].replace("; upgrade-insecure-requests", ""),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
    }
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    return headers


def json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Answer:
    return (
        f"{status} {HTTPStatus(status).phrase}",
        [
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            *(headers or {}).items(),
        ],
        json.dumps(body, ensure_ascii=False, default=str).encode(),
    )


def from_proxy_result(result: dict[str, Any]) -> Answer:
    """API Gateway's translation of a Lambda proxy result into an HTTP response."""
    from base64 import b64decode

    status = int(result.get("statusCode", 200))
    headers: dict[str, list[str]] = {k: [str(v)] for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = [str(v) for v in values]
    body = result.get("body") or ""
    raw = b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    flat = [(key, value) for key, values in headers.items() for value in values]
    return f"{status} {HTTPStatus(status).phrase}", flat, raw


def log_safe(path: str) -> str:
    """The path as it may appear in a log line: no control characters, no spaces."""
    return quote(path, safe="/:@!$&'()*+,;=-._~%")


class FrontDoor:
    """The WSGI application of the local stack."""

    def __init__(
        self,
        stack: LocalStack,
        functions: Invoker,
        local: LocalHandler,
        *,
        origin_header: Callable[[], str] = lambda: "",
        authorizer: Authorizer | None = None,
        sign_in: SignIn | None = None,
        site_values: dict[str, str] | None = None,
        site: Path = SITE,
    ) -> None:
        self.functions = functions
        self.authorizer = authorizer
        self.sign_in = sign_in
        # What CloudFront adds for the API origin (template: OriginCustomHeaders), as the
        # distribution says now (distribution.py: a rotation switches it).
        self.origin_header = origin_header
        # The API stage's web ACL, when the template has one (EnableWaf).
        self.waf = LocalWaf.of(stack)
        self.local = local
        self.site = site
        self.routes: list[Route] = api_routes(stack.template)
        self.patterns = {route: _route_pattern(route.path) for route in self.routes}
        self.headers = security_headers(stack)
        self.staff_headers = (
            security_headers(stack, "StaffHeadersPolicy")
            if "StaffHeadersPolicy" in stack.resources
            else self.headers
        )
        # What publish-site writes into the pages (from the stack's parameters and outputs).
        self.site_values = {
            name: stack.parameter(name)
            for name in site_values_module.VALUES
            if name in stack.template.get("Parameters", {})
        }
        self.site_values.update(site_values or {})
        self.allowed_hosts: set[str] = set()

    def listen_on(self, host: str, port: int) -> None:
        """Answer only requests addressed to this server's own loopback names."""
        names = {host, "127.0.0.1", "localhost", "[::1]"}
        self.allowed_hosts = {f"{name}:{port}".lower() for name in names}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ["REQUEST_METHOD"]
        started = time.perf_counter()
        host = (environ.get("HTTP_HOST") or "").lower()
        if self.allowed_hosts and host not in self.allowed_hosts:
            # DNS rebinding: a page on another site resolved its own name to 127.0.0.1.
            status, headers, body = json_answer(421, {"message": "Misdirected request"})
        elif path.startswith("/api/"):
            status, headers, body = self._api(environ, path[len("/api") :], method)
        elif path.startswith("/_local/cognito/") and self.sign_in is not None:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = environ["wsgi.input"].read(min(length, 65536)) if length else b""
            query = environ.get("QUERY_STRING", "")
            cookie = environ.get("HTTP_COOKIE", "")
            status, headers, body = self.sign_in.answer(path, method, query, form, cookie)
        elif path == "/_local" or path.startswith("/_local/"):
            status, headers, body = self.local(path, method)
        else:
            status, headers, body = self._static(path, method)
        start_response(status, headers)
        if not path.startswith("/_local/health"):
            # An access line without query strings or bodies, like API Gateway's access log.
            elapsed = (time.perf_counter() - started) * 1000
            print(f"{method} {log_safe(path)} {status.split()[0]} {elapsed:.0f}ms", flush=True)
        return [body]

    def html(self, status: str, page: str) -> Answer:
        return (
            status,
            [("Content-Type", "text/html; charset=utf-8"), *self.headers.items()],
            (page.encode()),
        )

    def _match(self, path: str, method: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = self.patterns[route].match(path)
            if found and route.method in {"ANY", method}:
                return route, found.groupdict()
        return None

    def _api(self, environ: dict[str, Any], path: str, method: str) -> Answer:
        matched = self._match(path, method)
        if matched is None:
            # API Gateway's answer to a route the template does not declare.
            return json_answer(403, {"message": "Missing Authentication Token"})
        route, path_parameters = matched
        # The WAF's rules run before anything else the API does (its authorizer included); its
        # rate rule keys on the address CloudFront's function writes (x-viewer-ip).
        viewer = {"x-viewer-ip": environ.get("REMOTE_ADDR", "127.0.0.1")}
        if self.waf is not None and not self.waf.admits(viewer):
            return json_answer(403, {"message": "Forbidden"})
        claims: dict[str, str] | None = None
        if route.authorizer is not None:
            token = environ.get("HTTP_AUTHORIZATION", "")
            claims = self.authorizer(token) if token and self.authorizer else None
            if claims is None:
                # API Gateway's Cognito authorizer: no token, a forged one or an expired one.
                return json_answer(401, {"message": "Unauthorized"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(length, 10 * 1024 * 1024)) if length else None
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").title()] = environ[key]
        # What the template's CloudFront function and origin do: the viewer's own values for
        # these headers are replaced, never passed on.
        for name in ("X-Viewer-Ip", "X-Forwarded-Host", "X-Origin-Verify"):
            headers.pop(name, None)
        headers["X-Viewer-Ip"] = environ.get("REMOTE_ADDR", "127.0.0.1")
        headers["X-Forwarded-Host"] = environ.get("HTTP_HOST", "")
        origin_secret = self.origin_header()
        if origin_secret:
            headers["X-Origin-Verify"] = origin_secret
        event = api_event(
            method,
            path,
            resource=route.path,
            headers=headers,
            body=body,
            source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
            query=environ.get("QUERY_STRING", ""),
            path_parameters=path_parameters,
            claims=claims,
        )
        try:
            result = self.functions.invoke(route.function, event)
        except Exception:
            # What API Gateway answers when the function itself fails.
            return json_answer(502, {"message": "Internal server error"})
        return from_proxy_result(result)

    def _static(self, path: str, method: str) -> Answer:
        if method not in {"GET", "HEAD"}:
            return "405 Method Not Allowed", [("Allow", "GET, HEAD")], b""
        relative = path.lstrip("/") or "index.html"
        if relative.endswith("/"):
            relative += "index.html"
        target = (self.site / relative).resolve()
        if not target.is_relative_to(self.site.resolve()) or not target.is_file():
            missing = self.site / "404.html"
            page = missing.read_text(encoding="utf-8") if missing.is_file() else "Not found"
            return self.html("404 Not Found", page)
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in {
            "application/javascript",
            "application/json",
        }:
            content_type += "; charset=utf-8"
        policy = self.staff_headers if path.startswith("/staff/") else self.headers
        # The policy's own Cache-Control (the inbox's no-store) overrides, as in CloudFront.
        cache = "no-cache" if target.suffix == ".html" else "public, max-age=60"
        headers = [("Content-Type", content_type), *{"Cache-Control": cache, **policy}.items()]
        relative = target.relative_to(self.site.resolve()).as_posix()
        body = site_values_module.render(relative, target.read_bytes(), self.site_values)
        return "200 OK", headers, b"" if method == "HEAD" else body
