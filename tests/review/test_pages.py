"""What staff see: hostile message content renders inert, patients' data masked until a logged reveal, the queue order."""
from __future__ import annotations

import json
import re

import pytest

from review import present
from service.desk import assign_pending
from tests.review.fixtures import REVIEWER, page_token

HOSTILE = ('<script>alert("x")</script> Bonjour, payez ici <a href="javascript:alert(1)">clic</a> '
           'javascript:alert(document.cookie) https://evil-sante.com/pay?<img src=x onerror=alert(1)> '
           "facture \u202egpj.exe\u202c et www.autre-piege.net")
PERSONAL = ("Bonjour Madame Jeanne DUPONT, née le 04/05/1956, domiciliée 12 rue des Lilas 90000 Belfort, "
            "NIR 2 56 05 90 123 456 78, e-mail jeanne.dupont@example.fr. Réglez 2 EUR sur https://frais-dossier-sante.com "
            "ou appelez le 06 12 34 56 78.")


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_hostile_message_content_renders_inert_on_the_case_page(reviewer, file_report):
    case_id = file_report(HOSTILE)
    html = reviewer.get(f"/review/case/{case_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "<a href=\"javascript" not in html
    assert not [h for h in hrefs(html) if "evil" in h or "javascript" in h.lower() or "autre-piege" in h]
    assert "hxxps://evil-sante[.]com" in html and "javascript[:]" in html
    assert "\u202e" not in html  # bidi overrides are removed before the case is stored


def test_hostile_message_content_renders_inert_in_the_queue(reviewer, file_report):
    file_report(HOSTILE)
    html = reviewer.get("/review/").get_data(as_text=True)
    assert "<script>alert" not in html and "\u202e" not in html
    assert not [h for h in hrefs(html) if "evil" in h or "javascript" in h.lower()]
    assert "hxxps://evil-sante[.]com/pay" in html  # the indicator in full, never clickable


def test_patients_personal_data_is_masked_but_indicators_are_not(reviewer, file_report):
    case_id = file_report(PERSONAL)
    html = reviewer.get(f"/review/case/{case_id}").get_data(as_text=True)
    message = html[html.index('id="message"'):html.index("</div>", html.index('id="message"'))]
    for secret in ("DUPONT", "04/05/1956", "rue des Lilas", "123 456", "jeanne.dupont@example.fr"):
        assert secret not in message
    assert "hxxps://frais-dossier-sante[.]com" in message and "06 12 34 56 78" in message


def test_revealing_personal_data_is_a_logged_post(reviewer, db, file_report):
    case_id = file_report(PERSONAL)
    token = page_token(reviewer, f"/review/case/{case_id}")
    html = reviewer.post(f"/review/case/{case_id}/reveal", data={"csrf_token": token}).get_data(as_text=True)
    assert "DUPONT" in html and "04/05/1956" in html
    entry = db.execute("SELECT actor, detail FROM audit WHERE action = 'reveal'").fetchone()
    assert entry[0] == REVIEWER and json.loads(entry[1]) == {"case": case_id}
    assert "DUPONT" not in reviewer.get(f"/review/case/{case_id}").get_data(as_text=True)  # shown once only


def test_the_queue_excerpt_is_masked(reviewer, file_report):
    file_report(PERSONAL)
    html = reviewer.get("/review/").get_data(as_text=True)
    assert "DUPONT" not in html and "[nom]" in html


@pytest.mark.parametrize("text, kind", [
    ("Bonjour Monsieur Paul Martin,", "name"), ("né le 3 mars 1961", "birthdate"),
    ("au 5 bis avenue Foch, 75016 Paris", "address"), ("n° 1 84 12 2A 004 321 07", "nir"),
    ("écrivez à paul.martin@gmail.com", "email"),
])
def test_each_kind_of_personal_data_is_found(text, kind):
    assert kind in {k for _, _, k in present.personal_data(text)}


def test_a_url_is_defanged_so_that_it_cannot_be_followed():
    assert present.defang("https://evil.example.com/a.b?c=d") == "hxxps://evil[.]example[.]com/a.b?c=d"
    assert present.defang("javascript:alert(1)") == "javascript[:]alert(1)"


def test_the_queue_puts_cases_needing_a_person_first_by_reporters_then_age(reviewer, db, file_report):
    # The order is what is tested, not the engine: these four wait for a person whatever it said.
    lone = file_report("Vous êtes là ?")
    crowd = "Bonjour, rappelez-moi au 06 12 34 56 78 pour le dossier {n}"  # one number: one campaign
    crowded = [file_report(crowd.format(n=n)) for n in range(3)]
    db.execute(f"UPDATE cases SET status = 'needs_review' WHERE id IN ({lone}, {', '.join(map(str, crowded))})")
    db.conn.commit()
    answered = file_report("Votre colis est en attente, payez 1,99 EUR sur https://colis-relais-fr.com")
    html = reviewer.get("/review/").get_data(as_text=True)
    queue, latest = html.split('id="latest"')
    order = [int(x) for x in re.findall(r"<a href=\"/review/case/(\d+)\"", queue)]
    assert order.index(crowded[0]) < order.index(lone)
    assert answered not in order and f"/review/case/{answered}" in latest


def test_queue_filters_narrow_the_rows(reviewer, file_report):
    sms = file_report("Bonjour, vous etes chez vous ? Rappelez moi vite.")
    tg = file_report("Bonjour, vous etes chez vous ? Rappelez moi vite svp.", channel="telegram", address="4242")
    html = reviewer.get("/review/?channel=telegram").get_data(as_text=True)
    assert f"/review/case/{tg}" in html and f"/review/case/{sms}" not in html
    assert f"/review/case/{sms}" not in reviewer.get("/review/?since=2999-01-01").get_data(as_text=True)


def test_a_disputed_case_comes_back_to_the_queue_after_a_decision(reviewer, db, file_report):
    from service.desk import decide
    case_id = file_report("Votre colis est en attente, payez 1,99 EUR sur https://colis-relais-fr.com")
    assign_pending(db)
    campaign = db.execute("SELECT campaign_id FROM cases WHERE id = ?", [case_id]).fetchone()[0]
    decide(db, campaign, "scam", "colis", REVIEWER)
    assert f'"/review/case/{case_id}"' not in reviewer.get("/review/").get_data(as_text=True).split('id="decided"')[0]
    db.execute("UPDATE cases SET feedback = 'wrong', status = 'needs_review', updated_at = '2999-01-01T00:00:00Z'"
               " WHERE id = ?", [case_id])
    db.conn.commit()
    assert f'"/review/case/{case_id}"' in reviewer.get("/review/").get_data(as_text=True).split('id="decided"')[0]


def test_decided_campaigns_have_their_own_section_saying_who_decided_and_when(reviewer, db, file_report):
    from service.desk import decide
    decided = file_report("Votre colis est en attente, payez 1,99 EUR sur https://colis-relais-fr.com")
    again = file_report("Votre colis est en attente, payez 2,99 EUR sur https://colis-relais-fr.com")
    alone = file_report("Votre dossier CAF est incomplet, envoyez vos pièces sur https://caf-dossier-aide.com")
    assign_pending(db)
    campaign = db.execute("SELECT campaign_id FROM cases WHERE id = ?", [decided]).fetchone()[0]
    assert db.execute("SELECT campaign_id FROM cases WHERE id = ?", [again]).fetchone()[0] == campaign
    decide(db, campaign, "scam", "colis", REVIEWER)
    html = reviewer.get("/review/").get_data(as_text=True)
    waiting, rest = html.split('id="decided"')
    by_staff, automatic = rest.split('id="latest"')
    assert "Décidés par l'équipe" in waiting and "Réponses automatiques récentes" in by_staff
    assert "Dernières réponses automatiques" not in html
    links = re.findall(r'<a href="/review/case/(\d+)"', by_staff)
    assert links == [str(again)]  # the campaign once, by its latest report
    assert REVIEWER in by_staff and "arnaque" in by_staff
    assert f"/review/case/{decided}" not in automatic and f"/review/case/{again}" not in automatic
    assert f"/review/case/{alone}" in automatic and f"/review/case/{alone}" not in waiting + by_staff


def test_the_campaigns_page_masks_what_the_case_page_masks(reviewer, file_report):
    text = ("Bonjour Madame Jeanne DUPONT, 12 rue des Lilas 75011 Paris, votre dossier est à régler sur "
            "https://frais-dossier-sante.com/p")
    case_id = file_report(text)
    case_html = reviewer.get(f"/review/case/{case_id}").get_data(as_text=True)
    campaigns_html = reviewer.get("/review/campaigns").get_data(as_text=True)
    for private in ("dupont", "lilas"):  # the campaign's text is normalised: lower case, no accents
        assert private not in case_html.lower(), private
        assert private not in campaigns_html.lower(), private


def test_the_official_contacts_say_what_the_registry_says_of_them(reviewer, db, file_report):
    case_id = file_report("CPAM : votre carte Vitale expire, renouvelez-la sur https://assures-amell.fr")
    html = reviewer.get(f"/review/case/{case_id}").get_data(as_text=True)
    official = html[html.index('id="official"'):html.index("</ul>", html.index('id="official"'))]
    items = re.findall(r"<li>(.*?)</li>", official, re.S)
    first = items[0]  # numbers first, the one replies quote at the top
    assert "<b>numéro</b>" in first and "principal : celui que Vigie donne aux patients" in first
    assert "3646" in first and "The only number for reaching a CPAM" in first  # the registry's own note
    assert "01 87 52 00 70" in official  # numbers as people write them
    primaries = [i for i in items if "principal" in i]
    rows = db.execute("SELECT count(*) FROM contacts WHERE institution_id = 'ameli' AND is_primary = 1").fetchone()
    assert len(items) == db.execute("SELECT count(*) FROM contacts WHERE institution_id = 'ameli'").fetchone()[0]
    assert len(primaries) == rows[0]
