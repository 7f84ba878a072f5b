"""The site's few deployment values, written into the pages as they are published.

The privacy notice states the retention the stack really has (``RetentionDays``,
``BackupRetentionDays``), ``assets/config.json`` turns the form's human check on
(``TurnstileSiteKey``), and ``staff/config.json`` tells the inbox where to sign in
(``StaffLoginUrl``, ``StaffUserPoolClientId``), and the thank-you page and the privacy
notice promise the call-back target the stack has (``ClinicHours``, ``CallbackTargetHours``,
``UrgentCallbackMinutes``). ``make publish-site`` renders the pages with
the stack's outputs before uploading them; the local stack serves them rendered with its
parameters and its stand-in sign-in.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from intake_common.domain.clinic_hours import CallbackTargets, ClinicHours

# <span data-stack="RetentionDays">365</span>: the text between the tags is the stack's value.
_VALUE = re.compile(r'(<span data-stack="(?P<name>[A-Za-z]+)">)(?P<text>[^<]*)(</span>)')
CONFIG = "assets/config.json"
STAFF_CONFIG = "staff/config.json"
VALUES = (
    "RetentionDays",
    "BackupRetentionDays",
    "TurnstileSiteKey",
    "StaffLoginUrl",
    "StaffUserPoolClientId",
    "ClinicHours",
    "ClinicTimezone",
    "CallbackTargetHours",
    "UrgentCallbackMinutes",
    "SiteUrl",
)
# <link rel="alternate" hreflang="es" href="/es/">: search engines need the full address
# (https://developers.google.com/search/docs/specialty/international/localized-versions), which
# only the stack knows (SiteUrl, CloudFront's address).
_ALTERNATE = re.compile(r'(<link rel="alternate" hreflang="[a-z-]+" href=")(/[^"]*)(")')
# Minutes without a key press or a click after which the inbox forgets what it showed.
IDLE_MINUTES = 10


def render(relative: str, content: bytes, values: dict[str, str]) -> bytes:
    """The file as it is served for a stack with these values."""
    if relative == CONFIG:
        config = {"turnstile_site_key": values.get("TurnstileSiteKey", "")}
        return (json.dumps(config) + "\n").encode()
    if relative == STAFF_CONFIG:
        staff = {
            "login_url": values.get("StaffLoginUrl", ""),
            "client_id": values.get("StaffUserPoolClientId", ""),
            "idle_minutes": IDLE_MINUTES,
        }
        return (json.dumps(staff) + "\n").encode()
    if not relative.endswith(".html"):
        return content

    values = {**values, **_promise(values)}

    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        text = html.escape(values[name]) if name in values else match.group("text")
        return f"{match.group(1)}{text}{match.group(4)}"

    page = _VALUE.sub(value, content.decode("utf-8"))
    site_url = values.get("SiteUrl", "").rstrip("/")
    if site_url:
        page = _ALTERNATE.sub(lambda m: f"{m[1]}{html.escape(site_url)}{m[2]}{m[3]}", page)
    return page.encode("utf-8")


def _promise(values: dict[str, str]) -> dict[str, str]:
    """``CallbackPromise``: the call-back target in a visitor's words ("within one working
    day"), from the stack's hours and target (``domain/clinic_hours.py``); and
    ``CallbackPromiseEs``, the same for the Spanish pages ("en un día hábil")."""
    if not {"ClinicHours", "ClinicTimezone", "CallbackTargetHours"} <= set(values):
        return {}
    targets = CallbackTargets(
        ClinicHours.parse(values["ClinicHours"], ZoneInfo(values["ClinicTimezone"])),
        target_hours=float(values["CallbackTargetHours"]),
    )
    return {"CallbackPromise": targets.promise(), "CallbackPromiseEs": targets.promise("es")}


def read(site: Path, relative: str, values: dict[str, str]) -> bytes:
    return render(relative, (site / relative).read_bytes(), values)
