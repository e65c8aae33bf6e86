"""Normalisation before analysis: evasions (look-alike letters, zero-width characters, missing
accents, capitals, spaced links) read like the original, and spans map back to what was sent."""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.disguise import disguised_words
from nlp.normalise import normalise, normalise_mapped, original_span
from nlp.types import DISGUISED

FAST = settings(max_examples=300, deadline=None)
GOLDEN = {c["id"]: c for c in map(json.loads, (Path(__file__).parents[1] / "data" / "golden.jsonl")
                                   .read_text("utf-8").splitlines()) if c}
SCAMS = ["fr-ameli-refund-lookalike", "fr-vitale-new-card-email", "fr-hospital-invoice-payment",
         "fr-ameli-refund-defanged"]


def lookalikes(text: str) -> str:
    """Cyrillic "е", Greek "ο" and lunate sigma "ϲ" for the Latin letters they imitate, in the words
    (in a link they make another domain: see the homograph test below)."""
    return re.sub(r"\S+", lambda m: m.group(0) if re.search(r"://|@|\w\.\w\w", m.group(0)) else
                  m.group(0).replace("e", "\u0435").replace("o", "\u03bf").replace("c", "\u03f2"), text)


def zero_width(text: str) -> str:
    marks = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
    return "".join(ch + (marks[i % len(marks)] if ch.isalpha() and i % 3 == 2 else "")
                   for i, ch in enumerate(text))


def unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


EVASIONS = {"lookalikes": lookalikes, "zero_width": zero_width, "unaccented": unaccented,
            "capitals": str.upper}


def _seen(analyser, text):
    """The cues (but the disguise itself, see below) and the links found in `text`."""
    found = analyser.analyse(text, channel="sms")
    return found.cue_codes() - {DISGUISED}, {(x.registered, x.status) for x in found.links}


# --- evasions of real scams get the same cues and links -----------------------------------------

@pytest.mark.parametrize("case_id", SCAMS)
@pytest.mark.parametrize("evasion", sorted(EVASIONS))
def test_an_evasion_of_a_real_scam_gets_the_same_cues_and_links(analyser, case_id, evasion):
    text = GOLDEN[case_id]["text"]
    cues, links = _seen(analyser, text)
    assert cues and links
    assert _seen(analyser, EVASIONS[evasion](text)) == (cues, links)


@pytest.mark.parametrize("case_id", SCAMS)
@pytest.mark.parametrize("evasion", sorted(EVASIONS))
def test_lookalike_letters_and_invisible_characters_are_themselves_a_sign(analyser, case_id, evasion):
    text = GOLDEN[case_id]["text"]
    assert DISGUISED not in analyser.analyse(text, channel="sms").cue_codes()
    disguised = DISGUISED in analyser.analyse(EVASIONS[evasion](text), channel="sms").cue_codes()
    assert disguised == (evasion in ("lookalikes", "zero_width"))


def _disguised(text):
    mapped = normalise_mapped(text)
    return [mapped.text[a:b] for a, b in disguised_words(mapped.text, mapped.bounds, text)]


@pytest.mark.parametrize("text, words", [
    ("Vlad \u0456nt\u0435rest\u0456ng g\u043e\u043eds", ["interesting", "goods"]),
    ("Vot\u200bre co\u2060lis", ["Votre", "colis"]),
    ("\uff36\uff4f\uff54\uff52\uff45 colis", ["Votre"]),
    ("Здравствуйте, ваша посылка ожидает оплаты.", []),  # a Russian text is not a disguise
    ("Dose de 50 µg par jour, à l’hôpital Bichat", []),
    ("Bonjour\u200b à tous 👨\u200d👩\u200d👧", []),  # emoji joiners and a space marker
    ("Bi\U000e0139\U000e0139lling In\U000e0139formation", ["Billing", "Information"]),  # variation selectors
    ("Merci ❤\ufe0f à bientôt", []),  # an emoji's colour form is no disguise
    ("Ваш код 1234 pour ameli", []),
])
def test_only_words_made_latin_by_the_normaliser_count_as_disguised(text, words):
    assert _disguised(text) == words


@pytest.mark.parametrize("case_id", SCAMS)
def test_all_evasions_at_once_still_read_as_the_scam(triage, report, case_id):
    text = GOLDEN[case_id]["text"]
    evaded = zero_width(lookalikes(unaccented(text)))
    assert triage.check(report(evaded)).verdict == triage.check(report(text)).verdict == "scam"


def test_unaccented_french_finds_its_lemmas(analyser):
    found = analyser.analyse("Votre colis n'a pas pu etre livre. Reprogrammez la livraison.", lang="fr")
    assert "delivery_lure" in found.cue_codes()


def test_links_written_with_spaces_are_rejoined(analyser):
    found = analyser.analyse("Connectez-vous sur h t t p s://assure-ameli . info/rembt ou www. ameli-aide. com")
    assert {x.registered for x in found.links} == {"assure-ameli.info", "ameli-aide.com"}


# --- what must stay as it is -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Здравствуйте, ваша посылка ожидает оплаты.",
    "Το δέμα σας περιμένει στο κέντρο διανομής.",
    "Bonjour, votre rendez-vous est confirmé.",
])
def test_genuine_russian_greek_and_french_are_left_as_written(text):
    assert normalise(text)[0] == text


def test_a_lookalike_letter_inside_a_latin_word_becomes_latin():
    assert normalise("Vоtre cοlis ϲhez Аmеli")[0] == "Votre colis chez Ameli"


@pytest.mark.parametrize("text", ["https://\u0430meli.fr/rembt", "sur \u0430meli.fr", "jean@\u0430meli.fr"])
def test_a_lookalike_letter_inside_a_link_is_kept_for_the_link_judge(text):
    assert normalise(text)[0] == text


def test_a_homograph_link_is_judged_a_lookalike_not_the_official_site(analyser):
    (link,) = analyser.analyse("Remboursement en attente : https://\u0430meli.fr/rembt").links
    assert (link.status, link.detail) == ("lookalike", "homoglyph")


def test_zero_width_and_format_characters_are_removed():
    assert normalise("am\u200beli\u2060.f\u200dr \u202eexe.pdf\u00ad")[0] == "ameli.fr exe.pdf"


def test_variation_selectors_are_removed():
    assert normalise("Bi\U000e0139\U000e0139lling am\ufe0feli ok")[0] == "Billing ameli ok"


def test_fullwidth_and_mathematical_letters_become_plain():
    assert normalise("ＡＭＥＬＩ 𝐚𝐦𝐞𝐥𝐢 ﬁn")[0] == "AMELI ameli fin"


def test_long_runs_and_tokens_are_cut():
    clean, _ = normalise("€" * 8000 + " " + "!?" * 500 + " " + "a" * 5000)
    assert clean == "€€€ " + "!?" * 5 + " " + "a" * 200


def test_phone_numbers_and_ibans_keep_their_digits():
    text = "Appelez le 06 00 00 00 00 ou 0600000000, IBAN FR76 3000 6000 0011 2345 6789 000"
    assert normalise(text)[0] == text


# --- the map back into the original ------------------------------------------------------------

def test_a_span_of_the_clean_text_maps_back_to_what_was_sent():
    sent = "Payez sur am\u200beli-\u0440aiement.com !!!!!!!! maintenant"
    clean, offsets = normalise(sent)
    start = clean.index("ameli")
    span = original_span(offsets, (start, start + len("ameli-paiement.com")))
    assert sent[span[0]:span[1]] == "am\u200beli-\u0440aiement.com"
    end = clean.index("maintenant")
    assert sent[slice(*original_span(offsets, (end, len(clean))))] == "maintenant"


def test_findings_map_a_cue_back_to_the_original(analyser):
    sent = "Votre c\u200bolis n'a pas pu \u0435tre livre."
    found = analyser.analyse(sent, lang="fr")
    cue = next(c for c in found.cues if c.code == "delivery_lure")
    assert found.original == sent
    assert found.original_text(cue.span) == "pu \u0435tre livre"


EVASIVE = st.text(alphabet=st.sampled_from(
    list("aeocpxyAEOCP01 .:/-!€\n") + ["\u0435", "\u03bf", "\u03f2", "\u0430", "\u0410", "\u200b", "\u200d",
                                       "\ufeff", "\u00ad", "\u202e", "\u0301", "\u0327", "é", "ﬁ", "Ａ",
                                       "𝐚", "д", "λ", "🎉", "\u00a0", "\t"]), max_size=300)


@FAST
@given(st.one_of(EVASIVE, st.text(max_size=300)))
def test_the_offset_map_is_monotonic_in_range_and_normalising_is_idempotent(text):
    clean, offsets = normalise(text)
    assert len(offsets) == len(clean) + 1
    assert offsets[-1] == len(text) and (offsets[0] == 0 or not clean)
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))
    assert normalise(clean)[0] == clean
    for s in range(0, len(clean) + 1, 7):
        a, b = original_span(offsets, (s, min(s + 5, len(clean))))
        assert 0 <= a <= b <= len(text)


def test_a_scheme_written_with_lookalike_letters_still_makes_a_link():
    from nlp.normalise import normalise

    clean, _ = normalise("Réclamez ici : httрs://forms.gle/abc (р cyrillique)")
    assert "https://forms.gle/abc" in clean


def test_a_lookalike_that_composes_with_an_accent_is_normalised_for_good():
    # "ﬁ" + Cyrillic "А" + combining acute + Greek "ο" + "д": the "А" becomes Latin and composes
    # into "Á", which makes the word mostly Latin, so the Greek "ο" is mapped in the same call.
    clean = normalise("\ufb01\u0410\u0301\u03bf\u0434")[0]
    assert clean == "fi\u00c1o\u0434"
    assert normalise(clean)[0] == clean
