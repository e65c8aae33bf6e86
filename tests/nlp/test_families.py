"""Scam families as data: every pattern matches its own examples and no near-miss; labels are complete."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pytest

from bot import replies
from nlp import families
from nlp.cues import CueFinder
from nlp.lang import detect, is_other_language
from nlp.normalise import normalise_mapped
from nlp.refang import refang_mapped
from vigie.corpus import load_all, real

PATTERNS = families.all_patterns()
LABELS = families.labels()
# Everyday French of genuine health and public-service messages: none of it is a scam cue alone.
EVERYDAY_FR = [
    "Cliquez sur le lien pour confirmer votre rendez-vous.",
    "Merci de nous répondre sous 7 jours.",
    "Vos résultats seront disponibles sous 48 heures.",
    "Félicitations pour la naissance de votre enfant !",
    "Prenez votre traitement comme prescrit par votre médecin.",
    "Venez à jeun pour la prise de sang de 8 h.",
    "Répondez OUI pour confirmer ou NON pour annuler.",
    "Répondez STOP pour ne plus recevoir de SMS.",
]


@pytest.fixture(scope="module")
def finder() -> CueFinder:
    return CueFinder()


def _fired(finder: CueFinder, text: str, lang: str) -> set[str]:
    """Pattern ids of the cues found in `text` (a negated request, moved to advice, is not a cue)."""
    if lang == "xx":
        cues, _ = finder.find(text, "en", other_language=True)
    else:
        cues, _ = finder.find(text, lang)
    return {c.pattern_id for c in cues}


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.id for p in PATTERNS])
def test_every_pattern_matches_its_examples_and_not_its_near_misses(finder, pattern):
    assert pattern.match and pattern.no_match, f"{pattern.id} needs match and no_match examples"
    for text in pattern.match:
        assert pattern.id in _fired(finder, text, pattern.lang), f"{pattern.id} misses {text!r}"
    for text in pattern.no_match:
        assert pattern.id not in _fired(finder, text, pattern.lang), f"{pattern.id} matches {text!r}"


def test_pattern_ids_are_unique_and_name_their_language_and_label():
    ids = [p.id for p in PATTERNS]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    for p in PATTERNS:
        assert p.id.startswith(f"{p.lang}-{p.label}-"), p.id


def test_every_pattern_label_is_defined_once_with_a_weight_and_both_reason_texts():
    codes = [label.code for fam in families.families() for label in fam.labels]
    assert sorted({c for c in codes if codes.count(c) > 1}) == []
    for p in PATTERNS:
        assert p.label in LABELS, f"{p.id}: label {p.label} is defined in no family"
    for code, label in LABELS.items():
        assert 0.0 <= label.weight < 1.0, code
        if code != "family_address":  # weighs 0: only named combinations use it, it is never a reason
            assert label.reason("fr").strip() and label.reason("en").strip(), code


def test_the_loader_exposes_the_decision_tables():
    weights, lures, policies = families.cue_weights(), families.lures(), families.policies()
    assert weights["bank_request"] == 0.70 and weights["family_address"] == 0.0
    assert {"delivery_lure", "refund_bait"} <= lures and "urgency" not in lures
    assert policies["bank_request"] == "bank_details" and "urgency" not in policies
    assert set(lures) | set(policies) <= set(weights)


def test_every_family_has_a_description_and_a_pattern():
    for fam in families.families():
        assert fam.description.strip(), fam.name
        assert fam.patterns, fam.name


def test_cue_reasons_come_from_the_families_and_keep_their_placeholders():
    for lang in ("fr", "en"):
        assert replies.t(lang, "reasons", "bank_request") == families.reason_texts(lang)["bank_request"]
        assert replies.t(lang, "reasons", "link_lookalike", domain="x.test")  # non-cue reasons stay in the TOML


def test_the_digest_covers_every_family_file_by_name_and_bytes():
    folder = Path(families.__file__).parent / "families"
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.toml")):
        h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    assert families.digest() == h.hexdigest()


@pytest.mark.parametrize("text", EVERYDAY_FR)
def test_everyday_french_is_not_a_scam_cue(finder, text):
    cues, _ = finder.find(text, "fr")
    weighed = {c.code for c in cues if families.cue_weights().get(c.code, 0.0) > 0}
    assert not weighed, f"{text!r} fires {weighed}"


def _corpus_hits(finder: CueFinder) -> dict[str, set[str]]:
    """Pattern id -> the corpus messages it fires on, read as the analyser reads them."""
    hits: dict[str, set[str]] = defaultdict(set)
    for case in real(load_all()):
        text = refang_mapped(normalise_mapped(case.text)).text
        lang = case.lang if case.lang in ("fr", "en") else detect(text)
        cues, advice = finder.find(text, lang, is_other_language(text))
        for cue in cues + advice:
            hits[cue.pattern_id].add(case.id or case.text)
    return hits


def test_no_pattern_is_the_memory_of_one_corpus_message(finder):
    hits = _corpus_hits(finder)
    single = sorted(pid for pid, messages in hits.items() if len(messages) == 1)
    assert single == [], "generalise or remove the patterns that fire on one corpus message only"


def test_every_cue_label_the_decision_knows_is_still_defined_by_a_family():
    from bot.evidence import CUE_WEIGHTS, LURES, POLICY_OF_CUE

    assert set(CUE_WEIGHTS) <= set(LABELS)
    assert {code: LABELS[code].weight for code in CUE_WEIGHTS} == CUE_WEIGHTS
    assert LURES <= families.lures() and POLICY_OF_CUE.items() <= families.policies().items()
