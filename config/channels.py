"""The channel table: what every part of Vigie asks about a channel instead of comparing its name."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelTraits:
    """What is true of one channel a report can come in on (one row of the table)."""

    name: str
    sms_like: bool  # a phone text: the sender is a number or ID worth asking for, links break "never by SMS"
    segments: int | None  # the reply fits in this many SMS segments (GSM-7 / UCS-2 counted); None: no limit
    window_hours: int | None  # follow-ups only this long after the patient last wrote (free-form); None: any time
    follow_up: str | None  # the provider that sends a follow-up ("twilio", "telegram", "smtp"); None: none
    reply: str  # the reply format: "sms" (short: two reasons), "chat" (plain), "email", "json", "page"
    report_as: str  # which public reporting service fits it: "sms" (33700), "email", "chat" (the app's own), "all"
    received: bool  # a patient received the suspicious message on it (offered on the try-it page, the API)
    adapter: str  # the module of webhooks/ that takes it in (one adapter may serve several channels)
    # The wording alone may vouch for a message ("legitimate" on genuine-sounding words): not on
    # e-mail, where anything can be forged and long texts read smoothly.
    wording_vouches: bool = True
    # The provider proves who wrote (a Telegram account, a WhatsApp account): a command that erases data is
    # obeyed at once. An SMS number or an e-mail From can be forged: OUBLI is first confirmed with a code
    # sent back to that number or address, which only its owner reads.
    sender_proven: bool = True


# Adding a channel: one adapter module in webhooks/ and one row here.
CHANNELS: tuple[ChannelTraits, ...] = (
    ChannelTraits("sms", sms_like=True, segments=3, window_hours=None, follow_up="twilio", reply="sms",
                  report_as="sms", received=True, adapter="twilio_sms", sender_proven=False),
    # 33700 takes SMS only: a WhatsApp or Telegram message is reported in the app itself.
    ChannelTraits("whatsapp", sms_like=True, segments=None, window_hours=24, follow_up="twilio", reply="chat",
                  report_as="chat", received=True, adapter="twilio_sms"),
    ChannelTraits("telegram", sms_like=False, segments=None, window_hours=None, follow_up="telegram",
                  reply="chat", report_as="chat", received=True, adapter="telegram_bot"),
    ChannelTraits("email", sms_like=False, segments=None, window_hours=None, follow_up="smtp", reply="email",
                  report_as="email", received=True, adapter="mailgun", wording_vouches=False, sender_proven=False),
    ChannelTraits("api", sms_like=False, segments=None, window_hours=None, follow_up=None, reply="json",
                  report_as="all", received=False, adapter="api"),
    ChannelTraits("web", sms_like=False, segments=None, window_hours=None, follow_up=None, reply="page",
                  report_as="all", received=False, adapter="try_it"),
)
NAMES: tuple[str, ...] = tuple(c.name for c in CHANNELS)
_BY_NAME = {c.name: c for c in CHANNELS}
_UNKNOWN = ChannelTraits("", sms_like=False, segments=None, window_hours=None, follow_up=None, reply="chat",
                         report_as="all", received=False, adapter="")


def traits(name: str) -> ChannelTraits:
    """The row of channel `name` (a channel Vigie does not know has no special trait)."""
    return _BY_NAME.get(name, _UNKNOWN)


def received_on() -> tuple[str, ...]:
    """The channels a patient receives messages on, in table order."""
    return tuple(c.name for c in CHANNELS if c.received)


def adapters() -> tuple[str, ...]:
    """The adapter modules of webhooks/, once each, in table order."""
    return tuple(dict.fromkeys(c.adapter for c in CHANNELS))


def served_by(provider: str) -> tuple[str, ...]:
    """The channels whose follow-ups `provider` sends."""
    return tuple(c.name for c in CHANNELS if c.follow_up == provider)
