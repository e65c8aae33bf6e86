"""What a forwarded e-mail's Authentication-Results say (RFC 8601), and what they may prove.

A failure counts wherever it is written: no scammer forges one against himself. A pass proves nothing: the
sender may write an "Authentication-Results: mx.google.com; dmarc=pass" header of his own, which survives when
the patient's provider adds none, and a crafted original attached to a scam can carry any header in any order
(Received lines included). Vigie cannot tell the receiving server's result from a forgery in a forwarded copy,
so a forwarded sender is never vouched for by its headers (`Report.auth_passed` stays for a channel that
authenticates the sender itself).
"""
from __future__ import annotations

import re

# compauth is Microsoft 365's composite verdict: "fail" is its "this sender is spoofed"
# (https://knowledge.validity.com/hc/en-us/articles/360040988772, checked 2026-12-03).
_AUTH_FAIL = re.compile(r"\b(?:spf|dkim|dmarc|compauth)=(?:fail|softfail|permerror)\b", re.I)


def failed(results: str) -> bool:
    """Any SPF, DKIM, DMARC or composite authentication failure in the joined results."""
    return bool(_AUTH_FAIL.search(results))
