"""Build the site's generated files: ``site/assets/search-index.json`` (the small prebuilt
index the site's search uses) and ``site/assets/crisis-phrases.json`` (the crisis phrase list,
from ``functions/intake_common/domain/crisis_phrases.json``, the one list).

``make site-index`` writes them; a test fails when either is out of date.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

SITE = ROOT / "site"
INDEX = SITE / "assets" / "search-index.json"
CRISIS = SITE / "assets" / "crisis-phrases.json"
# Pages a visitor would look for (not the thank-you, search or error pages).
PAGES = {"index.html": "/", "privacy.html": "/privacy.html"}
_SKIP = {"script", "style", "header", "footer", "form", "noscript"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.description = ""
        self.headings: list[str] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self._skipping: list[bool] = []
        self._skip = 0
        self._current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "meta" and attributes.get("name") == "description":
            self.description = attributes.get("content") or ""
        if tag in {"meta", "link", "input", "br", "img"}:
            return
        self._stack.append(tag)
        # Hidden parts (the empty error summary) and the skip link are not page content.
        skipped = tag in _SKIP or "hidden" in attributes or attributes.get("class") == "skip"
        self._skipping.append(skipped)
        self._skip += skipped
        if tag in {"h1", "h2", "h3", "title"}:
            self._current = []

    def handle_endtag(self, tag: str) -> None:
        if not self._stack or self._stack[-1] != tag:
            return
        self._stack.pop()
        self._skip -= self._skipping.pop()
        text = " ".join("".join(self._current).split())
        if tag == "title":
            self.title = text.split(" - ")[0]
        elif tag in {"h1", "h2", "h3"} and not self._skip:
            self.headings.append(text)

    def handle_data(self, data: str) -> None:
        self._current.append(data)
        if not self._skip and "title" not in self._stack:
            self.text.append(data)


def build_index(site: Path = SITE) -> list[dict[str, Any]]:
    pages = []
    for name, url in PAGES.items():
        parser = _Page()
        parser.feed((site / name).read_text(encoding="utf-8"))
        text = " ".join(" ".join(parser.text).split())
        summary = parser.description or re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        pages.append(
            {
                "url": url,
                "title": parser.title,
                "summary": summary[:200],
                "headings": parser.headings,
                "text": text,
            }
        )
    return pages


def render(site: Path = SITE) -> str:
    return json.dumps(build_index(site), ensure_ascii=False, indent=1) + "\n"


def render_crisis() -> str:
    """What the form's page needs of the crisis list: its phrases (and when it was reviewed)."""
    from intake_common.domain.crisis import phrase_list

    source = phrase_list()
    generated = {
        "generated_from": "functions/intake_common/domain/crisis_phrases.json (make site-index)",
        "reviewed": source["reviewed"],
        "phrases": source["phrases"],
    }
    return json.dumps(generated, ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":  # pragma: no cover
    INDEX.write_text(render(), encoding="utf-8")
    CRISIS.write_text(render_crisis(), encoding="utf-8")
