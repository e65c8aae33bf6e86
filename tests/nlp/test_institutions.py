"""Recognising the institution a message claims to be: case and accent blind, small typos allowed."""
from __future__ import annotations

import pytest

from nlp.institutions import recognise


def claimed(text, index):
    return [(m.id, text[m.span[0]:m.span[1]]) for m in recognise(text, index)]


@pytest.mark.parametrize("text, inst, shown", [
    ("ASSURANCE MALADIE : votre dossier", "ameli", "ASSURANCE MALADIE"),
    ("Bonjour, votre assurance maladie vous informe", "ameli", "assurance maladie"),
    ("l'Assurance Maladie vous informe", "ameli", "l'Assurance Maladie"),
    ("Votre Assurance-Maladie", "ameli", "Assurance-Maladie"),
    ("Doctolib : rappel", "doctolib", "Doctolib"),
    ("DOCTOLIB", "doctolib", "DOCTOLIB"),
    ("CPAM du Rhône", "ameli", "CPAM"),
    ("Mon espace santé", "monespacesante", "Mon espace santé"),
    ("mon espace sante", "monespacesante", "mon espace sante"),
    ("hopital prive de la miotte", "miotte-belfort", "hopital prive de la miotte"),
])
def test_names_are_recognised_whatever_the_case_and_accents(index, text, inst, shown):
    assert claimed(text, index)[0] == (inst, shown)


def test_exact_match_scores_full_marks(index):
    (match,) = recognise("Doctolib : rappel", index)
    assert match.score == 100.0


@pytest.mark.parametrize("text, inst", [("Doctolibb: rappel", "doctolib"), ("Chronopostt : colis", "chronopost")])
def test_small_misspelling_of_a_long_brand_is_recognised_with_a_lower_score(index, text, inst):
    (match,) = recognise(text, index)
    assert match.id == inst
    assert match.score < 100.0


def test_short_brands_are_not_matched_fuzzily(index):
    """'ameli' has 5 letters: a typo of it is too likely to be an ordinary word."""
    assert claimed("amelli", index) == []


@pytest.mark.parametrize("text", [
    "Bonjour, on mange ensemble demain ? Je passe te prendre à midi.",
    "le docteur a dit que la santé allait mieux",
    "Il fait beau à Paris, l'assurance de ma voiture est payée.",
    "Je suis malade, la mutuelle rembourse l'hôpital.",
    "Running late, see you at the clinic.",
])
def test_ordinary_text_claims_no_institution(index, text):
    assert claimed(text, index) == []


def test_a_brand_inside_a_longer_word_is_not_a_claim(index):
    assert claimed("Les nhsxyz et doctolibrairie", index) == []


def test_empty_and_punctuation_only_text_claims_nothing(index):
    assert recognise("", index) == [] and recognise(" !? … ", index) == []


@pytest.mark.parametrize("text", [
    "Thank you for registering your interest in government childcare schemes",  # not "gouvernement"
    "Your prescription is ready to collect",
])
def test_a_dictionary_word_is_never_taken_for_a_misspelt_brand(analyser, text):
    """The fuzzy match is for typos of brand names; an English or French word one or two letters
    from a brand ("government" / "gouvernement") is that word, and claims no institution."""
    assert recognise(text, analyser.index, analyser.cues.is_word) == []
    assert analyser.analyse(text, channel="sms", sender=None).institutions == ()


def test_a_misspelt_brand_is_still_recognised_beside_the_dictionary(analyser):
    (match,) = recognise("Doctolibe: confirmez votre rendez-vous", analyser.index, analyser.cues.is_word)
    assert match.id == "doctolib"
