"""Refanging: forwarded messages often defang links and addresses; Vigie must undo it."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.refang import refang

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize("defanged, plain", [
    ("hxxps://ameli[.]fr/x", "https://ameli.fr/x"),
    ("hXXp://evil(dot)com", "http://evil.com"),
    ("hxxps[:]//bad[.]site/a", "https://bad.site/a"),
    ("contact[at]ameli.fr", "contact@ameli.fr"),
    ("jean(at)gmail(.)com", "jean@gmail.com"),
    ("ameli{dot}fr", "ameli.fr"),
    ("ameli[point]fr", "ameli.fr"),
    ("ameli . fr", "ameli.fr"),
    ("ameli .fr/x", "ameli.fr/x"),
    ("ameli. fr", "ameli.fr"),
    ("HXXPS://ASSURE-AMELI[.]INFO", "https://ASSURE-AMELI.INFO"),
    ("h t t p s://ameli.fr/x", "https://ameli.fr/x"),
    ("h t t p s : / / ameli . fr", "https://ameli.fr"),
    ("http: //ameli.fr", "http://ameli.fr"),
    ("www. site. com", "www.site.com"),
    ("www .ameli. fr", "www.ameli.fr"),
    ("ameli . gouv . fr", "ameli.gouv.fr"),
    ("AMELI . FR", "AMELI.FR"),
    ("order a kit here: https://nhs-pcrtestkit . com.", "order a kit here: https://nhs-pcrtestkit.com."),
])
def test_defanged_links_and_addresses_are_restored(defanged, plain):
    assert refang(defanged) == plain


def test_defanged_link_inside_a_sentence_is_restored_and_the_rest_kept():
    text = "Cliquez sur hxxps://assure-ameli[.]info/rembt avant demain."
    assert refang(text) == "Cliquez sur https://assure-ameli.info/rembt avant demain."


@pytest.mark.parametrize("text", [
    "Bonjour. Fraternellement, votre médecin.",
    "Il est 10 h. Rendez-vous demain.",
    "Prix : 3.50 euros",
    "Appelez-nous (at home) ou [dotation] : rien à changer.",
    "Merci. Me voici à l'accueil.",
    "Il a dit h t t p puis s'est tu.",
    "Les www sont partout. Com-me toujours.",
    "Je suis venu. Me. Fr.",
])
def test_ordinary_sentences_are_left_alone(text):
    assert refang(text) == text


@FAST
@given(st.text(max_size=500))
def test_refang_never_raises_and_is_idempotent(text):
    once = refang(text)
    assert isinstance(once, str)
    assert refang(once) == once


@pytest.mark.parametrize("hostile", [
    "h " * 20_000 + "t", "www" + " ." * 20_000, "a" + " . " * 20_000 + "fr", "[.]" * 20_000, "h t t p" * 5_000,
])
def test_refang_stays_linear_on_hostile_text(hostile):
    # A catastrophic backtracking would take minutes here; the patterns take milliseconds.
    assert isinstance(refang(hostile), str)
