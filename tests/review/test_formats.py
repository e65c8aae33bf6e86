"""The desk writes dates in French, in Paris time, and verdicts and roles in French."""
from __future__ import annotations

import re

import pytest

from review import formats
from tests.review.visible_text import visible_text


@pytest.mark.parametrize(("stored", "shown"), [
    ("2026-12-01T00:53:00Z", "1 déc. 2026, 01:53"),  # winter: UTC+1
    ("2026-07-14T10:00:00Z", "14 juil. 2026, 12:00"),  # summer: UTC+2
    ("2026-03-29T00:59:00Z", "29 mars 2026, 01:59"),  # the last minute before the change
    ("2026-03-29T01:00:00Z", "29 mars 2026, 03:00"),
    ("2026-11-28", "28 nov. 2026"),  # a date without a time (a registry check)
    ("", "—"), (None, "—"), ("pas une date", "pas une date"),
])
def test_a_stored_timestamp_is_shown_in_paris_time_in_french(stored, shown):
    assert formats.when(stored) == shown


def test_verdicts_and_roles_are_shown_in_french():
    assert [formats.verdict(v) for v in ("scam", "suspicious", "legitimate", "unknown")] == \
        ["arnaque", "suspect", "authentique", "inconnu"]
    assert [formats.role(r) for r in ("reviewer", "admin")] == ["relecture", "administration"]


ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_the_case_page_shows_no_raw_timestamp(reviewer, file_report):
    case_id = file_report("Votre colis est bloqué : https://colis-suivi-livraison.com/x")
    html = reviewer.get(f"/review/case/{case_id}").get_data(as_text=True)
    assert "reçu le " in html
    assert not ISO.search(re.sub(r'datetime="[^"]*"', "", html)), ISO.search(html).group(0)


def test_an_audit_detail_is_shown_as_readable_fields():
    shown = formats.fields('{"case": 12, "verdict": "scam", "indicators": ["a.fr", "b.fr"], "note": "<b>fake</b>"}')
    assert visible_text(shown) == "cas : 12 · décision : arnaque · indicateurs : , · note :"  # values are data
    assert re.sub(r"<[^>]+>", "", shown) == "cas : 12 · décision : arnaque · indicateurs : a.fr, b.fr · " \
        "note : &lt;b&gt;fake&lt;/b&gt;"  # what staff typed is escaped
    assert re.sub(r"<[^>]+>", "", formats.fields("ip:203.0.113.9")) == "ip:203.0.113.9"  # not JSON: as it is
    assert formats.action("staff_add") == "compte créé" and formats.action("inconnue") == "inconnue"


@pytest.mark.parametrize(("cases", "reporters", "placed", "shown"), [
    (1, 1, True, "1 signalement par 1 patient"),
    (3, 2, True, "3 signalements par 2 patients"),
    (2, 0, True, "2 signalements, aucun patient joignable"),  # the try-it page keeps no address
    (1, 0, False, "1 signalement (pas encore groupé en campagne)"),
])
def test_a_campaigns_figures_are_said_in_words(cases, reporters, placed, shown):
    assert formats.reports(cases, reporters, placed) == shown


def test_queue_case_and_campaigns_pages_say_the_figures_in_words(reviewer, db, file_report):
    from service.desk import assign_pending
    lure = "Votre colis est en attente, payez {n} EUR sur https://colis-relais-fr.com"
    first = file_report(lure.format(n="1,99"))
    file_report(lure.format(n="2,99"))
    anonymous = file_report(lure.format(n="3,99"), channel="web")
    db.execute("UPDATE cases SET reporter = NULL WHERE id = ?", [anonymous])  # the try-it page keeps no address
    db.conn.commit()
    assign_pending(db)
    pages = [reviewer.get(path).get_data(as_text=True) for path in ("/review/", f"/review/case/{first}",
                                                                    "/review/campaigns")]
    for html in pages:
        assert "3 signalements par 2 patients" in html
        assert not re.search(r"\d+<small> / \d+</small>", html)  # no bare "2 / 3"


def test_french_and_english_texts_have_the_same_words_and_every_sentence_is_translated():
    from pathlib import Path
    fr, en = formats.texts("fr"), formats.texts("en")
    assert {s: set(v) for s, v in fr.items()} == {s: set(v) for s, v in en.items() if s != "pages"}
    sources = [*Path(formats.__file__).parent.joinpath("templates").glob("*.html"),
               *(Path(formats.__file__).parent / name for name in ("insight.py", "views.py"))]
    calls = [m for f in sources for m in re.findall(r'(?:\b_|gettext)\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', f.read_text())]
    said = {"".join(re.findall(r'"((?:[^"\\]|\\.)*)"', call)) for call in calls}  # adjacent literals joined
    assert len(said) > 150
    assert sorted(said - set(en["pages"])) == []
