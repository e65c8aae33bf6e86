"""Extraction of links, e-mail addresses, phone numbers, amounts and IBANs from refanged text."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import extract
from nlp.domains import has_public_suffix

FAST = settings(max_examples=200, deadline=None)
REGIONS = ("FR", "GB", "US")


def link_urls(text: str) -> list[str]:
    return [link.url for link in extract.links(text, has_public_suffix)]


def phone_numbers(text: str) -> list[str]:
    """E.164 for numbers a numbering plan knows, the digits for short numbers."""
    out = []
    for p in extract.phones(text, REGIONS):
        out.append(f"+{p.number.country_code}{p.number.national_number}" if p.number else p.short)
    return out


# --- links ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, urls", [
    ("Connectez-vous sur https://www.ameli.fr/assure, merci", ["https://www.ameli.fr/assure"]),
    ("voir ameli.fr/x.", ["ameli.fr/x"]),
    ("www.doctolib.fr", ["www.doctolib.fr"]),
    ("rdv sur mon-doctolib.com!", ["mon-doctolib.com"]),
    ("(lien : http://185.244.25.10/ameli/)", ["http://185.244.25.10/ameli/"]),
    ("Deux liens : bit.ly/3xR et https://assures-amell.fr/v", ["bit.ly/3xR", "https://assures-amell.fr/v"]),
])
def test_links_are_found_with_or_without_scheme(text, urls):
    assert link_urls(text) == urls


@pytest.mark.parametrize("text", ["fichier.pdf", "M. Dupont.Merci", "rendez-vous à 10.30", "v1.2"])
def test_words_with_dots_that_are_not_hosts_are_not_links(text):
    assert link_urls(text) == []


def test_link_span_covers_the_url_without_trailing_punctuation():
    text = "Lien : https://ameli.fr/x)."
    (link,) = extract.links(text, has_public_suffix)
    assert text[link.span[0]:link.span[1]] == "https://ameli.fr/x"
    assert link.host == "ameli.fr"


def test_ipv6_literal_link_is_found():
    assert link_urls("Cliquez http://[2001:db8::1]/x") == ["http://[2001:db8::1]/x"]


# --- e-mail addresses -----------------------------------------------------------------------

def test_email_address_is_found_lower_cased_with_its_domain():
    text = "écrivez à Contact@Ameli.fr svp"
    ((address, domain, span),) = extract.emails(text)
    assert (address, domain) == ("contact@ameli.fr", "ameli.fr")
    assert text[span[0]:span[1]].lower() == address


def test_email_address_is_not_also_a_link():
    assert link_urls("écrivez à service@ameli-info.com") == []


# --- phone numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, number", [
    ("Appelez le 06 12 34 56 78", "+33612345678"),
    ("Tel +33 6 12 34 56 78.", "+33612345678"),
    ("0033 6 12 34 56 78", "+33612345678"),
    ("Tél: 06.12.34.56.78", "+33612345678"),
    ("06-12-34-56-78", "+33612345678"),
    ("rappelez le 08 99 23 45 67", "+33899234567"),
    ("call 07911 123456", "+447911123456"),
])
def test_phone_notations_are_normalised(text, number):
    assert phone_numbers(text) == [number]


def test_a_short_number_is_extracted_as_digits():
    assert phone_numbers("appelez le 3646") == ["3646"]


@pytest.mark.parametrize("text", ["appelez le 3646", "Composez le 3646 (service gratuit)",
                                  "contactez votre caisse au 3646", "appelez le 36 46",
                                  "Appelez vite le 36\u00a046 pour régulariser"])
def test_short_number_counts_as_a_phone_in_a_call_context(analyser, text):
    assert [p.number for p in analyser.analyse(text).phones] == ["3646"]


@pytest.mark.parametrize("text", ["Rendez-vous en 2024 à Lyon.", "Votre dossier 48213 est clos.",
                                  "Il y avait 3647 personnes au concert.", "Entre 30 45 personnes."])
def test_bare_digits_outside_a_call_context_are_not_phones(analyser, text):
    assert analyser.analyse(text).phones == ()


def test_official_short_number_outside_a_call_context_is_not_a_phone(analyser):
    assert analyser.analyse("Il y avait 3646 personnes au concert.").phones == ()


# --- amounts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, currency", [
    ("23 euros", 23.0, "EUR"),
    ("un remboursement de 387,95 euros", 387.95, "EUR"),
    ("87.95€", 87.95, "EUR"),
    ("1 250,50 €", 1250.5, "EUR"),
    ("EUR 40", 40.0, "EUR"),
    ("£2,000", 2000.0, "GBP"),
    ("$125", 125.0, "USD"),
    ("$1800.34", 1800.34, "USD"),
])
def test_amounts_are_read_with_their_currency(text, value, currency):
    (amount,) = extract.amounts(text)
    assert (amount.value, amount.currency) == (pytest.approx(value), currency)


def test_percentages_and_plain_numbers_are_not_amounts():
    assert extract.amounts("10% de remise, 3 colis, dossier 4521") == []


# --- IBANs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("iban", ["FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189",
                                  "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"])
def test_iban_with_a_valid_checksum_is_found(iban):
    text = f"Virement sur l'IBAN {iban} svp"
    (span,) = extract.ibans(text)
    assert text[span[0]:span[1]] == iban


def test_iban_with_a_wrong_checksum_is_ignored():
    assert extract.ibans("IBAN FR76 3000 6000 0112 3456 7890 188") == []


# --- properties -------------------------------------------------------------------------------

def _within(text: str, span: tuple[int, int]) -> bool:
    return 0 <= span[0] <= span[1] <= len(text)


@FAST
@given(st.text(max_size=500))
def test_extractors_never_raise_and_spans_lie_within_the_text(text):
    spans = [link.span for link in extract.links(text, has_public_suffix)]
    spans += [span for _, _, span in extract.emails(text)]
    spans += [phone.span for phone in extract.phones(text, REGIONS)]
    spans += [amount.span for amount in extract.amounts(text)]
    spans += extract.ibans(text)
    assert all(_within(text, span) for span in spans)


_PIECES = st.sampled_from([
    " ", "\n", ".", "https://", "www.", "ameli", ".fr", "/x", "@", "06 12 34 56 78", "+33", "3646",
    "€", " euros", "£", "$", "12,50", "FR76 3000 6000 0112 3456 7890 189", "hxxp", "[.]", "é", "(",
])


@FAST
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_extractors_on_message_like_text_return_spans_that_cut_the_text_they_report(text):
    for link in extract.links(text, has_public_suffix):
        assert text[link.span[0]:link.span[1]] == link.url
    for phone in extract.phones(text, REGIONS):
        assert text[phone.span[0]:phone.span[1]] == phone.raw
    for address, _, span in extract.emails(text):
        assert text[span[0]:span[1]].lower() == address


def test_short_number_at_the_end_of_a_sentence_is_extracted():
    assert phone_numbers("En cas de doute, appelez le 3646.") == ["3646"]
