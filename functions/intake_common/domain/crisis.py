"""Whether what a visitor wrote suggests suicidal thoughts or self-harm.

The phrases, how they match and how they were reviewed are in ``crisis_phrases.json``, the one
list: the form's page uses the same file (generated into ``site/assets/crisis-phrases.json``)
with the same matching, written again in ``site/assets/js/crisis.js``. The answer is a yes or a no:
which words matched is never kept, logged or sent anywhere.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

PHRASES_FILE = "crisis_phrases.json"
_APOSTROPHES = "'\u2019\u2018\u02bc"


@cache
def phrase_list() -> dict[str, Any]:
    """The list file as it is (phrases, examples, how it was reviewed)."""
    loaded: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath(PHRASES_FILE).read_text(encoding="utf-8")
    )
    return loaded


def normalise(text: str) -> str:
    """Lower case, NFKC, apostrophes dropped, anything but letters and digits a space; padded
    with one space each side so a phrase matches whole words (`` kill myself ``)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(
        "" if char in _APOSTROPHES else char if char.isalnum() else " " for char in folded
    )
    return f" {' '.join(kept.split())} "


@cache
def _phrases() -> tuple[str, ...]:
    return tuple(normalise(phrase) for phrase in phrase_list()["phrases"])


def suggests_crisis(text: str | None) -> bool:
    """True when a phrase of the list appears, as whole words, in ``text``."""
    if not text:
        return False
    normalised = normalise(text)
    return any(phrase in normalised for phrase in _phrases())
