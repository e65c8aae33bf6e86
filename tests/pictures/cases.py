"""What the picture tests show and expect: real corpus scams, and how a missing engine is handled."""
from __future__ import annotations

import os

import pytest

ON_CI = bool(os.environ.get("CI"))
# Real scams of the corpus: h020 (a CPAM look-alike link, quoted by the press) and fse-9 (a bank
# call-back number); fsa-1 another carte Vitale campaign.
SCAM_LINK, SCAM_PHONE = "https://assures-amell.fr", "+33977197501"


def need(what: str, found: object, install: str) -> None:
    """Skip with a reason when a system part is missing; on CI (CI set) fail instead."""
    if found:
        return
    if ON_CI:
        pytest.fail(f"CI is set but {what} is missing: .ci/run must install it ({install})")
    pytest.skip(f"{what} is not installed: picture tests skipped ({install} to run them)")
