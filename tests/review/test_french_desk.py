"""No English word on the French desk, no French word on the English one: every page is rendered with realistic
data (French and English messages, decisions, proposals, registry changes, audit entries) and its visible text,
less the user content marked `translate="no"`, is checked word by word. A word belongs to the other language when
it is common in that language and rare in the page's (word frequencies from `wordfreq`); proper names the desk may
show are listed in review/texts/names.txt."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from wordfreq import zipf_frequency

from tests.review.fixtures import page_token
from tests.review.seeds import PATIENT_NAME, seed_dashboard
from tests.review.visible_text import visible_text, words

NAMES = Path(__file__).resolve().parents[2] / "review" / "texts" / "names.txt"
COMMON_IN_OTHER = 3.0  # Zipf scale: about once per million words
LANGUAGE_GAP = 1.0  # ten times rarer in the page's language than in the other
SCAM_FR = ("Madame Jeanne DUPONT, votre remboursement Assurance Maladie de 48,20 EUR est en attente. Confirmez vos "
           "coordonnées bancaires avant 48h sur https://remboursement-secu-info.com/dossier ou au 06 12 34 56 78")
SCAM_EN = ("Your parcel could not be delivered. Pay the shipping fee today at https://parcel-track-help.com/pay "
           "or your hospital appointment will be cancelled.")


@lru_cache(maxsize=1)
def allowed() -> frozenset[str]:
    lines = NAMES.read_text(encoding="utf-8").splitlines()
    return frozenset(w.lower() for line in lines if line.strip() and not line.startswith("#") for w in words(line))


def foreign(word: str, page: str = "fr") -> bool:
    """Common in the other language, rare in the page's, and not a proper name the desk may show."""
    w, other = word.lower(), "en" if page == "fr" else "fr"
    if len(w) < 2 or w in allowed():
        return False
    there = zipf_frequency(w, other)
    return there >= COMMON_IN_OTHER and there - zipf_frequency(w, page) >= LANGUAGE_GAP


def english(word: str) -> bool:
    return foreign(word, "fr")


def foreign_words(html: str, page: str) -> list[str]:
    return sorted({w for w in words(visible_text(html)) if foreign(w, page)})


@pytest.fixture
def desk_pages(app, db, reviewer, admin, file_report):
    """Every desk page rendered with realistic data, by path, for staff of a language: render("fr")."""
    seed_dashboard(db)
    french = file_report(SCAM_FR)
    file_report(SCAM_FR, channel="whatsapp")
    english_case = file_report(SCAM_EN, channel="telegram", address="777002", lang="en")
    mail = file_report("Bonjour, votre compte ameli expire, reconnectez-vous sur https://ameli-compte.info/login",
                       channel="email", sender="securite@ameli-compte.info")
    token = page_token(reviewer, f"/review/case/{french}")
    reviewer.post(f"/review/case/{french}/reveal", data={"csrf_token": token})
    assert reviewer.post(f"/review/case/{french}/decide", data={
        "verdict": "scam", "note": "fake refund site, confirmed", "csrf_token": token}).status_code == 302
    assert reviewer.post(f"/review/case/{mail}/propose", data={
        "kind": "domain", "value": "ameli-compte.info", "source": "https://www.ameli.fr/contact",
        "note": "looks official", "csrf_token": token}).status_code == 302
    token = page_token(admin, "/review/registry/institution/ameli")
    assert admin.post("/review/registry/institution/ameli/contacts", data={
        "kind": "phone", "value": "01 40 00 00 00", "source": "https://www.ameli.fr/paris/assure",
        "checked": "2026-11-20", "note": "switchboard", "csrf_token": token}).status_code == 302
    admin.get("/review/export/indicators.csv").get_data()
    paths = ["/review/", "/review/?verdict=scam", f"/review/case/{french}", f"/review/case/{english_case}",
             f"/review/case/{mail}", "/review/case/1", "/review/campaigns", "/review/dashboard?days=7",
             "/review/audit", "/review/registry", "/review/registry?q=ameli", "/review/registry/institution/ameli",
             "/review/staff", "/review/proposals", "/review/case/999999"]
    return lambda lang: _render(app, reviewer, admin, lang, paths)


def _render(app, reviewer, admin, lang: str, paths: list[str]) -> dict[str, str]:
    for client in (reviewer, admin):
        token = page_token(client, "/review/")
        assert client.post("/review/language", data={"lang": lang, "csrf_token": token}).status_code == 302
    pages = {path: admin.get(path).get_data(as_text=True) for path in paths}
    pages["/review/staff (reviewer: refused)"] = reviewer.get("/review/staff").get_data(as_text=True)
    if lang == "fr":  # nobody is signed in: the desk speaks French
        pages["/review/login"] = app.test_client().get("/review/login").get_data(as_text=True)
    return pages


def test_the_flagging_rule_tells_english_from_french():
    assert [w for w in ("scam", "legitimate", "unknown", "phones", "domains", "staff", "seed", "reviewer")
            if not english(w)] == []
    assert [w for w in ("arnaque", "suspect", "signalements", "campagne", "patients", "source", "note", "message",
                        "type", "date", "principal", "journal", "décision", "valeur") if english(w)] == []
    assert not english("Doctolib") and not english("WhatsApp")


def test_the_extracted_text_leaves_out_user_content_and_keeps_what_is_shown():
    html = ('<p title="lien : trompeur">Cas <span translate="no">Your parcel <b>is</b> waiting</span> reçu</p>'
            '<script>var unknown = 1;</script><input type="submit" value="Décider">')
    assert visible_text(html) == "lien : trompeur Cas reçu Décider"


def where(word: str, text: str) -> str:
    at = text.lower().find(word.lower())
    return text[max(at - 40, 0):at + len(word) + 40]


def mixed_in(pages: dict[str, str], lang: str) -> str:
    found = {path: foreign_words(html, lang) for path, html in pages.items()}
    return "\n".join(f"{path}: {w!r} in «{where(w, visible_text(pages[path]))}»" for path, ws in found.items()
                     for w in ws)


def test_no_english_word_on_any_french_desk_page(desk_pages):
    pages = desk_pages("fr")
    assert all('<html lang="fr">' in html for html in pages.values())
    report = mixed_in(pages, "fr")
    assert not report, "English words on the French desk:\n" + report


def test_no_french_word_on_the_desk_of_an_english_speaking_staff_member(desk_pages):
    pages = desk_pages("en")
    assert all('<html lang="en">' in html for html in pages.values())
    assert "To review" in pages["/review/"] and "Decided by the team" in pages["/review/"]
    assert re.search(r"\d+ Dec 2026, \d\d:\d\d", pages["/review/audit"])  # dates too
    report = mixed_in(pages, "en")
    assert not report, "French words on the English desk:\n" + report


def test_the_language_is_each_staff_members_own(app, reviewer, admin):
    token = page_token(reviewer, "/review/")
    reviewer.post("/review/language", data={"lang": "en", "csrf_token": token})
    assert "To review" in reviewer.get("/review/").get_data(as_text=True)
    assert "À traiter" in admin.get("/review/").get_data(as_text=True)
    assert reviewer.post("/review/language", data={"lang": "de", "csrf_token": token}).status_code == 400


def test_the_patients_messages_are_there_but_marked_as_user_content(desk_pages):
    queue = desk_pages("fr")["/review/"]
    assert "parcel" in queue.lower() and "parcel" not in visible_text(queue).lower()
    assert PATIENT_NAME not in queue  # masked, as everywhere


def test_an_error_message_quoting_what_was_typed_stays_escaped_in_both_languages(app, admin):
    for lang in ("fr", "en"):
        token = page_token(admin, "/review/registry")
        admin.post("/review/language", data={"lang": lang, "csrf_token": token})
        html = admin.post("/review/registry/institution/ameli/contacts", data={
            "kind": "domain", "value": "<b>x</b>", "source": "https://www.ameli.fr/", "checked": "2026-11-20",
            "csrf_token": token}).get_data(as_text=True)
        assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
