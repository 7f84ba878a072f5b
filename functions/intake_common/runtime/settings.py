"""Settings: one model per function, read from the environment once, at cold start.

Nothing else in the functions reads ``os.environ`` (Powertools reads its own ``POWERTOOLS_*``).
"""

from __future__ import annotations

import os
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from intake_common.domain.clinic_hours import CallbackTargets, ClinicHours
from intake_common.runtime.origin import MAX_AGE_SECONDS, OriginSecret


def _split_list(value: object) -> object:
    """Environment lists are comma separated; empty entries are dropped."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CommaList = Annotated[tuple[str, ...], BeforeValidator(_split_list)]


class _EnvModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)

    table_name: Annotated[str, Field(alias="TABLE_NAME", min_length=3)]
    clinic_timezone: Annotated[str, Field(alias="CLINIC_TIMEZONE")] = "America/New_York"

    @field_validator("clinic_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("CLINIC_TIMEZONE is not an IANA time zone") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.clinic_timezone)

    @classmethod
    def from_env(cls) -> Self:
        """The settings, from the environment the template gives the function."""
        return cls.model_validate(dict(os.environ))


class _Targets(_EnvModel):
    """The call-back targets (domain/clinic_hours.py): opening hours in the clinic's zone, a
    request's target in opening hours, an urgent one's in minutes around the clock."""

    clinic_hours: Annotated[str, Field(alias="CLINIC_HOURS")] = "Mon-Fri 09:00-17:00"
    callback_target_hours: Annotated[
        float, Field(alias="CALLBACK_TARGET_HOURS", gt=0, le=24 * 14)
    ] = 8
    urgent_callback_minutes: Annotated[
        int, Field(alias="URGENT_CALLBACK_MINUTES", ge=5, le=24 * 60)
    ] = 60

    @model_validator(mode="after")
    def _readable_hours(self) -> Self:
        self.targets  # noqa: B018 - raises BadHours (a ValueError) on hours it cannot read
        return self

    @property
    def targets(self) -> CallbackTargets:
        return CallbackTargets(
            ClinicHours.parse(self.clinic_hours, self.zone),
            target_hours=self.callback_target_hours,
            urgent_minutes=self.urgent_callback_minutes,
        )


class _OriginChecked(_EnvModel):
    """The API functions: which secret's values CloudFront sends in X-Origin-Verify
    (runtime/origin.py). None: every request is refused, unless the check is turned off,
    which only a local stack may do (ORIGIN_CHECK=off)."""

    origin_secret_arn: Annotated[str, Field(alias="ORIGIN_SECRET_ARN")] = ""
    origin_secret_max_age: Annotated[
        float, Field(alias="ORIGIN_SECRET_MAX_AGE_SECONDS", gt=0, le=300)
    ] = MAX_AGE_SECONDS
    origin_check: Annotated[Literal["on", "off"], Field(alias="ORIGIN_CHECK")] = "on"

    def origin_secret(self, agent: str) -> OriginSecret | None:
        if not self.origin_secret_arn:
            return None
        return OriginSecret(self.origin_secret_arn, agent, max_age=self.origin_secret_max_age)


class SubmitSettings(_OriginChecked):
    """What ``submit_request`` needs."""

    topic_arn: Annotated[str, Field(alias="TOPIC_ARN", pattern=r"^arn:aws[a-z-]*:sns:")]
    retention_days: Annotated[int, Field(alias="RETENTION_DAYS", ge=1, le=3650)] = 365
    allowed_origins: Annotated[CommaList, Field(alias="ALLOWED_ORIGINS")] = ()
    thank_you_path: Annotated[str, Field(alias="THANK_YOU_PATH", pattern=r"^/")] = "/thank-you.html"
    # The same page with the 988 box first, for a request that suggests a crisis (a neutral
    # name: it stays in the browser's history).
    urgent_thank_you_path: Annotated[str, Field(alias="URGENT_THANK_YOU_PATH", pattern=r"^/")] = (
        "/request-received.html"
    )
    form_path: Annotated[str, Field(alias="FORM_PATH", pattern=r"^/")] = "/#request"
    sweep_grace_minutes: Annotated[int, Field(alias="SWEEP_GRACE_MINUTES", ge=1, le=1440)] = 5
    # Cloudflare Turnstile (off when empty): checked before anything is stored.
    turnstile_secret: Annotated[SecretStr, Field(alias="TURNSTILE_SECRET")] = SecretStr("")
    turnstile_verify_url: Annotated[
        str, Field(alias="TURNSTILE_VERIFY_URL", pattern=r"^https?://")
    ] = "https://challenges.cloudflare.com/turnstile/v0/siteverify"


class RedriveSettings(SubmitSettings, _Targets):
    """What the scheduled re-drive needs: the submit side, and where alert budgets are kept."""

    limits_table: Annotated[str, Field(alias="LIMITS_TABLE", min_length=3)]
    budget_window_minutes: Annotated[int, Field(alias="BUDGET_WINDOW_MINUTES", ge=1, le=1440)] = 60


class StaffSettings(_Targets, _OriginChecked):
    """What the staff API needs: the tables (an erase marks the limits table) and the origin
    header."""

    audit_table: Annotated[str, Field(alias="AUDIT_TABLE", min_length=3)]
    # Where the weekly call-back figures are kept (the alert limits table).
    limits_table: Annotated[str, Field(alias="LIMITS_TABLE", min_length=3)]
    # After this many call attempts (over more than one day) without reaching the person, the
    # inbox offers closing the request as "unreachable".
    unreachable_after: Annotated[int, Field(alias="UNREACHABLE_AFTER_ATTEMPTS", ge=1, le=20)] = 3


class NotifySettings(_Targets):
    """What ``notify_staff`` needs. Either channel may be empty: it is then skipped."""

    limits_table: Annotated[str, Field(alias="LIMITS_TABLE", min_length=3)]
    # The alert budget (budget.py): requests alerted one by one per window and channel.
    sms_per_window: Annotated[int, Field(alias="SMS_ALERTS_PER_WINDOW", ge=1, le=10**6)] = 20
    emails_per_window: Annotated[int, Field(alias="EMAIL_ALERTS_PER_WINDOW", ge=1, le=10**6)] = 60
    budget_window_minutes: Annotated[int, Field(alias="BUDGET_WINDOW_MINUTES", ge=1, le=1440)] = 60

    # Visitors' confirmation emails: their own caps, apart from the staff alerts' budget.
    confirmations_per_hour: Annotated[
        int, Field(alias="CONFIRMATIONS_PER_HOUR", ge=1, le=10**5)
    ] = 20
    confirmations_per_day: Annotated[int, Field(alias="CONFIRMATIONS_PER_DAY", ge=1, le=10**6)] = (
        100
    )

    sender_email: Annotated[str, Field(alias="SENDER_EMAIL")] = ""
    # The SES configuration set that requires TLS for staff email (empty: SES's default).
    ses_configuration_set: Annotated[str, Field(alias="SES_CONFIGURATION_SET")] = ""
    # The visitors' confirmations' own set, with SES's suppression list (empty: SES's default).
    confirmation_configuration_set: Annotated[
        str, Field(alias="CONFIRMATION_CONFIGURATION_SET")
    ] = ""
    staff_emails: Annotated[CommaList, Field(alias="STAFF_EMAILS")] = ()
    staff_phones: Annotated[CommaList, Field(alias="STAFF_PHONES")] = ()
    # Who hears of an urgent request nobody called back in time (empty: the staff channels).
    escalation_emails: Annotated[CommaList, Field(alias="ESCALATION_EMAILS")] = ()
    escalation_phones: Annotated[CommaList, Field(alias="ESCALATION_PHONES")] = ()
    alert_detail: Annotated[Literal["contact", "minimal"], Field(alias="ALERT_DETAIL")] = "minimal"
    # The staff inbox; an alert links to ``<staff_url>#/requests/<reference>``.
    staff_url: Annotated[str, Field(alias="STAFF_URL", pattern=r"^(https?://\S+/)?$")] = ""
    send_lease_seconds: Annotated[int, Field(alias="SEND_LEASE_SECONDS", ge=5, le=900)] = 120
    # The visitor's confirmation email: how to reach the clinic, and the ledger's hashing key
    # (one confirmation per address per day).
    clinic_phone: Annotated[
        str, Field(alias="CLINIC_PHONE", pattern=r"^(\+[1-9][0-9]{7,14})?$")
    ] = ""
    confirmation_key: Annotated[SecretStr, Field(alias="CONFIRMATION_KEY")] = SecretStr("")

    @field_validator("staff_phones", "escalation_phones")
    @classmethod
    def _e164(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for phone in value:
            if not (phone.startswith("+") and phone[1:].isdigit() and 8 <= len(phone) <= 16):
                raise ValueError("STAFF_PHONES must be E.164 numbers")
        return value


class CanarySettings(_EnvModel):
    """What the canary needs: the site it sends its test request through, and where it reads
    its delivery attributes and records its erase."""

    site_url: Annotated[str, Field(alias="SITE_URL", pattern=r"^https?://\S+$")]
    audit_table: Annotated[str, Field(alias="AUDIT_TABLE", min_length=3)]
    # How long the request may take to be stored and alerted before the canary fails.
    timeout_seconds: Annotated[float, Field(alias="CANARY_TIMEOUT_SECONDS", gt=0, le=600)] = 180
