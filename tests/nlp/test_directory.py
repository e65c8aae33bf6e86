"""Recognising FINESS establishments through the SQLite directory, not the in-memory registry."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.report import Report
from nlp.directory import candidate_keys, name_variants
from store.finess import import_finess
from service.engine import build_triage, prepare_db

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "finess" / "etalab-cs1100507-stock-20260512-0339.csv"


@pytest.fixture(scope="module")
def triage(tmp_path_factory, triage):  # noqa: F811 - reuses the session engine's spaCy pipelines
    db = prepare_db(tmp_path_factory.mktemp("finess") / "vigie.sqlite3")
    import_finess(db, FIXTURE)
    engine = build_triage(db, cues=triage.analyser.cues)
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


def test_namesakes_in_different_towns_are_not_guessed(tmp_path, triage):
    lines = FIXTURE.read_text(encoding="cp1252").splitlines()[:1] + [
        "structureet;250000001;250000000;CLINIQUE SAINT JOSEPH;CLINIQUE SAINT JOSEPH;;;1;RUE;DU PONT;;;056;25;DOUBS;"
        "25000 BESANCON;0381000001;;365;Centre de Santé;1102;Centres Hospitaliers;25000000100011;8610Z;03;x;1;x;"
        "2000-01-01;2000-01-01;2020-01-01;",
        "structureet;690000001;690000000;CLINIQUE SAINT JOSEPH;CLINIQUE SAINT JOSEPH;;;1;RUE;DU LAC;;;123;69;RHONE;"
        "69003 LYON;0472000001;;365;Centre de Santé;1102;Centres Hospitaliers;69000000100011;8610Z;03;x;1;x;"
        "2000-01-01;2000-01-01;2020-01-01;",
    ]
    path = tmp_path / "namesakes.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    db = prepare_db(tmp_path / "v.sqlite3")
    import_finess(db, path)
    engine = build_triage(db, cues=triage.analyser.cues)
    unsure = engine.check(Report("Clinique Saint Joseph : réglez votre facture sur https://cliniq-paiement.com", "sms"))
    assert unsure.institution is None
    assert "Plusieurs établissements" in unsure.reply
    located = engine.check(Report("Clinique Saint Joseph de Lyon : réglez votre facture sur https://cliniq-paiement.com", "sms"))
    assert located.institution["id"] == "finess:690000001"
    assert "04 72 00 00 01" in located.reply
