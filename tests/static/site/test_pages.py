"""The static site: CSP-safe markup, no third parties, small pages, and a form that agrees
with the API's model (the rules live once: in the pydantic model's JSON schema)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from intake_common.domain.models import AppointmentRequest
from scripts.site_index import INDEX, render

SITE = Path(__file__).resolve().parents[3] / "site"
# The public pages (one header and footer); the staff inbox has its own.
PAGES = sorted(SITE.glob("*.html"))
ALL_PAGES = sorted(SITE.rglob("*.html"))
STAFF_MODULES = sorted((SITE / "staff" / "js").glob("*.js"))


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if self.tags and self.tags[-1][0] == "script" and data.strip():
            self.inline_script = True


def _parse(path: Path) -> _Collect:
    parser = _Collect()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_pages_have_no_inline_script_or_style_and_no_third_party(page: Path) -> None:
    parsed = _parse(page)
    tags = [tag for tag, _ in parsed.tags]
    assert "style" not in tags
    assert not parsed.inline_script
    for tag, attrs in parsed.tags:
        assert "style" not in attrs, tag
        assert not any(name.startswith("on") for name in attrs), tag
        if tag in {"script", "img", "link", "iframe", "source"}:
            url = attrs.get("src") or attrs.get("href") or ""
            assert url.startswith("/"), (tag, url)
    assert ("html", {"lang": "en"}) in parsed.tags
    assert any(tag == "meta" and attrs.get("name") == "viewport" for tag, attrs in parsed.tags)
    assert "<title>" in page.read_text()


def test_form_page_weight_is_under_60_kib() -> None:
    scripts = sorted((SITE / "assets" / "js").glob("*.js"))
    total = sum((SITE / name).stat().st_size for name in ("index.html", "assets/site.css"))
    total += sum(script.stat().st_size for script in scripts)
    assert total < 60 * 1024, total


def test_search_index_is_up_to_date() -> None:
    assert INDEX.read_text(encoding="utf-8") == render(), "run `make site-index`"


def _form_controls() -> dict[str, list[dict[str, Any]]]:
    controls: dict[str, list[dict[str, Any]]] = {}
    parsed = _parse(SITE / "index.html")
    inside, select = False, None
    for tag, attrs in parsed.tags:
        if tag == "form" and attrs.get("id") == "appointment-form":
            inside = True
            assert attrs["action"] == "/api/appointments"
            assert attrs["method"] == "post"
        if not inside:
            continue
        if tag in {"input", "textarea", "select"} and attrs.get("name"):
            controls.setdefault(str(attrs["name"]), []).append({"tag": tag, **attrs})
            select = attrs["name"] if tag == "select" else None
        elif tag == "option" and select:
            controls[str(select)].append({"tag": "option", **attrs})
    return controls


def test_form_fields_are_exactly_the_models_fields() -> None:
    assert set(_form_controls()) == set(AppointmentRequest.model_json_schema()["properties"])


def test_form_constraints_agree_with_the_model_schema() -> None:
    schema = AppointmentRequest.model_json_schema()
    properties, required = schema["properties"], set(schema["required"])
    controls = _form_controls()
    for name, declared in properties.items():
        # Optional fields are `anyOf: [rule, null]`: check the rule.
        spec = {
            **declared,
            **next((s for s in declared.get("anyOf", []) if s != {"type": "null"}), {}),
        }
        first = controls[name][0]
        if "maxLength" in spec and first.get("type") != "hidden":
            assert first.get("maxlength") == str(spec["maxLength"]), name
        if first.get("type") == "radio" or first["tag"] == "select":
            values = {c["value"] for c in controls[name] if c.get("value")}
            assert values == set(spec["enum"]), name
        if first.get("type") not in {"hidden"}:
            assert ("required" in first) == (name in required), name
    assert controls["email"][0]["type"] == "email"
    assert controls["email"][0]["autocomplete"] == "email"
    assert controls["full_name"][0]["autocomplete"] == "name"
    assert controls["phone"][0]["type"] == "tel"
    assert controls["phone"][0]["autocomplete"] == "tel"
    assert controls["preferred_date"][0]["type"] == "date"
    assert controls["reason"][0]["maxlength"] == "1000"


def test_consent_version_is_the_privacy_notices_version() -> None:
    version = re.search(r'id="privacy-version">([^<]+)<', (SITE / "privacy.html").read_text())
    assert version is not None
    assert _form_controls()["consent_version"][0]["value"] == version.group(1)
    pattern = AppointmentRequest.model_json_schema()["properties"]["consent_version"]["pattern"]
    assert re.fullmatch(pattern, version.group(1))


def test_honeypot_is_hidden_from_people_and_assistive_technology() -> None:
    html = (SITE / "index.html").read_text()
    assert re.search(r'<div class="hp" aria-hidden="true">\s*<label for="website">', html)
    (honeypot,) = _form_controls()["website"]
    assert honeypot["tabindex"] == "-1"
    assert honeypot["autocomplete"] == "off"
    assert ".hp {" in (SITE / "assets" / "site.css").read_text()


def test_every_page_shares_the_same_header_and_footer() -> None:
    # Plain HTML has no includes: the shared parts are copied, and this keeps the copies equal.
    def part(page: Path, start: str, end: str) -> str:
        text = page.read_text(encoding="utf-8")
        return text[text.index(start) : text.index(end) + len(end)]

    headers = {
        part(page, '<header class="site-header">', "</header>").replace(
            'href="#request"', 'href="/#request"'
        )
        for page in PAGES
    }
    footers = {part(page, '<footer class="site-footer">', "</footer>") for page in PAGES}
    assert len(headers) == 1
    assert len(footers) == 1


def test_the_pages_error_messages_are_generated_from_the_servers_catalogue() -> None:
    # The form's words are the server's, generated (never copied by hand): make site-index.
    from scripts.site_index import MESSAGES, render_messages

    assert MESSAGES.read_text(encoding="utf-8") == render_messages(), "run `make site-index`"


def test_the_staff_page_is_not_indexed_and_its_script_writes_no_markup() -> None:
    page = (SITE / "staff" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in page
    script = "\n".join(m.read_text(encoding="utf-8") for m in STAFF_MODULES)
    # What staff see is set as text: a request's values can never become markup or script.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink


def test_the_staff_page_keeps_tokens_in_memory_only() -> None:
    script = "\n".join(m.read_text(encoding="utf-8") for m in STAFF_MODULES)
    assert not re.search(r"localStorage\s*[.\[]", script)
    assert not re.search(r"document\.cookie\s*=", script)
    # sessionStorage holds the PKCE verifier across the one redirect, and why a session ended
    assert set(re.findall(r"setItem\((\w+)", script)) == {"PKCE_KEY", "REASON_KEY"}
    assert 'PKCE_KEY = "staff.pkce"' in script


def _staff_page() -> str:
    return (SITE / "staff" / "index.html").read_text(encoding="utf-8")


def test_the_staff_page_knows_every_status_and_alert_state_of_the_item_contract() -> None:
    from typing import get_args

    from intake_common.domain.item import (
        ATTEMPT_RESULTS,
        OUTCOMES,
        STATUSES,
        AlertState,
        ConfirmationState,
    )
    from intake_common.domain.paging import VIEWS

    script = "\n".join(m.read_text(encoding="utf-8") for m in STAFF_MODULES)

    def labels(name: str) -> set[str]:
        found = re.search(rf"(?:var|const) {name} = \{{([^}}]*)\}}", script)
        assert found, name
        pairs = re.findall(r'(?:^|,)\s*("?\w+"?)\s*:\s*"', found.group(1))
        return {key.strip('"') for key in pairs}

    assert labels("STATUS_LABELS") == set(STATUSES)
    assert labels("ALERT_LABELS") == set(get_args(AlertState))
    assert labels("CONFIRMATION_LABELS") == set(get_args(ConfirmationState))
    assert labels("OUTCOME_LABELS") == set(OUTCOMES)
    assert labels("ATTEMPT_LABELS") == set(ATTEMPT_RESULTS)
    outcomes = set(re.findall(r'name="outcome" value="(\w+)"', page_text := _staff_page()))
    assert outcomes == set(OUTCOMES)  # the close form offers every outcome
    attempts = set(re.findall(r'data-attempt="(\w+)"', page_text))
    assert attempts == set(ATTEMPT_RESULTS)
    page = (SITE / "staff" / "index.html").read_text(encoding="utf-8")
    filter_options = re.search(r'<select id="filter-view".*?</select>', page, re.S)
    assert filter_options
    options = re.findall(r'<option value="(\w*)"( selected)?>', filter_options.group(0))
    assert {value for value, _ in options} == set(VIEWS)  # every list the API pages
    assert [value for value, selected in options if selected] == ["callback"]


def test_the_inbox_links_a_request_s_address_and_number_only_through_links_js() -> None:
    # A mailto: URL built by concatenation takes "?cc=...&body=..." from a typed address.
    main = (SITE / "staff" / "js" / "main.js").read_text(encoding="utf-8")
    assert not re.search(r"[\"'](mailto|tel):[\"']\s*\+", main)
    assert "mailto(item.email)" in main
    assert "tel(item.phone)" in main
