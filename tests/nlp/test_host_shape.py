"""What the name of an unknown site says on its own: a free platform page, an account-page name, a
top-level domain much used for phishing. Each is one piece of evidence, never a verdict alone."""
from __future__ import annotations

import pytest

from bot.report import Report
from nlp import domains


@pytest.mark.parametrize("host, platform", [
    ("evri-package-gb.web.app", "web.app"),
    ("vintedpro630.wixsite.com", "wixsite.com"),
    ("signgithubauth.onrender.com", "onrender.com"),
    ("8629a7f1.ngrok.io", "ngrok.io"),
])
def test_a_site_opened_on_a_free_platform_names_its_platform(host, platform):
    assert domains.free_host(host) == platform


@pytest.mark.parametrize("host", ["www.wix.com", "web.app", "www.ameli.fr", "www.dhl.com", "github.com"])
def test_a_platforms_own_site_or_an_ordinary_site_is_no_free_page(host):
    assert domains.free_host(host) == ""


@pytest.mark.parametrize("host, word", [
    ("secure.ezpassofx.top", "secure"),
    ("online-banking-personal-login.com", "login"),  # a whole word of the name
    ("myturnpiketollservices.com", "service"),  # a long word inside a longer one
    ("sign-in.example.com", "sign-in"),
    ("suivi-colis-relais.com", "colis"),
])
def test_account_and_payment_words_in_a_site_name_are_found(host, word):
    assert domains.host_keyword(domains.split_host(host)) == word


@pytest.mark.parametrize("host", [
    "delivery.tnt.com",  # "live" is too short to count inside "delivery"
    "www.paypal.com",  # nor "pay" inside "paypal"
    "www.sncf-connect.com",
    "www.example-clinique.fr",
])
def test_ordinary_names_hold_no_account_word(host):
    assert domains.host_keyword(domains.split_host(host)) == ""


@pytest.mark.parametrize("host, tld", [("uswohp.top", "top"), ("rghst.xyz", "xyz"), ("a6rzr.info", "info")])
def test_top_level_domains_much_used_for_phishing_are_named(host, tld):
    assert domains.abused_tld(domains.split_host(host)) == tld


@pytest.mark.parametrize("host", ["www.ameli.fr", "example.com", "nhs.uk.example.org", "www.bbc.co.uk"])
def test_common_top_level_domains_are_not(host):
    assert domains.abused_tld(domains.split_host(host)) == ""


def codes(triage, text):
    return {r.code for r in triage.check(Report(text=text, channel="sms")).reasons}


def test_an_unknown_link_shaped_like_a_phishing_page_says_why(triage):
    found = codes(triage, "Your parcel is on hold, book a new slot: https://secure-redelivery.uswohp.top/x")
    assert {"link_suspicious_name", "link_abused_tld"} <= found
    found = codes(triage, "Votre colis vous attend : https://evri-package-gb.web.app/suivi")
    assert "link_free_host" in found


@pytest.mark.parametrize("text", [
    "Connectez-vous à votre compte ameli : https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure",
    "Gérez votre compte sur https://moncompte.ants.gouv.fr en toute sécurité",  # a public body's site
    "Votre rendez-vous est confirmé. Infos : https://www.example-clinique.fr/acces",
])
def test_official_public_and_plain_sites_carry_no_name_evidence(triage, text):
    assert not codes(triage, text) & {"link_free_host", "link_suspicious_name", "link_abused_tld"}
