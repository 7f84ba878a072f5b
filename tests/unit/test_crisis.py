"""The crisis phrase list: what it matches and what it must not (the page's copy and matcher:
tests/static/site/test_crisis_page.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_common.domain.crisis import normalise, phrase_list, suggests_crisis
from tests.support.builders import stored

SITE = Path(__file__).resolve().parents[2] / "site"
LIST = phrase_list()


@pytest.mark.parametrize("text", LIST["must_match"])
def test_each_documented_crisis_sentence_matches(text: str) -> None:
    assert suggests_crisis(text)


@pytest.mark.parametrize("text", LIST["must_not_match"])
def test_ordinary_anxiety_wording_does_not_match(text: str) -> None:
    assert not suggests_crisis(text)


def test_phrases_match_whole_words_in_any_case_and_punctuation() -> None:
    assert suggests_crisis("SUICIDAL.")
    assert suggests_crisis("i can’t go on")  # a typographic apostrophe
    assert suggests_crisis("self-harm")
    assert not suggests_crisis("suicidewatch forum")  # not a whole word
    assert not suggests_crisis("")
    assert not suggests_crisis(None)


def test_the_list_is_short_documented_and_every_phrase_is_already_normalised() -> None:
    assert 10 <= len(LIST["phrases"]) <= 60
    assert LIST["about"]
    assert LIST["reviewed"]
    for phrase in LIST["phrases"]:
        assert normalise(phrase).strip() == phrase, phrase
    assert len(set(LIST["phrases"])) == len(LIST["phrases"])


def test_a_request_is_marked_urgent_and_nothing_else_is_kept_of_the_words() -> None:
    urgent = stored(reason="Some days I want to die.")
    calm = stored(reason="Panic attacks on the train.")

    assert urgent.urgent is True
    assert calm.urgent is False
    stored_fields = set(urgent.attributes())
    assert stored_fields == set(calm.attributes())  # no field records which words matched
