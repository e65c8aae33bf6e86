"""What a log may say of a failure: its type and where it broke, never its message.

An exception's message can quote what it was given — a patient's text, a phone number in a provider's
"invalid 'To' number" error, an address in a parse error — and logs are kept and shipped longer and wider
than the data they describe."""
from __future__ import annotations

import traceback


def failure(exc: BaseException) -> str:
    """'TypeName' and the traceback's frames (file, line, code), without the exception's message."""
    frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
    return f"{type(exc).__name__}\nTraceback (most recent call last):\n{frames}" if frames else type(exc).__name__
