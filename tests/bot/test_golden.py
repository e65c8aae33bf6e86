"""Golden cases: labelled messages (written for these tests) pin what the engine answers.

Each line of tests/data/golden.jsonl: id, text, channel, sender, lang, `expected` (a verdict or a
list of accepted verdicts), `must_have_codes` (reason codes the verdict must give) and, when the
engine disagrees with the expectation today, `xfail` (why): the expectation stays, the case is a
strict xfail until the engine is fixed.
"""
from __future__ import annotations

import pytest

from bot.replies import texts
from bot.verdict import VERDICTS
from tests.bot.golden import CASES, accepted, golden_report

def _param(case: dict):
    marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_golden_case_gets_the_expected_verdict_and_reasons(triage, case):
    verdict = triage.check(golden_report(case))
    codes = [r.code for r in verdict.reasons]
    assert verdict.verdict in accepted(case), f"{verdict.verdict} ({verdict.score:.2f}) {codes}"
    missing = [c for c in case["must_have_codes"] if c not in codes]
    assert not missing, f"missing {missing}; got {codes}"


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES if c.get("lang")])
def test_golden_case_is_answered_in_its_language(triage, case):
    assert triage.check(golden_report(case)).lang == case["lang"]


# --- the golden file itself ---------------------------------------------------------------------

def test_golden_ids_are_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))


def test_golden_expectations_are_verdicts_and_codes_have_texts():
    known = set(texts("fr")["reasons"])
    for case in CASES:
        assert set(accepted(case)) <= set(VERDICTS), case["id"]
        assert set(case["must_have_codes"]) <= known, case["id"]


def test_golden_set_covers_every_verdict_both_languages_and_channels():
    verdicts = {v for c in CASES for v in accepted(c)}
    assert verdicts == set(VERDICTS)
    assert {c["lang"] for c in CASES} == {"fr", "en"}
    assert {"sms", "email"} <= {c["channel"] for c in CASES}
    assert sum(not c.get("xfail") for c in CASES) >= 30
