"""Recognising FINESS establishments through the SQLite directory, not the in-memory registry."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.report import Report
from nlp.directory import candidate_keys, name_variants
from store.finess import import_finess
from vigie.engine import build_triage, prepare_db

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "finess" / "etalab-cs1100507-stock-20260512-0339.csv"


@pytest.fixture(scope="module")
def triage(tmp_path_factory, triage):  # noqa: F811 - reuses the session engine's spaCy pipelines
    db = prepare_db(tmp_path_factory.mktemp("finess") / "vigie.sqlite3")
    import_finess(db, FIXTURE)
    engine = build_triage(db)
    engine.analyser.cues = triage.analyser.cues
    return engine


def test_name_variants_cover_abbreviations_and_particles():
    assert {"ch de fleyriat", "centre hospitalier de fleyriat", "ch fleyriat"} <= name_variants("ch de fleyriat")


def test_candidate_keys_start_at_an_establishment_word():
    keys = [k for _, _, k in candidate_keys("rdv au ch de belfort demain".split())]
    assert "ch de belfort" in keys and not any(k.startswith("rdv") for k in keys)


def test_establishment_named_by_its_short_name_is_recognised_with_its_official_number(triage):
    verdict = triage.check(Report("Le CH de Fleyriat vous informe d'un impayé. Réglez par carte ici : "
                                  "https://fleyriat-paiement.com", "sms"))
    assert verdict.institution["id"] == "finess:010000024"
    assert verdict.verdict in ("scam", "suspicious")
    assert "04 74 45 46 47" in verdict.reply


def test_long_form_of_an_abbreviated_name_is_recognised(triage):
    verdict = triage.check(Report("Centre hospitalier de Fleyriat : votre rendez-vous est confirmé.", "sms"))
    assert verdict.institution and verdict.institution["id"] == "finess:010000024"


def test_the_official_number_of_the_named_establishment_counts_for_legitimacy(triage):
    verdict = triage.check(Report("CH de Fleyriat : pour toute question appelez le 04 74 45 46 47.", "sms"))
    phone = next(p for p in verdict.phones if p["number"] == "+33474454647")
    assert phone["status"] == "official"
    assert "phone_official" in {r.code for r in verdict.reasons}


def test_an_overseas_establishment_keeps_its_own_country_code(triage):
    verdict = triage.check(Report("Centre hospitalier de Cayenne : appelez le 05 94 39 50 50.", "sms"))
    assert verdict.institution["id"] == "finess:970300026"
    assert any(p["status"] == "official" for p in verdict.phones)
