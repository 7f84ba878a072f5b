"""Whether what a visitor wrote suggests suicidal thoughts or self-harm.

The phrases, how they match and how they were reviewed are in ``crisis_phrases.json`` (English)
and ``crisis_phrases_es.json`` (Spanish), the lists: text is matched against both, whichever
page it came from. The form's pages use the same lists (generated into
``site/assets/crisis-phrases.json``) with the same matching, written again in
``site/assets/js/crisis.js``. The answer is a yes or a no: which words matched is never kept,
logged or sent anywhere.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

PHRASES_FILES = {"en": "crisis_phrases.json", "es": "crisis_phrases_es.json"}
_APOSTROPHES = "'\u2019\u2018\u02bc"


@cache
def phrase_list(language: str = "en") -> dict[str, Any]:
    """One language's list file as it is (phrases, examples, how it was reviewed)."""
    name = PHRASES_FILES[language]
    loaded: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    )
    return loaded


def normalise(text: str) -> str:
    """Compatibility-decomposed (NFKD) with the accents dropped (daño and dano alike), lower
    case, apostrophes dropped, anything but letters and digits a space; padded with one space
    each side so a phrase matches whole words (`` kill myself ``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
    kept = "".join(
        "" if char in _APOSTROPHES else char if char.isalnum() else " " for char in folded
    )
    return f" {' '.join(kept.split())} "


@cache
def _phrases() -> tuple[str, ...]:
    return tuple(
        normalise(phrase)
        for language in PHRASES_FILES
        for phrase in phrase_list(language)["phrases"]
    )


def suggests_crisis(text: str | None) -> bool:
    """True when a phrase of the list appears, as whole words, in ``text``."""
    if not text:
        return False
    normalised = normalise(text)
    return any(phrase in normalised for phrase in _phrases())
