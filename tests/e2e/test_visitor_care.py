"""Visitor care in a real browser: the 988 box for crisis words (and not for ordinary worry),
the page that puts 988 first, the urgent flag staff get without the words, and the confirmation
email a visitor asks for, once a day."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import fill_form, items_named, reference_shown
from tests.support.local_stack import Local

CRISIS_WORDS = "Some days I want to die, and the panic does not stop."
ORDINARY = "I feel like I'm dying when the panic comes, and work is killing me."
BOX_TEXT = "It sounds like you may be going through something very hard right now."


def _address() -> str:
    # The local stack is shared by the session: a fresh address for the one-a-day rule.
    return f"care-{uuid.uuid4().hex[:10]}@example.org"


def _emails_to(local: Local, address: str) -> list[dict[str, Any]]:
    return [e for e in local.outbox()["emails"] if e["to"] == [address]]


def test_the_988_box_comes_forward_for_crisis_words_and_not_for_ordinary_worry(
    page: Any, local: Local
) -> None:
    page.goto("/")
    box = page.locator("#crisis-now")
    reason = page.get_by_label("What would you like to talk about? (optional)")

    reason.fill(ORDINARY)
    page.wait_for_timeout(800)  # longer than the page's 300 ms pause after typing
    assert box.inner_text() == ""

    reason.fill(ORDINARY + " " + CRISIS_WORDS)
    expect(box).to_contain_text(BOX_TEXT)
    expect(box.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    assert box.get_attribute("role") == "status"  # announced to screen readers

    reason.fill(ORDINARY)  # the words removed: the box goes again
    expect(box).to_have_text("")


def test_crisis_words_pasted_at_the_last_moment_bring_988_forward_once_then_send(
    page: Any, local: Local
) -> None:
    name = "Crisis Sender"
    fill_form(page, name, reason="Worry.")
    # Set without an input event, as some paste or autofill paths do: the submit check catches it
    page.locator("#reason").evaluate("(el, text) => { el.value = text; }", CRISIS_WORDS)

    page.get_by_role("button", name="Send request").click()

    box = page.locator("#crisis-now")
    expect(box).to_contain_text(BOX_TEXT)
    expect(box).to_contain_text("Your request has not been sent yet")
    assert page.evaluate("document.activeElement.id") == "crisis-now"
    assert items_named(local, name) == []

    page.get_by_role("button", name="Send request").click()  # the visitor still sends it

    page.wait_for_url(re.compile(r"/request-received\.html\?ref="))
    reference = page.locator("#reference").inner_text()
    first = page.locator("main > *").nth(1)  # right under the heading
    expect(first).to_contain_text("988")
    (item,) = items_named(local, name)
    assert item["urgent"]["BOOL"] is True

    def staff_alerted() -> bool:
        box = local.outbox()
        return bool(
            [
                e
                for e in box["emails"]
                if e["subject"] == f"Urgent: new appointment request {reference}"
            ]
        ) and bool([s for s in box["sms"] if reference in s["message"]])

    assert local.wait_for(staff_alerted)
    box_now = local.outbox()
    sms = next(s["message"] for s in box_now["sms"] if reference in s["message"])
    assert sms.startswith("Urgent: please call back today.")
    for email in box_now["emails"]:
        if reference in email["subject"]:
            assert "want to die" not in email["text"] + email["html"]


def test_a_calm_request_lands_on_the_usual_thank_you_page(page: Any, local: Local) -> None:
    fill_form(page, "Calm Sender", reason=ORDINARY)
    page.get_by_role("button", name="Send request").click()

    reference_shown(page)  # /thank-you.html
    assert page.locator("#crisis-now").count() == 0


def test_a_confirmation_is_emailed_once_a_day_to_the_visitors_address_only(
    page: Any, local: Local
) -> None:
    address = _address()
    fill_form(page, "Ana Confirmed-Person", email=address)
    page.get_by_label("Email me a confirmation").check()
    page.get_by_role("button", name="Send request").click()
    reference = reference_shown(page)

    assert local.wait_for(lambda: len(_emails_to(local, address)) == 1)
    (confirmation,) = _emails_to(local, address)
    assert confirmation["subject"] == f"Your request to Riverbend Clinic, reference {reference}"
    assert confirmation["text"].startswith("Hello Ana,")
    everything = confirmation["subject"] + confirmation["text"] + confirmation["html"]
    for private in ("Confirmed-Person", "Worry, most days", "2671"):
        assert private not in everything

    # A second request, same address, same day: stored and alerted, no second confirmation
    fill_form(page, "Ana Again", email=address)
    page.get_by_label("Email me a confirmation").check()
    page.get_by_role("button", name="Send request").click()
    second = reference_shown(page)

    def staff_told() -> bool:
        return any(second in e["subject"] for e in local.outbox()["emails"])

    assert local.wait_for(staff_told)
    staff = next(e for e in local.outbox()["emails"] if second in e["subject"])
    assert "one was already sent to this address today" in staff["text"]
    assert len(_emails_to(local, address)) == 1


def test_the_form_with_the_988_box_shown_has_no_axe_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto("/")
    page.get_by_label("What would you like to talk about? (optional)").fill(CRISIS_WORDS)
    expect(page.locator("#crisis-now")).to_contain_text(BOX_TEXT)

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()


def test_a_send_before_the_crisis_list_has_arrived_waits_for_it(page: Any, local: Local) -> None:
    held: list[Any] = []

    def hold(route: Any) -> None:  # the list, held back
        held.append(route)

    page.route("**/assets/crisis-phrases.json", hold)
    name = "Early Sender"
    fill_form(page, name, reason=CRISIS_WORDS)

    page.get_by_role("button", name="Send request").click()
    page.wait_for_timeout(500)
    assert items_named(local, name) == []  # not sent on without the list...

    held[0].continue_()  # ...which arrives: the words are noticed before anything is sent
    expect(page.locator("#crisis-now")).to_contain_text("Your request has not been sent yet")
    assert items_named(local, name) == []
