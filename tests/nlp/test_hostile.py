"""Hostile messages: bounded work, a valid answer, and the over-budget path that still answers.

Timings are measured by bench/hostile.py; these tests check behaviour only."""
from __future__ import annotations

import copy
import secrets

import pytest

from bench.hostile import hostile
from bot import replies
from bot.verdict import VERDICTS
from config.settings import Settings
from nlp.analyse import MAX_CHARS, AnalysisError, AnalysisTimeout
from store.db import connect
from tests.webhooks.conftest import PUBLIC_URL, SCAM_SMS, TWILIO_TOKEN, twilio_form, twilio_post
from vigie.app import create_app

HOSTILE = hostile()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_message_gets_a_valid_verdict_and_a_reply(triage, report, name):
    verdict = triage.check(report(HOSTILE[name], channel="email"))
    assert verdict.verdict in VERDICTS
    assert verdict.reply.strip()
    assert len(verdict.text) <= MAX_CHARS


def test_a_long_message_is_cut_and_the_reply_says_so(triage, analyser, report):
    body = HOSTILE["email_body_50k"]
    assert analyser.analyse(body, channel="email").truncated
    verdict = triage.check(report(body, channel="email", lang="fr"))
    assert replies.t("fr", "misc", "truncated") in verdict.reply


def test_a_message_of_ordinary_length_is_not_cut_and_says_nothing_about_it(triage, report):
    verdict = triage.check(report(SCAM_SMS, lang="fr"))
    assert replies.t("fr", "misc", "truncated") not in verdict.reply


def test_runs_that_collapse_are_not_a_cut(analyser):
    found = analyser.analyse("Payez ici !!!!!!!!!!!!!!!!!!!!!!!!!!!! " + "€" * 10_000 + " maintenant")
    assert not found.truncated and found.text.endswith("maintenant")


def test_hidden_links_are_kept_when_a_long_body_is_cut(analyser):
    found = analyser.analyse(HOSTILE["email_body_50k"], channel="email",
                             hidden_links=["https://ameli-remboursement.info/x"])
    assert found.truncated
    assert "ameli-remboursement.info" in {x.registered for x in found.links}


def test_only_the_first_indicators_are_judged(analyser):
    found = analyser.analyse(HOSTILE["many_links"])
    assert 0 < len({x.url for x in found.links}) <= 30


def test_an_analysis_over_its_time_budget_raises_a_named_error(analyser):
    slow = copy.copy(analyser)
    slow.budget_s = -1.0  # every stage is over budget
    with pytest.raises(AnalysisTimeout) as caught:
        slow.analyse(SCAM_SMS)
    assert isinstance(caught.value, AnalysisError)


def test_an_over_budget_message_is_an_error_case_for_staff_and_the_patient_is_answered(tmp_path, triage):
    over = copy.copy(triage)
    over.analyser = copy.copy(triage.analyser)
    over.analyser.budget_s = -1.0
    settings = Settings(db_path=tmp_path / "vigie.sqlite3", secret_key=secrets.token_urlsafe(32),
                        data_key=secrets.token_urlsafe(32), public_url=PUBLIC_URL, twilio_auth_token=TWILIO_TOKEN)
    app = create_app(settings, senders={}, triage=over)
    resp = twilio_post(app.test_client(), twilio_form(SCAM_SMS))
    assert resp.status_code == 200
    assert triage.error_reply("fr") in resp.get_data(as_text=True)
    row = connect(app.config["VIGIE_DB"]).execute("SELECT status, text FROM cases").fetchone()
    assert row == ("error", SCAM_SMS)
