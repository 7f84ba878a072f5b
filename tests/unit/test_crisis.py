"""The crisis phrase list: what it matches and what it must not (the page's copy and matcher:
tests/static/site/test_crisis_page.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_common.domain.crisis import PHRASES_FILES, normalise, phrase_list, suggests_crisis
from tests.support.builders import stored

SITE = Path(__file__).resolve().parents[2] / "site"
LANGUAGES = list(PHRASES_FILES)
MUST_MATCH = [text for language in LANGUAGES for text in phrase_list(language)["must_match"]]
MUST_NOT = [text for language in LANGUAGES for text in phrase_list(language)["must_not_match"]]


@pytest.mark.parametrize("text", MUST_MATCH)
def test_each_documented_crisis_sentence_matches(text: str) -> None:
    assert suggests_crisis(text)


@pytest.mark.parametrize("text", MUST_NOT)
def test_ordinary_anxiety_wording_does_not_match(text: str) -> None:
    # Against every language's phrases: a Spanish sentence must not fire an English phrase.
    assert not suggests_crisis(text)


def test_spanish_matches_with_or_without_accents_and_in_capitals() -> None:
    assert suggests_crisis("Quiero hacerme daño")
    assert suggests_crisis("quiero hacerme dano")
    assert suggests_crisis("AUTOLESIÓN")
    assert suggests_crisis("autolesion")
    assert suggests_crisis("me quiero morir")
    assert not suggests_crisis("me quiero mudar")
    assert not suggests_crisis("tengo miedo de morir")  # a panic symptom, not a wish


def test_phrases_match_whole_words_in_any_case_and_punctuation() -> None:
    assert suggests_crisis("SUICIDAL.")
    assert suggests_crisis("i can’t go on")  # a typographic apostrophe
    assert suggests_crisis("self-harm")
    assert not suggests_crisis("suicidewatch forum")  # not a whole word
    assert not suggests_crisis("")
    assert not suggests_crisis(None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_list_is_short_documented_and_every_phrase_is_already_normalised(
    language: str,
) -> None:
    listed = phrase_list(language)
    assert 10 <= len(listed["phrases"]) <= 60
    assert listed["about"]
    assert listed["reviewed"]
    assert len(listed["must_match"]) >= 10
    assert len(listed["must_not_match"]) >= 10
    for phrase in listed["phrases"]:
        assert normalise(phrase).strip() == phrase, phrase
    assert len(set(listed["phrases"])) == len(listed["phrases"])


def test_a_request_is_marked_urgent_and_nothing_else_is_kept_of_the_words() -> None:
    urgent = stored(reason="Some days I want to die.")
    calm = stored(reason="Panic attacks on the train.")

    assert urgent.urgent is True
    assert calm.urgent is False
    stored_fields = set(urgent.attributes())
    assert stored_fields == set(calm.attributes())  # no field records which words matched
