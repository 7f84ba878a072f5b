"""The leak guard: nothing a person submitted may leave the functions where the design says
it must not. Used by every test through the fixtures in tests/conftest.py.

What a test submits (through ``valid_fields`` or the ``invoke`` fixture) is registered; after
the test, the guard looks at everything that left the functions: log lines and metrics, SNS
messages and their attributes, every SQS body (the DLQ included), SMS texts, error bodies, and
staff emails (which may hold contact details, never the reason or the honeypot).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

# Fields whose values a person typed (a visitor, or staff in a note), and the secrets of the
# stack. Enum choices and booleans carry nothing personal.
SENSITIVE = ("full_name", "email", "phone", "reason", "website", "note", "secret")
# Never even in a staff email.
NEVER_IN_EMAIL = ("reason", "website", "note", "secret")


def _forms(value: str, name: str = "") -> set[str]:
    """The ways a value can show up: as typed, JSON-escaped, in either Unicode normal form,
    an address with its domain in lower case (or all of it), a phone's digits and its E.164
    form, and a name's first word alone (a greeting)."""
    forms = {value, json.dumps(value)[1:-1]}
    for normal in ("NFC", "NFD"):
        shaped = unicodedata.normalize(normal, value)
        forms |= {shaped, json.dumps(shaped)[1:-1]}
    if name == "email" and "@" in value:
        local, _, domain = value.rpartition("@")
        forms |= {f"{local}@{domain.lower()}", value.lower()}
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 7 and len(digits) >= len(value) // 2:
        forms |= {digits[-10:], f"+1{digits[-10:]}"}
    if name == "full_name":
        first = value.split()[0] if value.split() else ""
        if len(first) >= 4 and first.isalpha() and first not in _our_words():
            forms.add(Word(first))
    return {form for form in forms if len(form) >= 4}


class Word(str):
    """A form found only as a whole word (a first name inside "GetCallerIdentity" is not one)."""

    __slots__ = ()

    def found_in(self, text: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(self)}(?!\w)", text) is not None


def _found(form: str, text: str) -> bool:
    return form.found_in(text) if isinstance(form, Word) else form in text


@cache
def _our_words() -> frozenset[str]:
    """Capitalised words the code itself writes ("Local", "Urgent", "Export"...): a first name
    spelt like one cannot be told apart from the code's own output, so it is not looked for
    alone (the whole name still is)."""
    root = Path(__file__).resolve().parents[2]
    words: set[str] = set()
    for folder, pattern in (
        ("functions", "*.py"),
        ("infra", "*.py"),
        ("site", "*.html"),
        ("site", "*.js"),
    ):
        for file in (root / folder).rglob(pattern):
            words |= set(re.findall(r"\b[A-Z][a-z]{3,}\b", file.read_text(encoding="utf-8")))
    return frozenset(words)


# Every value registered in this pytest session: the local stack's own output is checked
# against it when the stack stops (its logs are in another process).
SESSION_VALUES: dict[str, set[str]] = {}


@dataclass
class LeakGuard:
    values: dict[str, set[str]] = field(default_factory=dict)
    error_bodies: list[str] = field(default_factory=list)

    def register(self, fields: Any) -> None:
        if not isinstance(fields, dict):
            return
        for name in SENSITIVE:
            value = fields.get(name)
            if isinstance(value, str) and value.strip():
                forms = _forms(value.strip(), name)
                self.values.setdefault(name, set()).update(forms)
                # The local stack's console (its request log, its banner) is checked against
                # the whole names: a first name alone may be a word of a URL or a banner.
                whole = {form for form in forms if not isinstance(form, Word)}
                SESSION_VALUES.setdefault(name, set()).update(whole)

    def register_secret(self, value: str) -> None:
        """A secret of the stack (the origin header, the confirmation ledger's key): in no
        log, message, text, email or error body, ever."""
        if len(value) >= 8:
            self.values.setdefault("secret", set()).add(value)

    def record_response(self, response: dict[str, Any]) -> None:
        if int(response.get("statusCode", 200)) >= 400:
            self.error_bodies.append(str(response.get("body") or ""))

    def _find(self, text: str, fields: tuple[str, ...] = SENSITIVE) -> list[str]:
        return sorted(
            f"{name}" for name in fields for form in self.values.get(name, ()) if _found(form, text)
        )

    def check(self, where: str, text: str, fields: tuple[str, ...] = SENSITIVE) -> None:
        found = self._find(text, fields)
        # The forms found are the tests' own made-up values: naming them says what to fix.
        forms = sorted(
            {form for name in found for form in self.values.get(name, ()) if _found(form, text)}
        )
        assert not found, (
            f"submitted {', '.join(sorted(set(found)))} leaked into {where} (as {forms[:5]})"
        )

    def check_outputs(self, logs: str) -> None:
        self.check("logs or metrics", logs)
        for body in self.error_bodies:
            self.check("an error body", body)

    def check_moto(self, account: str, region: str) -> None:
        """Everything moto's SNS, SQS and SES captured during the test."""
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends
        from moto.sqs.models import sqs_backends

        sns = sns_backends[account][region]
        for topic in sns.topics.values():
            for _, message, subject, attributes, _ in topic.sent_notifications:
                self.check("an SNS message", f"{message} {subject} {json.dumps(attributes)}")
        for _, text in sns.sms_messages.values():
            self.check("an SMS", text)
        for queue in sqs_backends[account][region].queues.values():
            for queued in queue._messages:
                self.check(f"an SQS body ({queue.name})", queued.body)
        for sent in ses_backends[account][region].sent_messages:
            raw = getattr(sent, "raw_data", "") or getattr(sent, "body", "")
            self.check("a staff email", _decoded(raw), NEVER_IN_EMAIL)


def _decoded(raw: str) -> str:
    import email

    message = email.message_from_string(raw)
    parts = [str(message["Subject"] or "")]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(parts)


# The guard of the running test (tests/conftest.py clears it before each test).
GUARD = LeakGuard()
