"""What a channel hands to the core: one forwarded message, channel-neutral."""
from __future__ import annotations

from dataclasses import dataclass

from config.channels import NAMES as CHANNELS  # noqa: F401 - the one list, re-exported for bot users


@dataclass(frozen=True)
class Report:
    """A suspicious message as forwarded by a patient."""

    text: str
    channel: str = "sms"
    sender: str | None = None  # who sent the suspicious message (sender ID, number, From)
    extra_senders: tuple[str, ...] = ()  # Reply-To of a forwarded e-mail (never Return-Path: a bounce address)
    subject: str | None = None
    hidden_links: tuple[str, ...] = ()  # link targets that differ from their visible text
    lang: str | None = None  # the patient's language when known
    auth_failed: bool = False  # the forwarded e-mail failed SPF/DKIM/DMARC
    auth_passed: bool = False  # DKIM or DMARC passed for the From domain: the sender is vouched for
    risky_attachments: tuple[str, ...] = ()  # extensions of attachments that run code or reconfigure a device

    def full_text(self) -> str:
        """Subject and body as one text, as the analyser sees it."""
        if self.subject and self.subject.strip() and self.subject.strip() not in self.text[:500]:
            return f"Objet / Subject : {self.subject.strip()}\n{self.text}"
        return self.text
