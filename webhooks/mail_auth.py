"""What a forwarded e-mail's Authentication-Results say (RFC 8601), and when they may be believed.

A failure counts wherever it is written: no scammer forges one against himself. A pass vouches for the sender
only when it can only have been written by the server that received the message: the sender may write an
"Authentication-Results: mx.google.com; dmarc=pass" header of his own, which survives when the patient's
provider adds none. Every server on the way prepends a Received line above what it got, so a result written
by the sender sits below at least one of them; only a result above every Received line was added on arrival.
"""
from __future__ import annotations

import re
from email.message import Message
from itertools import islice

_DMARC_PASS = re.compile(r"\bdmarc=pass\b[^;]{0,200}?\bheader\.from=([A-Za-z0-9.-]{1,253})", re.I)
# compauth is Microsoft 365's composite verdict: "fail" is its "this sender is spoofed"
# (https://knowledge.validity.com/hc/en-us/articles/360040988772, checked 2026-12-03).
_AUTH_FAIL = re.compile(r"\b(?:spf|dkim|dmarc|compauth)=(?:fail|softfail|permerror)\b", re.I)
MAX_HEADERS = 500  # header lines looked at for the order of Received and Authentication-Results


def failed(results: str) -> bool:
    """Any SPF, DKIM, DMARC or composite authentication failure in the joined results."""
    return bool(_AUTH_FAIL.search(results))


def arrival_result(msg: Message) -> str:
    """The Authentication-Results the receiving server added on arrival: the first one, when no Received line
    comes above it ("" otherwise: whoever wrote it cannot be told apart from the sender)."""
    for name, value in islice(msg.raw_items(), MAX_HEADERS):
        lowered = name.lower()
        if lowered == "received":
            return ""
        if lowered == "authentication-results":
            return " ".join(str(value).split())[:2048]
    return ""


def dmarc_passed(result: str, sender: str | None) -> bool:
    """`result` (the arrival result of an attached original) says DMARC passed for the From domain of `sender`.

    Only an attached original carries the receiving server's verdict on it; an inline forward's headers speak
    of the patient's own e-mail, so they never vouch for the forwarded sender.
    """
    domain = (sender or "").rsplit("@", 1)[-1].strip(" >").lower()
    return bool(domain) and any(m.group(1).lower() == domain for m in _DMARC_PASS.finditer(result))
