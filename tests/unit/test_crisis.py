"""The crisis phrase list: what it matches and what it must not, and the page's copy of the
matching (site/assets/crisis.js) agreeing with the function's (intake_common/crisis.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_common.domain.crisis import normalise, phrase_list, suggests_crisis
from scripts.site_index import CRISIS, render_crisis
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


def test_the_sites_copy_of_the_list_is_up_to_date() -> None:
    assert CRISIS.read_text(encoding="utf-8") == render_crisis(), "run `make site-index`"


def _node_matches(texts: list[str]) -> list[bool]:
    """crisis.js, as the page loads it, on the site's generated list."""
    script = f"""
const crisis = require({json.dumps(str(SITE / "assets" / "crisis.js"))});
const list = require({json.dumps(str(CRISIS))});
const matches = crisis.matcher(list.phrases);
const texts = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(texts.map(matches)));
"""
    result = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    matched: list[bool] = json.loads(result.stdout)
    return matched


def test_the_page_and_the_function_agree_on_every_documented_example() -> None:
    texts = LIST["must_match"] + LIST["must_not_match"]

    assert _node_matches(texts) == [suggests_crisis(text) for text in texts]


_PIECES = st.sampled_from(
    [
        *LIST["phrases"],
        "I",
        "don't",
        "can’t",
        "want",
        "die",
        "self",
        "-",
        "harm",
        "ÉLAN",
        "ﬁne",  # a ligature NFKC unfolds
        "١٢",  # Arabic-Indic digits
        "\u00a0",
        "\n",
        ",",
        "!",
        "'",
        "_",
    ]
)


@settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(_PIECES, st.text(max_size=6)).map(str), min_size=1, max_size=12).map(
            " ".join
        ),
        min_size=300,
        max_size=300,
    )
)
def test_the_page_and_the_function_agree_on_random_text(texts: list[str]) -> None:
    # One node run per 300 generated texts (phrases mixed with punctuation and other scripts).
    assert _node_matches(texts) == [suggests_crisis(text) for text in texts]
