"""Every page: no accessibility violations (axe-core), no third-party requests, screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import accessible_and_first_party
from tests.support.local_stack import Local

PAGES = {
    "article": "/",
    "thank-you": "/thank-you.html?ref=K7Q2-93XD",
    "request-received": "/request-received.html?ref=K7Q2-93XD",
    "privacy": "/privacy.html",
    "search": "/search.html?q=anxiety",
    "not-found": "/no-such-page",
    "outbox": "/_local/",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations_and_no_third_party_requests(
    page: Any, local: Local, name: str
) -> None:
    accessible_and_first_party(page, local, PAGES[name])


def test_form_with_errors_has_no_axe_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto("/")
    page.get_by_role("button", name="Send request").click()
    page.locator("#error-summary").wait_for(state="visible")

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()


def test_no_javascript_error_page_has_no_axe_violations(browser: Any, local: Local) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(base_url=local.base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        page.locator("#consent").check()
        page.get_by_role("button", name="Send request").click()
        page.get_by_role("heading", name="Please check your request").wait_for()
        # axe runs as a script: enable it in a fresh context on the same HTML
        html = page.content()
    finally:
        context.close()
    context = browser.new_context(base_url=local.base_url)
    page = context.new_page()
    try:
        page.route(
            "**/error-page", lambda route: route.fulfill(body=html, content_type="text/html")
        )
        page.goto("/error-page")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots_of_every_page(browser: Any, local: Local, artifacts: Path, width: int) -> None:
    context = browser.new_context(base_url=local.base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for name, path in PAGES.items():
            page.goto(path)
            page.wait_for_load_state("networkidle")
            target = artifacts / f"{name}-{width}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 1000
            # Nothing overflows sideways on a small phone
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, f"{name} scrolls sideways at {width}px"
    finally:
        context.close()
