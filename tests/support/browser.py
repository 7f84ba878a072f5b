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


# The form's labels as each language's page shows them.
FORM_LABELS = {
    "en": {
        "page": "/",
        "phone_call": "Phone call",
        "new_patient": "No, I am a new patient",
        "time": "Preferred time of day",
        "reason": "What would you like to talk about? (optional)",
    },
    "es": {
        "page": "/es/",
        "phone_call": "Llamada",
        "new_patient": "No, soy paciente nuevo",
        "time": "Hora del día que prefiere",
        "reason": "¿De qué le gustaría hablar? (opcional)",
    },
}


def fill_form(
    page: Any,
    name: str,
    reason: str = REASON,
    email: str = "visitor@example.org",
    language: str = "en",
) -> None:
    """The article's form, filled as a visitor would (everything registered with the guard),
    on the English page or the Spanish one."""
    labels = FORM_LABELS[language]
    GUARD.register({"full_name": name, "reason": reason, "phone": "(415) 555-2671"})
    page.goto(labels["page"])
    page.locator("#full_name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#phone").fill("(415) 555-2671")
    page.get_by_role("radio", name=labels["phone_call"]).check()
    page.get_by_label(labels["new_patient"]).check()
    page.get_by_label(labels["time"]).select_option("morning")
    page.get_by_label(labels["reason"]).fill(reason)
    page.locator("#consent").check()


def reference_shown(page: Any, language: str = "en") -> str:
    """The reference on the thank-you page the form leads to (``/es/`` for Spanish)."""
    prefix = "/es" if language == "es" else ""
    page.wait_for_url(re.compile(rf"{prefix}/thank-you\.html\?ref="))
    reference: str = page.locator("#reference").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    return reference


def accessible_and_first_party(page: Any, local: Local, path: str) -> None:
    """``path`` loaded: no axe-core violation, and no request to any host but the site's."""
    from urllib.parse import urlparse

    from axe_playwright_python.sync_playwright import Axe

    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(path)
    page.wait_for_load_state("networkidle")

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
    assert hosts == {urlparse(local.base_url).netloc}


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
