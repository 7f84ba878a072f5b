"""The visitor's words in both languages: every key of every catalogue exists in English and in
Spanish, and the answers follow the language asked for (errors.py; the no-JavaScript pages'
words, web.py; the confirmation's, render.py). The page's own words are checked by node
(tests/js/form.test.mjs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import ValidationError

from intake_common.domain import errors
from intake_common.domain.models import AppointmentRequest
from notify_staff import render
from submit_request import web
from tests.support.data import valid_fields

CATALOGUES: dict[str, Mapping[Any, Any]] = {
    "field labels": errors.LABELS,
    "field messages": errors._MESSAGES_BY_LANGUAGE,
    "generic messages": errors._GENERIC_BY_LANGUAGE,
    "fill in": errors._FILL_IN,
    "problems": errors.PROBLEMS,
    "no-JavaScript pages": web._PAGE_WORDS,
    "confirmation email": render._CONFIRMATION,
}


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_key_exists_in_both_languages_with_words(name: str) -> None:
    catalogue = CATALOGUES[name]
    assert set(catalogue) == set(errors.LANGUAGES)
    english, spanish = catalogue["en"], catalogue["es"]
    if isinstance(english, str):
        assert spanish.strip()
        assert spanish != english
        return
    assert set(spanish) == set(english)
    for key in english:
        assert spanish[key].strip(), key
    # Translated, not copied (a few words are the same in both, like "JSON" answers' codes).
    assert sum(spanish[key] != english[key] for key in english) >= len(english) - 1


def test_the_same_placeholders_are_filled_in_both_languages() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for name in ("fill in", "confirmation email"):
        english, spanish = CATALOGUES[name]["en"], CATALOGUES[name]["es"]
        if isinstance(english, str):
            assert fields(spanish) == fields(english)
            continue
        for key in english:
            assert fields(spanish[key]) == fields(english[key]), (name, key)


def test_every_code_the_model_can_raise_has_words_in_both_languages() -> None:
    bad = valid_fields(
        full_name="",
        email="x" * 300,
        phone="call me",
        preferred_contact="pigeon",
        visit_type="",
        preferred_date="tomorrow",
        preferred_time="dawn",
        reason="\x07",
        consent=False,
        consent_version="no spaces",
        language="fr",
        unknown_field="x",
    )
    with pytest.raises(ValidationError) as caught:
        AppointmentRequest.model_validate(bad)
    details = caught.value.errors(include_input=False)
    english = errors.field_errors(details, "en")
    spanish = errors.field_errors(details, "es")

    assert [(e["field"], e["code"]) for e in spanish] == [(e["field"], e["code"]) for e in english]
    assert len(english) >= 10
    for en, es in zip(english, spanish, strict=True):
        assert en["message"] != es["message"], en["field"]
    # An unknown key is a problem of the whole request, in Spanish too, and never named.
    (body,) = [e for e in spanish if e["field"] == "body"]
    assert body == {
        "field": "body",
        "code": "extra_forbidden",
        "message": "La solicitud tiene un campo que no es parte del formulario.",
    }


def test_the_language_asked_for_is_english_unless_spanish() -> None:
    assert errors.language_of("es") == "es"
    for other in ("en", "fr", "ES", None, "", 1):
        assert errors.language_of(other) == "en"
    assert web.localised("/thank-you.html", "es") == "/es/thank-you.html"
    assert web.localised("/es/thank-you.html", "es") == "/es/thank-you.html"
    assert web.localised("/thank-you.html", "en") == "/thank-you.html"
