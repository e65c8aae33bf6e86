"""Judging links, numbers and senders against the sourced registry (never visiting a link)."""
from __future__ import annotations

import pytest

from nlp import extract, judge
from nlp.domains import has_public_suffix


def judge_link(text, index):
    (raw,) = extract.links(text, has_public_suffix)
    return judge.judge_link(raw, index)


def judge_phone(number, index):
    (raw,) = extract.phones(f"appelez le {number}", ("FR", "GB", "US"))
    return judge.judge_phone(raw, index)


# --- links ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://www.ameli.fr/x", "declare.ameli.fr", "https://www.doctolib.fr/rdv",
                                 "https://chequeenergie.gouv.fr"])
def test_official_domains_and_their_subdomains_are_official(index, url):
    found = judge_link(url, index)
    assert found.status == "official"


def test_an_official_domain_that_is_also_a_public_suffix_is_official(index):
    """nhs.uk is on the public suffix list (trusts register under it) and is the NHS's own site."""
    found = judge_link("https://nhs.uk/book-rsv", index)
    assert (found.status, found.institution_id) == ("official", "nhs")


def test_official_link_names_its_institution(index):
    assert judge_link("https://www.ameli.fr/x", index).institution_id == "ameli"


@pytest.mark.parametrize("url, inst, technique", [
    ("assures-amell.fr", "ameli", "typo"),
    ("amelie.fr", "ameli", "typo"),
    ("chronoposte.fr", "chronopost", "typo"),
    ("ameli-remboursement.com", "ameli", "brand-plus-words"),
    ("mon-doctolib.com", "doctolib", "brand-plus-words"),
    ("nhs-pcrtestkit.com", "nhs", "brand-plus-words"),
    ("xn--amli-cpa.fr", "ameli", "homoglyph"),  # améli.fr: an accent is enough
    ("\u0430meli.fr", "ameli", "homoglyph"),  # Cyrillic 'а'
    ("d0ctolib.fr", "doctolib", "homoglyph"),
    ("arneli.fr", "ameli", "homoglyph"),  # 'rn' reads as 'm'
    ("doctolib.net", "doctolib", "tld-swap"),
    ("ameli.fr.secure-login.com", "ameli", "brand-in-subdomain"),
    ("doctolib.fr.com", "doctolib", "brand-in-subdomain"),
])
def test_lookalike_domains_are_caught_with_their_technique(index, url, inst, technique):
    found = judge_link(url, index)
    assert (found.status, found.institution_id, found.detail) == ("lookalike", inst, technique)


@pytest.mark.parametrize("url, brand", [
    ("https://facebok.item81683718974.com", "facebook"),  # a letter dropped, in a subdomain
    ("marketplce-facbook.srtenvironmental.com", "facebook"),  # one word of a hyphenated label
    ("www.paypa1.com/login", "paypal"),  # a digit for a letter
    ("amaz0n-refund.top", "amazon"),
    ("login.micros0ft.net", "microsoft"),
    ("coinbasse.com", "coinbase"),
])
def test_a_misspelt_well_known_brand_in_a_link_is_a_lookalike(index, url, brand):
    found = judge_link(url, index)
    assert (found.status, found.institution_id, found.detail, found.brand) == ("lookalike", None, "brand-typo", brand)


@pytest.mark.parametrize("url", [
    "https://www.facebook.com/x", "m.facebook.com", "amazonaws.com", "googleapis.com", "apply.gov.uk",
    "cloud.example.com", "goggles.co.uk", "la-poste.fr", "laposte.net", "twister.com", "flicker.org",
])
def test_a_brand_spelt_right_or_an_everyday_neighbour_is_no_typosquat(index, url):
    """The brand's own name proves nothing either way (its real domains are not in the registry),
    and short names or names one letter from everyday words are left out of the list."""
    assert judge_link(url, index).detail != "brand-typo"


def test_brand_in_subdomain_is_judged_on_its_registrable_domain(index):
    found = judge_link("https://ameli.fr.secure-login.com/x", index)
    assert found.registered == "secure-login.com"


@pytest.mark.parametrize("url", ["bit.ly/3xRdv9", "https://tinyurl.com/abc"])
def test_shortened_links_are_shorteners(index, url):
    assert judge_link(url, index).status == "shortener"


def test_raw_ip_link_is_an_ip(index):
    assert judge_link("http://185.244.25.10/ameli/", index).status == "ip"


@pytest.mark.parametrize("url", ["example.org", "https://www.service-public.fr", "lockers-express.com"])
def test_unrelated_domains_are_other(index, url):
    found = judge_link(url, index)
    assert (found.status, found.institution_id) == ("other", None)


@pytest.mark.parametrize("url", ["sante.gouv.fr", "https://www.ameli.gouv.fr", "impots.gouv.fr.gouv.fr"])
def test_names_under_gouv_fr_are_never_lookalikes(index, url):
    """gouv.fr is a public suffix only the State registers under: no brand imitation there."""
    found = judge_link(url, index)
    assert found.status != "lookalike"


def test_gouv_fr_is_treated_as_a_public_suffix(index):
    found = judge_link("https://sante.gouv.fr/x", index)
    assert (found.registered, found.status, found.detail) == ("sante.gouv.fr", "other", "restricted")


# --- phone numbers ----------------------------------------------------------------------------

def test_ameli_short_number_is_official(index):
    found = judge_phone("3646", index)
    assert (found.status, found.institution_id) == ("official", "ameli")


def test_registry_numbers_are_official_in_any_notation(index):
    assert judge_phone("09 74 75 76 78", index).institution_id == "ameli"
    assert judge_phone("+44 300 013 5000", index).institution_id == "nhs"


@pytest.mark.parametrize("number", ["08 99 23 45 67", "0899 18 27 36", "+33 8 99 23 45 67"])
def test_french_premium_rate_numbers_are_premium(index, number):
    assert judge_phone(number, index).status == "premium"


@pytest.mark.parametrize("number", ["06 12 34 56 78", "07 58 21 44 90", "+33 6 44 18 90 27"])
def test_french_mobile_numbers_are_mobile(index, number):
    assert judge_phone(number, index).status == "mobile"


@pytest.mark.parametrize("number", ["+44 20 7946 0958", "+1 212 555 0147"])
def test_valid_foreign_landlines_are_foreign(index, number):
    assert judge_phone(number, index).status == "foreign"


@pytest.mark.parametrize("text, status", [
    ("NHS: to book, call 0300 123 4097 today.", "other"),  # a UK number in an English text is at home
    ("Please call our office on +1 212 555 0147.", "other"),
    ("Appelez le +44 20 7946 0958 pour confirmer.", "foreign"),  # in a French text, it is not
])
def test_foreign_means_foreign_to_the_language_of_the_message(analyser, text, status):
    (phone,) = analyser.analyse(text, channel="sms", sender=None).phones
    assert phone.status == status


def test_foreign_mobile_is_reported_as_mobile(index):
    # Pinned: "mobile" wins over "foreign" for a valid foreign mobile number.
    assert judge_phone("+32 470 12 34 56", index).status == "mobile"


def test_ordinary_french_landline_is_other(index):
    assert judge_phone("01 44 55 66 77", index).status == "other"


# --- senders ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sender", ["Doctolib", "DOCTOLIB"])
def test_doctolib_sender_id_is_official(index, sender):
    found = judge.judge_sender(sender, index)
    assert (found.status, found.institution_id) == ("official", "doctolib")


def test_doctolib_dot_fr_sender_id_is_a_lookalike(index):
    found = judge.judge_sender("Doctolib.fr", index)
    assert (found.status, found.institution_id) == ("lookalike", "doctolib")


@pytest.mark.parametrize("sender", ["0612345678", "+33612345678", "06 12 34 56 78"])
def test_mobile_number_sender_is_mobile(index, sender):
    found = judge.judge_sender(sender, index)
    assert (found.kind, found.status, found.value) == ("phone", "mobile", "+33612345678")


def test_gmail_sender_is_freemail(index):
    found = judge.judge_sender("Assurance Maladie <service.cpam@gmail.com>", index)
    assert (found.kind, found.status, found.value) == ("email", "freemail", "service.cpam@gmail.com")


def test_ameli_newsletter_address_is_official(index):
    found = judge.judge_sender("Assurance Maladie <assurance-maladie@info.ameli.fr>", index)
    assert (found.status, found.institution_id) == ("official", "ameli")


def test_colissimo_notification_domain_is_official_and_its_lookalike_is_not(index):
    # La Poste's own statement names noreply@notif-colissimo-laposte.info as a genuine sender (registry source).
    found = judge.judge_sender("La Poste-Colissimo <noreply@notif-colissimo-laposte.info>", index)
    assert (found.status, found.institution_id) == ("official", "laposte")
    assert judge.judge_sender("Colissimo <noreply@notif-colissimo-laposte-info.com>", index).status == "lookalike"


def test_address_on_a_lookalike_domain_is_a_lookalike(index):
    found = judge.judge_sender("ameli <contact@ameli-info.com>", index)
    assert (found.status, found.institution_id) == ("lookalike", "ameli")


@pytest.mark.parametrize("name", ["Mi\U000e0139cro\U000e0139soft Support", "Micro\u200bsoft Support",
                                  "Micr\u043esoft Support"])  # variation selector, zero-width space, Cyrillic o
def test_display_name_disguised_with_invisible_or_lookalike_letters_is_a_disguise_that_still_shows_its_brand(
        index, name):
    found = judge.judge_sender(f"{name} <mail.apps@datamart-example.net>", index)
    assert (found.status, found.detail) == ("disguised_name", "Microsoft Support")
    plain = judge.judge_sender("Microsoft Support <mail.apps@datamart-example.net>", index)
    assert plain.status == "display_mismatch"


def test_sender_id_in_cyrillic_letters_is_read_as_latin(index):
    assert judge.judge_sender("D\u043ectolib", index).status == "official"


def test_official_short_code_sender_is_official(index):
    found = judge.judge_sender("38004", index)
    assert (found.kind, found.status, found.institution_id) == ("short_code", "official", "chronopost")


def test_premium_number_sender_is_premium(index):
    assert judge.judge_sender("0899234567", index).status == "premium"


@pytest.mark.parametrize("sender", ["", "   ", None])
def test_no_sender_gives_no_finding(index, sender):
    assert judge.judge_sender(sender, index) is None


def test_a_contact_that_became_official_after_staff_blocked_it_is_official(index):
    from nlp.registry_index import RegistryIndex
    from nlp.types import Indicator
    number = next(n for n in sorted(index.phones) if n.startswith("+33"))
    blocked = [Indicator("domain", "ameli.fr"), Indicator("phone", number), Indicator("domain", "ameli-rembourse.fr")]
    later = RegistryIndex.build(index.institutions.values(), blocked, index.directory)
    assert judge_link("https://www.ameli.fr/assure", later).status == "official"
    assert judge_phone(number, later).status == "official"
    assert judge_link("https://ameli-rembourse.fr/x", later).status == "blocklisted"  # the rest stays blocked
