"""The Spanish pages in a real browser, through the local stack: the form filled and sent with
JavaScript on and off, Spanish field errors next to their fields, the Spanish thank-you pages,
the 988 box for Spanish crisis words (and not for ordinary Spanish worry), a confirmation in
Spanish, staff told "Prefers Spanish", and axe on every Spanish page at 360 and 1280 px."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    accessible_and_first_party,
    fill_form,
    items_named,
    reference_shown,
)
from tests.support.local_stack import Local

PAGES = {
    "article": "/es/",
    "thank-you": "/es/thank-you.html?ref=K7Q2-93XD",
    "request-received": "/es/request-received.html?ref=K7Q2-93XD",
    "privacy": "/es/privacy.html",
    "search": "/es/search.html?q=ansiedad",
    "not-found": "/es/404.html",
}
CRISIS = "Hay días en que quiero morirme y el pánico no para."
ORDINARY = "Siento que me voy a morir cuando me da el pánico, y el trabajo me está matando."
BOX_TEXT = "Parece que usted está pasando por un momento muy difícil."
REASON = "¿Pueden llamarme por la tarde? Tengo ansiedad casi todos los días."


def fill_spanish_form(page: Any, name: str, email: str = "visitante@example.org") -> None:
    fill_form(page, name, reason=REASON, email=email, language="es")
    page.get_by_label("Hora del día que prefiere").select_option("afternoon")


def test_the_spanish_form_is_sent_and_staff_are_told_prefers_spanish(
    page: Any, local: Local
) -> None:
    address = f"es-{uuid.uuid4().hex[:10]}@example.org"
    fill_spanish_form(page, "Begoña Ordóñez", email=address)
    page.get_by_label("Enviarme un correo de confirmación").check()
    page.get_by_role("button", name="Enviar solicitud").click()

    reference = reference_shown(page, "es")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Gracias: recibimos su solicitud").is_visible()
    # The language switch keeps the reference
    switch = page.get_by_role("link", name="English")
    assert switch.get_attribute("href") == f"/thank-you.html?ref={reference}"

    (item,) = items_named(local, "Begoña Ordóñez")
    assert item["language"]["S"] == "es"

    def arrived() -> bool:
        emails = local.outbox()["emails"]
        return any(e["to"] == [address] for e in emails) and any(
            reference in e["subject"] and e["to"] != [address] for e in emails
        )

    assert local.wait_for(arrived)
    emails = local.outbox()["emails"]
    (confirmation,) = [e for e in emails if e["to"] == [address]]
    assert confirmation["subject"] == f"Su solicitud a Riverbend Clinic, referencia {reference}"
    assert confirmation["text"].startswith("Hola, Begoña:")
    assert "marque 2 para español" in confirmation["text"]
    staff = [e for e in emails if reference in e["subject"] and e["to"] != [address]]
    assert staff
    assert all("Language: Prefers Spanish" in e["text"] for e in staff)
    assert local.wait_for(lambda: any(reference in s["message"] for s in local.outbox()["sms"]))
    (text,) = [s for s in local.outbox()["sms"] if reference in s["message"]]
    assert text["message"].endswith("Prefers Spanish.")


def test_spanish_errors_show_next_to_their_fields(page: Any, local: Local) -> None:
    page.goto("/es/")
    page.get_by_label("Nombre completo").fill("Ana3")
    page.locator("#email").fill("no-es-un-correo")
    page.get_by_role("radio", name="Mensaje de texto").check()
    page.get_by_role("button", name="Enviar solicitud").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    expect(page.locator("#form-status")).to_contain_text("Revise")
    assert page.locator("#email-error").inner_text().startswith("Escriba un correo electrónico")
    assert page.locator("#full_name-error").inner_text().startswith("En su nombre")
    assert "mensajes de texto" in page.locator("#sms_consent-error").inner_text()
    assert "aviso de privacidad" in page.locator("#consent-error").inner_text()
    assert "Correo electrónico: Escriba" in summary.inner_text()
    assert page.locator("#email").input_value() == "no-es-un-correo"
    assert items_named(local, "Ana3") == []


def test_server_errors_come_back_in_spanish_next_to_their_field(page: Any, local: Local) -> None:
    fill_spanish_form(page, "Comprobación Servidor")
    page.get_by_label("Teléfono").fill("(555) 000-0000")  # passes the page, not the server
    page.get_by_role("button", name="Enviar solicitud").click()

    page.locator("#phone-error").wait_for(state="visible")
    assert page.locator("#phone-error").inner_text().startswith("Escriba un número")
    assert items_named(local, "Comprobación Servidor") == []


def test_without_javascript_the_spanish_form_posts_and_answers_in_spanish(
    browser: Any, local: Local
) -> None:
    context = browser.new_context(base_url=local.base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        fill_spanish_form(page, "Sin Script")
        page.get_by_role("button", name="Enviar solicitud").click()
        page.wait_for_url(re.compile(r"/es/thank-you\.html\?ref="))
        (item,) = items_named(local, "Sin Script")
        assert item["language"]["S"] == "es"

        fill_spanish_form(page, "Sin Script Dos")
        page.locator("#email").fill("roto")
        page.get_by_role("button", name="Enviar solicitud").click()
        assert page.get_by_role("heading", name="Revise su solicitud, por favor").is_visible()
        assert page.locator("html").get_attribute("lang") == "es"
        back = page.get_by_role("link", name="Abrir otra vez el formulario de citas")
        assert back.get_attribute("href") == "/es/#request"
        assert "roto" not in page.content()
        assert items_named(local, "Sin Script Dos") == []
    finally:
        context.close()


def test_the_988_box_comes_forward_for_spanish_crisis_words_not_for_ordinary_worry(
    page: Any,
) -> None:
    page.goto("/es/")
    box = page.locator("#crisis-now")
    reason = page.get_by_label("¿De qué le gustaría hablar? (opcional)")

    reason.fill(ORDINARY)
    page.wait_for_timeout(800)  # longer than the page's 300 ms pause after typing
    assert box.inner_text() == ""

    reason.fill(ORDINARY + " " + CRISIS)
    expect(box).to_contain_text(BOX_TEXT)
    expect(box).to_contain_text("marcar 2 para español")
    expect(box).to_contain_text("AYUDA al 988")
    expect(box.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")

    reason.fill("quiero hacerme dano")  # typed without accents, as on many phones
    expect(box).to_contain_text(BOX_TEXT)


def test_a_spanish_crisis_request_lands_on_the_page_with_988_first(page: Any) -> None:
    fill_form(page, "Urgente Prueba", reason=CRISIS, language="es")
    page.get_by_role("button", name="Enviar solicitud").click()
    page.locator("#crisis-now").get_by_text("Enviar solicitud").wait_for()  # the box, once
    page.get_by_role("button", name="Enviar solicitud").click()

    page.wait_for_url(re.compile(r"/es/request-received\.html\?ref="))
    assert page.get_by_role("heading", name="No tiene que esperarnos").is_visible()


def test_search_on_a_spanish_page_finds_the_spanish_pages_first(page: Any) -> None:
    page.goto("/es/search.html?q=informacion")
    results = page.locator("#search-results li a")
    expect(results.first).to_have_attribute("href", re.compile(r"^/es/"))
    expect(page.locator("#search-status")).to_contain_text("coincide")


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_spanish_page_has_no_axe_violations_and_no_third_party_requests(
    new_page: Any, local: Local, name: str, width: int
) -> None:
    page = new_page(width=width, height=900)
    accessible_and_first_party(page, local, PAGES[name])
    assert page.locator("html").get_attribute("lang") == "es"
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_spanish_form_with_errors_and_the_988_box_has_no_axe_violations(
    new_page: Any, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = new_page(width=width, height=900)
    page.goto("/es/")
    page.get_by_label("¿De qué le gustaría hablar? (opcional)").fill(CRISIS)
    page.get_by_role("button", name="Enviar solicitud").click()
    page.locator("#crisis-now").get_by_text("Enviar solicitud").wait_for()
    page.get_by_role("button", name="Enviar solicitud").click()
    page.locator("#error-summary").wait_for(state="visible")

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
