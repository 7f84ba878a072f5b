"""The staff inbox in a real browser: from a visitor's request to a nurse's call-back note, an
admin's erasure, and what a signed-in page forgets. Sign-in goes through the local stand-in for
Cognito's managed login (the same page code and endpoints as in AWS)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.support.browser import fill_form, items_named, reference_shown, sign_in_on_the_login_page
from tests.support.data import valid_fields
from tests.support.local_stack import Local

SIGNED_OUT_IDLE = "signed out after a while without activity"


@pytest.fixture
def staff_page(new_page: Callable[..., Any]) -> Any:
    """A second browser, the clinic's desktop: nothing shared with the visitor's."""
    return new_page(1280, 900)


def _link_in_alert(local: Local, reference: str) -> str:
    found: list[str] = []

    def emailed() -> bool:
        for email in local.outbox()["emails"]:
            if reference in email["subject"]:
                found.extend(re.findall(r"http://\S+/staff/#/requests/[0-9A-Z-]+", email["text"]))
        return bool(found)

    assert local.wait_for(emailed), f"no staff alert links to {reference}"
    return found[0]


def _submitted(local: Local, **overrides: Any) -> tuple[str, str]:
    """A request sent to the API as the form's script sends it: (reference, name)."""
    fields = valid_fields(**overrides)
    response = requests.post(
        f"{local.base_url}/api/appointments",
        json=fields,
        headers={"Origin": local.base_url},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["reference"]), str(fields["full_name"])


def _open_by_reference(page: Any, reference: str) -> None:
    page.get_by_role("searchbox", name="Reference").fill(reference)
    page.get_by_role("button", name="Show", exact=True).click()
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#d-reference")).to_have_text(reference)


def test_staff_follow_the_alert_to_the_request_mark_it_contacted_and_see_the_history(
    page: Any, staff_page: Any, local: Local
) -> None:
    # Given a visitor sends the form
    fill_form(page, "Inbox Visitor", reason="Sleep has been hard since June.")
    page.get_by_role("button", name="Send request").click()
    reference = reference_shown(page)
    # and the staff alert links to the request, by its reference only
    link = _link_in_alert(local, reference)
    assert link == f"{local.base_url}/staff/#/requests/{reference}"

    # When a nurse follows the link and signs in
    staff_page.goto(link)
    expect(staff_page.get_by_role("heading", name="Staff inbox")).to_be_visible()
    sign_in_on_the_login_page(staff_page, "staff")

    # Then the request itself is open, with what the call back needs
    expect(staff_page.locator("#d-reference")).to_have_text(reference)
    assert staff_page.url.endswith(f"/staff/#/requests/{reference}")
    details = staff_page.locator("#details")
    expect(details).to_contain_text("Inbox Visitor")
    expect(details.get_by_role("link", name="+14155552671")).to_have_attribute(
        "href", "tel:+14155552671"
    )
    expect(staff_page.locator("#d-reason")).to_have_text("Sleep has been hard since June.")
    expect(staff_page.locator("#history")).to_have_text("No changes yet.")
    expect(staff_page.locator("#erase-tools")).to_be_hidden()

    # When she marks it contacted with a note
    staff_page.get_by_label("Contacted").check()
    staff_page.get_by_label("Note for colleagues (optional)").fill("Left a voicemail, will retry")
    staff_page.get_by_role("button", name="Save").click()

    # Then the history shows who did what, and the next choices follow the rules
    expect(staff_page.locator("#status")).to_have_text(f"Saved: {reference} is now Contacted.")
    history = staff_page.locator("#history li")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("New to Contacted, by staff@clinic.example")
    expect(history).to_contain_text("Left a voicemail, will retry")
    expect(staff_page.get_by_label("Contacted")).to_be_disabled()
    expect(staff_page.get_by_label("Scheduled", exact=True)).to_be_enabled()

    # And it has left the call-back queue; the list of today's contacted ones shows it
    staff_page.get_by_role("link", name="Back to the list").click()
    expect(staff_page.locator("#count")).to_have_text(re.compile(r"\d+ requests?"))
    expect(staff_page.locator("#requests tbody tr", has_text=reference)).to_have_count(0)
    staff_page.get_by_label("List").select_option("contacted")
    staff_page.get_by_label("Received").select_option("today")
    staff_page.get_by_role("button", name="Show", exact=True).click()
    row = staff_page.locator("#requests tbody tr", has_text=reference)
    expect(row).to_contain_text("Contacted")
    expect(staff_page.locator("#requests tbody tr").first).to_contain_text(reference)

    # And the tokens were never written where they would outlive the page
    kept = staff_page.evaluate(
        "JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage),"
        " document.cookie, location.href])"
    )
    assert "eyJ" not in kept


def test_the_call_back_queue_puts_urgent_first_then_the_longest_waiting_and_pages(
    staff_page: Any, local: Local
) -> None:
    # Given one ordinary request, then an urgent one, then a page's worth of ordinary ones
    oldest, _ = _submitted(local, full_name="Oldest Waiting")
    urgent, _ = _submitted(local, full_name="Ursula Caller", reason="I want to die")
    names = ["".join("abcdefghij"[int(d)] for d in str(n)) for n in range(55)]
    later = [_submitted(local, full_name=f"Later {name}")[0] for name in names]

    # When a receptionist signs in, the inbox opens on "Needs a call back"
    staff_page.goto("/staff/")
    sign_in_on_the_login_page(staff_page, "staff")
    expect(staff_page.get_by_label("List")).to_have_value("callback")
    rows = staff_page.locator("#requests tbody tr")
    expect(rows.first).to_be_visible()

    # Then urgent ones come first, then the longest waiting, each saying how long it waited
    expect(staff_page.get_by_role("button", name="Show more")).to_be_visible()
    expect(staff_page.locator("#zone-note")).to_have_text(
        "Times are clinic time (America/New_York)."
    )
    # (earlier tests of this session may have left older requests: the urgent one is on the
    # first page, ahead of every ordinary one; the oldest of ours may be on a later page)
    urgent_row = rows.filter(has_text=urgent)
    expect(urgent_row).to_contain_text("Urgent")
    expect(urgent_row.locator("td").nth(4)).to_have_text(re.compile(r"^\d+ min$"))
    expect(urgent_row.locator("td").first).to_have_text(re.compile(r" E[SD]T$"))

    # And the figures say what is late now, with the chart's numbers in a table as well
    expect(staff_page.locator("#figures-summary")).to_contain_text("Past the call-back target now:")
    expect(staff_page.locator("#figures-chart rect")).to_have_count(8)
    expect(staff_page.locator("#figures-table tbody tr")).to_have_count(8)

    # And "Show more" adds the next page under the first, until every request is listed
    before = rows.count()
    staff_page.get_by_role("button", name="Show more").click()
    expect(rows).not_to_have_count(before)
    assert staff_page.evaluate("document.activeElement.closest('tbody') !== null")
    while staff_page.get_by_role("button", name="Show more").is_visible():
        count = rows.count()
        staff_page.get_by_role("button", name="Show more").click()
        expect(rows).not_to_have_count(count)
    text = staff_page.locator("#requests tbody").inner_text()
    assert all(reference in text for reference in (oldest, urgent, *later))
    assert text.index(urgent) < text.index(oldest) < text.index(later[0]) < text.index(later[-1])


def test_a_call_attempt_is_one_click_and_closing_asks_how_it_ended(
    staff_page: Any, local: Local
) -> None:
    reference, _ = _submitted(local, full_name="Attempt Person")
    staff_page.goto(f"/staff/#/requests/{reference}")
    sign_in_on_the_login_page(staff_page, "staff")
    expect(staff_page.locator("#d-reference")).to_have_text(reference)

    # One click logs a call that did not reach them; the request stays new
    staff_page.get_by_role("button", name="No answer").click()
    expect(staff_page.locator("#status")).to_have_text(
        f"Saved: call attempt (no answer) on {reference}."
    )
    expect(staff_page.locator("#history")).to_contain_text(
        "call attempt, no answer, by staff@clinic.example"
    )
    expect(staff_page.locator("#details")).to_contain_text("New")

    # Closing asks how it ended, and will not save without it
    expect(staff_page.get_by_role("group", name="How did it end?")).to_be_hidden()
    staff_page.get_by_label("Closed", exact=True).check()
    expect(staff_page.get_by_role("group", name="How did it end?")).to_be_visible()
    staff_page.get_by_role("button", name="Save").click()
    expect(staff_page.locator("#status")).to_have_text("Choose how it ended first.")
    staff_page.get_by_label("Referred elsewhere").check()
    staff_page.get_by_role("button", name="Save").click()

    expect(staff_page.locator("#status")).to_have_text(f"Saved: {reference} is now Closed.")
    expect(staff_page.locator("#history")).to_contain_text("New to Closed (Referred elsewhere)")
    expect(staff_page.get_by_role("button", name="No answer")).to_be_disabled()


def test_an_admin_downloads_the_export_joined_from_its_pages(
    staff_page: Any, local: Local, tmp_path: Any
) -> None:
    reference, _ = _submitted(local, full_name="Export Person")
    staff_page.goto("/staff/")
    sign_in_on_the_login_page(staff_page, "admin")
    staff_page.get_by_label("I will keep the file safe as described").check()

    with staff_page.expect_download() as download:
        staff_page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)

    text = saved.read_text(encoding="utf-8")
    assert text.count("reference,created_at (America/New_York),status") == 1
    assert reference in text
    assert "Export Person" in text
    expect(staff_page.locator("#status")).to_have_text(re.compile(r"^Downloaded requests-"))


def test_an_admin_erases_a_request_after_typing_its_reference(
    staff_page: Any, local: Local
) -> None:
    reference, name = _submitted(local)
    staff_page.goto("/staff/")
    sign_in_on_the_login_page(staff_page, "admin")
    expect(staff_page.locator("#who")).to_have_text("Signed in as admin@clinic.example (admin)")
    _open_by_reference(staff_page, reference)

    # A wrong reference typed: nothing is erased
    staff_page.get_by_label("Type the reference to confirm").fill("AAAA-AAAA")
    staff_page.get_by_role("button", name="Erase this request").click()
    expect(staff_page.locator("#status")).to_contain_text(f"Type the reference {reference}")
    assert len(items_named(local, name)) >= 1

    staff_page.get_by_label("Type the reference to confirm").fill(reference.lower())
    staff_page.get_by_role("button", name="Erase this request").click()

    expect(staff_page.locator("#status")).to_contain_text(f"Erased: {reference}.")
    expect(staff_page.get_by_role("heading", name="Appointment requests")).to_be_visible()
    assert all(item["reference"]["S"] != reference for item in items_named(local, name))


def test_a_staff_user_is_not_offered_and_is_refused_the_admin_actions(
    staff_page: Any, local: Local
) -> None:
    reference, name = _submitted(local)
    staff_page.goto("/staff/")
    sign_in_on_the_login_page(staff_page, "staff")
    expect(staff_page.locator("#export-tools")).to_be_hidden()
    _open_by_reference(staff_page, reference)
    expect(staff_page.locator("#erase-tools")).to_be_hidden()

    # Even with the tools forced onto the page, the API refuses
    staff_page.evaluate("document.getElementById('erase-tools').hidden = false")
    staff_page.get_by_label("Type the reference to confirm").fill(reference)
    staff_page.get_by_role("button", name="Erase this request").click()

    expect(staff_page.locator("#status")).to_have_text("Your account may not do this.")
    assert any(item["reference"]["S"] == reference for item in items_named(local, name))


def test_after_ten_idle_minutes_the_page_forgets_what_it_showed(
    staff_page: Any, local: Local
) -> None:
    reference, name = _submitted(local, full_name="Idle Check")
    staff_page.clock.install()
    staff_page.goto(f"/staff/#/requests/{reference}")
    sign_in_on_the_login_page(staff_page, "staff")
    expect(staff_page.locator("#details")).to_contain_text(name)

    # Nine minutes: still there
    staff_page.clock.fast_forward("09:00")
    expect(staff_page.locator("#details")).to_contain_text(name)
    # Eleven: signed out, through the login page's sign-out, and nothing of the request left
    staff_page.clock.fast_forward("02:00")

    expect(staff_page.locator("#signed-out-reason")).to_contain_text(SIGNED_OUT_IDLE)
    assert name not in staff_page.content()
    assert reference not in staff_page.locator("main").inner_text()
    expect(staff_page.locator("#sign-out")).to_be_hidden()


def test_sign_out_ends_the_session(staff_page: Any, local: Local) -> None:
    staff_page.goto("/staff/")
    sign_in_on_the_login_page(staff_page, "staff")
    expect(staff_page.locator("#requests")).to_be_visible()

    staff_page.get_by_role("button", name="Sign out").click()

    expect(staff_page.locator("#signed-out-reason")).to_have_text("You are signed out.")
    expect(staff_page.locator("#list-view")).to_be_hidden()
    # Back does not bring the list back: the page has no token any more
    staff_page.go_back()
    expect(staff_page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(staff_page.locator("#list-view")).to_be_hidden()


def _axe(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{page.url} scrolls sideways"


@pytest.mark.parametrize("width", [360, 1280])
def test_every_staff_page_has_no_axe_violations_and_fits_a_phone(
    new_page: Callable[..., Any], local: Local, width: int
) -> None:
    reference, _ = _submitted(local)
    page = new_page(width, 800)
    page.goto("/staff/")
    _axe(page)  # signed out
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize\?"))
    _axe(page)  # the login page
    page.go_back()
    sign_in_on_the_login_page(page, "admin")
    expect(page.locator("#requests tbody tr").first).to_be_visible()
    expect(page.locator("#figures-chart rect")).to_have_count(8)
    _axe(page)  # the list, with the call-back figures and chart, and the admin's export
    _open_by_reference(page, reference)
    _axe(page)  # a request, with the admin's erase
    page.get_by_role("button", name="Save").click()  # no status chosen
    expect(page.locator("#status")).to_have_text("Choose the new status first.")
    _axe(page)
    page.get_by_label("Closed", exact=True).check()  # the outcomes, shown
    expect(page.get_by_role("group", name="How did it end?")).to_be_visible()
    _axe(page)


def test_sign_in_is_offered_only_once_the_page_knows_where_to_sign_in(staff_page: Any) -> None:
    # A click before config.json arrived used to do nothing but say sign-in was unavailable
    staff_page.route("**/staff/config.json", lambda route: route.abort())
    staff_page.goto("/staff/")
    expect(staff_page.locator("#status")).to_have_text(
        "The inbox could not start. Reload the page."
    )
    expect(staff_page.get_by_role("button", name="Sign in")).to_be_disabled()

    staff_page.unroute("**/staff/config.json")
    staff_page.reload()
    expect(staff_page.get_by_role("button", name="Sign in")).to_be_enabled()


def _authorize_without_prompt(context: Any, local: Local) -> Any:
    """The login page asked for a code in this browser (its cookies), without prompt=login."""
    config = requests.get(f"{local.base_url}/staff/config.json", timeout=5).json()
    query = {
        "response_type": "code",
        "client_id": config["client_id"],
        "redirect_uri": f"{local.base_url}/staff/",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
    }
    login = f"{local.base_url}/_local/cognito/oauth2/authorize"
    return context.request.get(login, params=query, max_redirects=0)


def test_on_a_shared_pc_the_next_person_gives_password_and_code_again(
    staff_page: Any, local: Local
) -> None:
    # A nurse signs in, then closes the tab without signing out (the reception PC)
    staff_page.goto("/staff/")
    sign_in_on_the_login_page(staff_page, "staff")
    expect(staff_page.locator("#requests")).to_be_visible()
    context = staff_page.context
    staff_page.close()

    # The login page's own session is still there: without prompt=login, it would let anyone
    # at this browser in (the stand-in keeps it as Cognito's managed login does)...
    silent = _authorize_without_prompt(context, local)
    assert silent.status == 302
    assert "code=" in silent.headers["location"]

    # ...but the inbox asks for a fresh sign-in: the next person sees the password form.
    next_person = context.new_page()
    next_person.goto("/staff/")
    next_person.get_by_role("button", name="Sign in").click()
    next_person.wait_for_url(re.compile(r"/oauth2/authorize\?.*prompt=login"))
    expect(next_person.get_by_label("Password")).to_be_visible()
    expect(next_person.get_by_label("Authenticator code")).to_be_visible()
    expect(next_person.locator("#requests")).to_be_hidden()


def test_after_sign_out_the_login_page_forgets_the_session_too(
    staff_page: Any, local: Local
) -> None:
    staff_page.goto("/staff/")
    sign_in_on_the_login_page(staff_page, "staff")
    staff_page.get_by_role("button", name="Sign out").click()
    expect(staff_page.locator("#signed-out-reason")).to_have_text("You are signed out.")

    # Cognito's /logout ended the login page's session: nothing signs in without a password
    answer = _authorize_without_prompt(staff_page.context, local)
    assert answer.status == 200  # the sign-in form, not a code
    assert "Authenticator code" in answer.text()
