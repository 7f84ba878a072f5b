"""What SES says became of an email after it accepted it: its event destination's records.

The staff configuration set publishes bounce, complaint, reject and delivery-delay events to an
SNS topic, which delivers them to the alert queue (template.yaml: ``StaffEmailEventDestination``).
Their format is SES's event publishing record, not ours:
https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
Only what the pipeline acts on is read: the event type, the tags the mailer set (what the email
was, and the request's id), the recipients concerned and the bounce's type. Nothing of the
message's content is kept or logged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The tags SesMailer puts on every email (SES returns them in mail.tags).
MESSAGE_TAG = "intake-message"
REQUEST_TAG = "intake-request"

EventType = Literal[
    "Bounce",
    "Complaint",
    "Reject",
    "DeliveryDelay",
    "Delivery",
    "Send",
    "Open",
    "Click",
    "Rendering Failure",
    "Subscription",
]


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True, populate_by_name=True)


class Recipient(_Record):
    email_address: str = Field(alias="emailAddress")


class Mail(_Record):
    message_id: str = Field(alias="messageId")
    destination: tuple[str, ...] = ()
    tags: dict[str, tuple[str, ...]] = {}


class Bounce(_Record):
    bounce_type: str = Field(alias="bounceType")  # Permanent, Transient, Undetermined
    bounce_sub_type: str = Field("", alias="bounceSubType")
    bounced_recipients: tuple[Recipient, ...] = Field((), alias="bouncedRecipients")


class Complaint(_Record):
    complained_recipients: tuple[Recipient, ...] = Field((), alias="complainedRecipients")


class Delay(_Record):
    delay_type: str = Field("", alias="delayType")
    delayed_recipients: tuple[Recipient, ...] = Field((), alias="delayedRecipients")


class DeliveryEvent(_Record):
    """One SES event publishing record."""

    event_type: EventType = Field(alias="eventType")
    mail: Mail
    bounce: Bounce | None = None
    complaint: Complaint | None = None
    delivery_delay: Delay | None = Field(None, alias="deliveryDelay")

    def tag(self, name: str) -> str:
        values = self.mail.tags.get(name, ())
        return values[0] if values else ""

    @property
    def undelivered(self) -> bool:
        """The email will not arrive: it bounced, or SES rejected it (a virus found)."""
        return self.event_type in {"Bounce", "Reject"}

    @property
    def reason(self) -> str:
        """Why, as recorded on the request: ``Permanent/MailboxFull``, ``Reject``..."""
        if self.bounce is not None:
            return "/".join(p for p in (self.bounce.bounce_type, self.bounce.bounce_sub_type) if p)
        return self.event_type

    @property
    def recipients(self) -> tuple[str, ...]:
        """The addresses the event is about (for a rejection, every destination)."""
        listed: tuple[Recipient, ...] = ()
        if self.bounce is not None:
            listed = self.bounce.bounced_recipients
        elif self.complaint is not None:
            listed = self.complaint.complained_recipients
        elif self.delivery_delay is not None:
            listed = self.delivery_delay.delayed_recipients
        if listed:
            return tuple(r.email_address for r in listed)
        return self.mail.destination


def is_delivery_event(body: str) -> bool:
    """An SES record, not one of our messages (theirs have ``kind``; SES's ``eventType``)."""
    return '"eventType"' in body and '"kind"' not in body
