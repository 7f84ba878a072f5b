"""The page's copy of the crisis list (site/assets/crisis-phrases.json) and its matcher
(site/assets/js/crisis.js, run in node) agreeing with the function's
(intake_common/domain/crisis.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_common.domain.crisis import PHRASES_FILES, phrase_list, suggests_crisis
from scripts.site_index import CRISIS, render_crisis

SITE = Path(__file__).resolve().parents[3] / "site"
LISTS = [phrase_list(language) for language in PHRASES_FILES]


def test_the_sites_copy_of_the_list_is_up_to_date() -> None:
    assert CRISIS.read_text(encoding="utf-8") == render_crisis(), "run `make site-index`"


def _node_matches(texts: list[str]) -> list[bool]:
    """crisis.js, as the page loads it, on the site's generated list."""
    module = (SITE / "assets" / "js" / "crisis.js").as_uri()
    script = f"""
import {{ readFileSync }} from "node:fs";
const crisis = await import({json.dumps(module)});
const list = JSON.parse(readFileSync({json.dumps(str(CRISIS))}, "utf8"));
const matches = crisis.matcher(list.phrases);
const texts = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify(texts.map(matches)));
"""
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    matched: list[bool] = json.loads(result.stdout)
    return matched


def test_the_page_and_the_function_agree_on_every_documented_example() -> None:
    texts = [text for listed in LISTS for text in listed["must_match"] + listed["must_not_match"]]

    assert _node_matches(texts) == [suggests_crisis(text) for text in texts]


_PIECES = st.sampled_from(
    [
        *(phrase for listed in LISTS for phrase in listed["phrases"]),
        "I",
        "don't",
        "can’t",
        "want",
        "die",
        "self",
        "-",
        "harm",
        "ÉLAN",
        "daño",
        "AUTOLESIÓN",
        "¿",
        "ñ",
        "e\u0301",  # a decomposed accent
        "İ",  # a capital with a dot that lower-casing treats apart
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
