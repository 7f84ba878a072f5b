"""In a real browser: another site's page cannot post the clinic's form, and what a visitor
typed does not outlive its purpose in the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.browser import items_named
from tests.support.leaks import GUARD
from tests.support.local_stack import Local


@pytest.fixture
def evil_site(local: Local) -> Iterator[str]:
    """A page on another origin with a copy of the form, posting to the clinic's API."""
    target = f"{local.base_url}/api/appointments"
    page = f"""<!doctype html><html lang="en"><title>Win a prize</title>
<form method="post" action="{target}">
<input name="full_name" value="Cross Site"><input name="email" value="victim@example.org">
<input name="phone" value="(415) 555-2671"><input name="preferred_contact" value="phone">
<input name="visit_type" value="new"><input name="consent" value="true">
<input name="consent_version" value="2026-11"><button>Claim</button></form></html>"""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # "localhost" is another site than the stack's 127.0.0.1
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_a_page_on_another_site_cannot_post_the_form(
    browser: Any, local: Local, evil_site: str
) -> None:
    GUARD.register({"full_name": "Cross Site"})
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(evil_site)
        with page.expect_navigation():
            page.get_by_role("button", name="Claim").click()
        assert "from the clinic" in page.content()
    finally:
        context.close()
    assert items_named(local, "Cross Site") == []


def _type_a_draft(page: Any) -> None:
    GUARD.register({"full_name": "Draft Keeper", "reason": "Private draft words"})
    page.goto("/")
    page.locator("#full_name").fill("Draft Keeper")
    page.get_by_label("What would you like to talk about? (optional)").fill("Private draft words")


def test_a_draft_survives_a_reload_but_not_half_an_hour_away(page: Any) -> None:
    _type_a_draft(page)
    page.reload()
    assert page.locator("#full_name").input_value() == "Draft Keeper"

    # The visitor left 31 minutes ago: the draft is discarded, not restored
    page.evaluate(
        """() => {
          const saved = JSON.parse(sessionStorage.getItem("intake.draft"));
          saved.saved_at = Date.now() - 31 * 60 * 1000;
          sessionStorage.setItem("intake.draft", JSON.stringify(saved));
        }"""
    )
    page.reload()
    assert page.locator("#full_name").input_value() == ""
    assert page.evaluate("sessionStorage.getItem('intake.draft')") is None


def test_clear_what_i_typed_empties_the_form_and_the_browsers_copy(page: Any) -> None:
    _type_a_draft(page)

    page.get_by_role("button", name="Clear what I typed").click()

    assert page.locator("#full_name").input_value() == ""
    assert page.evaluate("sessionStorage.getItem('intake.draft')") is None
    assert page.locator("#form-status").inner_text() == "Cleared. Nothing was sent."
    assert page.evaluate("document.activeElement.id") == "full_name"
