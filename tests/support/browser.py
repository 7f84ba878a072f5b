"""What the browser tests do again and again: fill the public form, read the reference, sign
in to the staff inbox, look at what the local stack stored."""

from __future__ import annotations

import re
from typing import Any

from intake_local.cognito import PASSWORD, USERS
from tests.support.leaks import GUARD
from tests.support.local_stack import Local
from tests.support.staff import fresh_totp

REASON = "Worry, most days."


def items_named(local: Local, name: str) -> list[dict[str, Any]]:
    items = local.client("dynamodb").scan(TableName=local.stack["table"])["Items"]
    return [item for item in items if item["full_name"]["S"] == name]


def fill_form(
    page: Any, name: str, reason: str = REASON, email: str = "visitor@example.org"
) -> None:
    """The article's form, filled as a visitor would (everything registered with the guard)."""
    GUARD.register({"full_name": name, "reason": reason, "phone": "(415) 555-2671"})
    page.goto("/")
    page.locator("#full_name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#phone").fill("(415) 555-2671")
    page.get_by_role("radio", name="Phone call").check()
    page.get_by_label("No, I am a new patient").check()
    page.get_by_label("Preferred time of day").select_option("morning")
    page.get_by_label("What would you like to talk about? (optional)").fill(reason)
    page.locator("#consent").check()


def reference_shown(page: Any) -> str:
    """The reference on the thank-you page the form leads to."""
    page.wait_for_url(re.compile(r"/thank-you\.html\?ref="))
    reference: str = page.locator("#reference").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    return reference


def sign_in_on_the_login_page(page: Any, group: str) -> None:
    """From the inbox's "Sign in" button through the login page (email, password, code)."""
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize\?"))
    page.get_by_label("Email").fill(USERS[group])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(fresh_totp())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/#/"))
    page.locator("#who").wait_for(state="visible")
