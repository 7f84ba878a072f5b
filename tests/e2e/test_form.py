"""The appointment form in a real browser, end to end through the local stack."""

from __future__ import annotations

import re
from typing import Any

from tests.support.browser import fill_form, items_named, reference_shown
from tests.support.local_stack import Local


def _alerts_for(local: Local, reference: str) -> tuple[int, int]:
    box = local.outbox()
    return (
        len([e for e in box["emails"] if reference in e["subject"]]),
        len([s for s in box["sms"] if reference in s["message"]]),
    )


def test_fill_and_submit_shows_the_reference_stores_and_alerts(page: Any, local: Local) -> None:
    fill_form(page, "Browser Visitor")
    page.get_by_role("button", name="Send request").click()

    reference = reference_shown(page)

    (item,) = items_named(local, "Browser Visitor")
    assert item["reference"]["S"] == reference
    assert local.wait_for(lambda: _alerts_for(local, reference) == (2, 1))


def test_invalid_entries_show_inline_errors_and_a_focused_summary(page: Any, local: Local) -> None:
    page.goto("/")
    page.locator("#full_name").fill("Ann3")
    page.locator("#email").fill("not-an-email")
    page.get_by_role("radio", name="Text message").check()
    page.get_by_role("button", name="Send request").click()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#full_name").get_attribute("aria-invalid") == "true"
    assert page.locator("#email-error").inner_text().startswith("Please enter an email")
    assert "agree to receive texts" in page.locator("#sms_consent-error").inner_text()
    assert "Please confirm" in page.locator("#consent-error").inner_text()
    # What the visitor typed is kept
    assert page.locator("#full_name").input_value() == "Ann3"
    assert page.locator("#email").input_value() == "not-an-email"
    assert items_named(local, "Ann3") == []


def test_server_side_errors_are_shown_next_to_their_fields(page: Any, local: Local) -> None:
    fill_form(page, "Server Check")
    # Passes the page's light check, but is not a valid number for its region
    page.locator("#phone").fill("(555) 000-0000")
    page.get_by_role("button", name="Send request").click()

    page.locator("#phone-error").wait_for(state="visible")
    assert "phone number we can call" in page.locator("#phone-error").inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#phone").input_value() == "(555) 000-0000"
    assert items_named(local, "Server Check") == []


def test_double_click_and_a_network_failure_store_one_request(page: Any, local: Local) -> None:
    calls = {"n": 0}

    def flaky(route: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            route.abort("failed")  # the first attempt never reaches the server
        else:
            route.continue_()

    page.route("**/api/appointments", flaky)
    fill_form(page, "Double Clicker")
    page.get_by_role("button", name="Send request").dblclick()

    reference = reference_shown(page)

    assert calls["n"] == 2  # one failed attempt, one automatic retry; the double click sent once
    assert len(items_named(local, "Double Clicker")) == 1
    assert local.wait_for(lambda: _alerts_for(local, reference) == (2, 1))
    page.wait_for_timeout(300)
    assert _alerts_for(local, reference) == (2, 1)


def test_without_javascript_the_form_posts_and_lands_on_thank_you(
    browser: Any, local: Local
) -> None:
    context = browser.new_context(base_url=local.base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        fill_form(page, "No Script")
        page.get_by_role("button", name="Send request").click()
        page.wait_for_url(re.compile(r"/thank-you\.html\?ref="))
        reference = page.url.split("ref=")[1]
        assert "ref=" in page.locator("#reference").inner_text()  # the no-JS hint

        # Back, and the same content sent again: still one request
        page.go_back()
        page.get_by_role("button", name="Send request").click()
        page.wait_for_url(re.compile(r"/thank-you\.html\?ref="))
        assert page.url.split("ref=")[1] == reference
        assert len(items_named(local, "No Script")) == 1

        # An invalid post gets the accessible error page with a way back
        fill_form(page, "No Script 2")
        page.locator("#email").fill("broken")
        page.get_by_role("button", name="Send request").click()
        assert page.get_by_role("heading", name="Please check your request").is_visible()
        assert page.get_by_role("link", name="Open the appointment form again").is_visible()
        assert "broken" not in page.content()
    finally:
        context.close()


def test_keyboard_only_completes_and_submits_the_form(page: Any, local: Local) -> None:
    page.goto("/")
    visited: list[str] = []

    def tab_to(element_id: str) -> None:
        for _ in range(30):
            page.keyboard.press("Tab")
            visited.append(page.evaluate("document.activeElement.id"))
            if visited[-1] == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}: {visited}")

    tab_to("full_name")
    page.keyboard.type("Key Board")
    tab_to("email")
    page.keyboard.type("keys@example.org")
    tab_to("phone")
    page.keyboard.type("415 555 2671")
    tab_to("contact-phone")  # a radio group takes one Tab stop; Space chooses
    page.keyboard.press("Space")
    tab_to("visit-new")
    page.keyboard.press("Space")
    tab_to("reason")
    page.keyboard.type("Typed with the keyboard only.")
    tab_to("consent")
    page.keyboard.press("Space")
    tab_to("send")
    page.keyboard.press("Enter")

    reference_shown(page)
    assert "website" not in visited  # the honeypot is never focused
    assert len(items_named(local, "Key Board")) == 1
