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
SPANISH_PAGES = sorted((SITE / "es").glob("*.html"))
ALL_PAGES = sorted(SITE.rglob("*.html"))
# The two appointment forms: English and Spanish.
FORMS = {"en": SITE / "index.html", "es": SITE / "es" / "index.html"}
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
    language = "es" if page.parent.name == "es" else "en"
    assert ("html", {"lang": language}) in parsed.tags
    assert any(tag == "meta" and attrs.get("name") == "viewport" for tag, attrs in parsed.tags)
    assert "<title>" in page.read_text()


def test_form_page_weight_is_under_60_kib() -> None:
    scripts = sorted((SITE / "assets" / "js").glob("*.js"))
    total = sum((SITE / name).stat().st_size for name in ("index.html", "assets/site.css"))
    total += sum(script.stat().st_size for script in scripts)
    assert total < 60 * 1024, total


def test_search_index_is_up_to_date() -> None:
    assert INDEX.read_text(encoding="utf-8") == render(), "run `make site-index`"


def _form_controls(language: str = "en") -> dict[str, list[dict[str, Any]]]:
    controls: dict[str, list[dict[str, Any]]] = {}
    parsed = _parse(FORMS[language])
    inside, select = False, None
    for tag, attrs in parsed.tags:
        if tag == "form" and attrs.get("id") == "appointment-form":
            inside = True
            # The Spanish form asks for its answers in Spanish (the API reads ?lang=).
            suffix = "?lang=es" if language == "es" else ""
            assert attrs["action"] == "/api/appointments" + suffix
            assert attrs["method"] == "post"
        if not inside:
            continue
        if tag in {"input", "textarea", "select"} and attrs.get("name"):
            controls.setdefault(str(attrs["name"]), []).append({"tag": tag, **attrs})
            select = attrs["name"] if tag == "select" else None
        elif tag == "option" and select:
            controls[str(select)].append({"tag": "option", **attrs})
    return controls


@pytest.mark.parametrize("language", FORMS)
def test_form_fields_are_exactly_the_models_fields(language: str) -> None:
    controls = _form_controls(language)
    assert set(controls) == set(AppointmentRequest.model_json_schema()["properties"])
    assert controls["language"][0]["value"] == language


@pytest.mark.parametrize("language", FORMS)
def test_form_constraints_agree_with_the_model_schema(language: str) -> None:
    schema = AppointmentRequest.model_json_schema()
    properties, required = schema["properties"], set(schema["required"])
    controls = _form_controls(language)
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


@pytest.mark.parametrize("language", FORMS)
def test_consent_version_is_the_privacy_notices_version(language: str) -> None:
    notice = FORMS[language].parent / "privacy.html"
    version = re.search(r'id="privacy-version">([^<]+)<', notice.read_text())
    assert version is not None
    assert _form_controls(language)["consent_version"][0]["value"] == version.group(1)
    pattern = AppointmentRequest.model_json_schema()["properties"]["consent_version"]["pattern"]
    assert re.fullmatch(pattern, version.group(1))


@pytest.mark.parametrize("language", FORMS)
def test_honeypot_is_hidden_from_people_and_assistive_technology(language: str) -> None:
    html = FORMS[language].read_text()
    assert re.search(r'<div class="hp" aria-hidden="true">\s*<label for="website">', html)
    (honeypot,) = _form_controls(language)["website"]
    assert honeypot["tabindex"] == "-1"
    assert honeypot["autocomplete"] == "off"
    assert ".hp {" in (SITE / "assets" / "site.css").read_text()


@pytest.mark.parametrize("pages", [PAGES, SPANISH_PAGES], ids=["en", "es"])
def test_every_page_shares_the_same_header_and_footer(pages: list[Path]) -> None:
    # Plain HTML has no includes: the shared parts are copied, and this keeps the copies equal.
    def part(page: Path, start: str, end: str) -> str:
        text = page.read_text(encoding="utf-8")
        return text[text.index(start) : text.index(end) + len(end)]

    def header(page: Path) -> str:
        text = part(page, '<header class="site-header">', "</header>")
        text = re.sub(r'href="(/es/|/)?#request"', 'href="#request"', text)
        # The language switch leads to this page's own counterpart.
        return re.sub(r'class="lang-switch" href="[^"]*"', 'class="lang-switch"', text)

    headers = {header(page) for page in pages}
    footers = {part(page, '<footer class="site-footer">', "</footer>") for page in pages}
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


def test_each_page_has_its_counterpart_in_the_other_language_and_says_so() -> None:
    # Every public page exists in both languages, links to the other in its header, and
    # declares both as hreflang alternates (English the default).
    assert [p.name for p in PAGES] == [p.name for p in SPANISH_PAGES]
    for english, spanish in zip(PAGES, SPANISH_PAGES, strict=True):
        en = "/" if english.name == "index.html" else f"/{english.name}"
        es = "/es/" if english.name == "index.html" else f"/es/{english.name}"
        for page, other, other_language in ((english, es, "es"), (spanish, en, "en")):
            tags = _parse(page).tags
            alternates = {
                a.get("hreflang"): a.get("href")
                for tag, a in tags
                if tag == "link" and a.get("rel") == "alternate"
            }
            assert alternates == {"en": en, "es": es, "x-default": en}, page
            switch = [a for tag, a in tags if tag == "a" and a.get("class") == "lang-switch"]
            assert switch == [
                {
                    "class": "lang-switch",
                    "href": other,
                    "hreflang": other_language,
                    "lang": other_language,
                }
            ], page


def test_spanish_pages_point_to_the_spanish_crisis_line_and_spanish_pages() -> None:
    for page in SPANISH_PAGES:
        text = page.read_text(encoding="utf-8")
        assert "marque 2" in text, page.name  # 988's Spanish option
        assert "AYUDA" in text, page.name  # text AYUDA to 988
        links = [a.get("href") or "" for tag, a in _parse(page).tags if tag == "a"]
        local = [h for h in links if h.startswith("/") and not h.startswith("/es/")]
        # Only the language switch leaves the Spanish pages.
        assert len(local) == 1, (page.name, local)


def test_a_directory_page_is_served_by_cloudfront_as_its_index() -> None:
    # S3 behind CloudFront has no directory index: each folder with an index.html (/es/,
    # /staff/) needs a behaviour whose viewer-request function adds it (template.yaml).
    from tests.support.stack import TEMPLATE

    resources = TEMPLATE["Resources"]
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    behaviours = config["CacheBehaviors"]
    for folder in sorted(p.parent.name for p in SITE.glob("*/index.html")):
        (behaviour,) = [b for b in behaviours if b["PathPattern"] == f"/{folder}/*"]
        (function,) = behaviour["FunctionAssociations"]
        assert function["EventType"] == "viewer-request"
        logical = function["FunctionARN"]["Fn::GetAtt"][0]
        code = resources[logical]["Properties"]["FunctionCode"]
        assert "request.uri.endsWith('/')" in code
        assert "request.uri += 'index.html'" in code
