"""Registry admin: sourced and dated staff contacts beside the imported values, proposals accepted or rejected,
import status, every change audited; a change without a source is refused with a clear message."""
from __future__ import annotations

import json
from datetime import date

import pytest

from service import desk
from store import registry as registry_store
from store import registry_admin
from store.directory import SqliteDirectory
from tests.review.fixtures import ADMIN, REVIEWER, page_token

SOURCE = "https://www.ameli.fr/assure/adresses-et-contacts"
FINESS_ID, FINESS_NUMBER = "finess:010000024", "010000024"  # Centre hospitalier de Bourg-en-Bresse (shipped sample)


def contact_form(**overrides: str) -> dict[str, str]:
    """Factory: the add-contact form as a browser posts it."""
    return {"kind": "phone", "value": "01 40 00 00 00", "source": SOURCE, "checked": "2026-11-20", **overrides}


def post_contact(client, inst_id: str = "ameli", **overrides: str):
    token = page_token(client, f"/review/registry/institution/{inst_id}")
    return client.post(f"/review/registry/institution/{inst_id}/contacts", data={**contact_form(**overrides),
                                                                                 "csrf_token": token})


def staff_contacts(db, inst_id: str = "ameli") -> list[dict]:
    return list(db.query("SELECT * FROM contacts WHERE institution_id = ? AND origin = 'staff'", [inst_id]))


@pytest.mark.parametrize("source, message", [
    ("", "Source manquante"), ("   ", "Source manquante"),
    ("http://www.ameli.fr/contact", "pas une adresse https"),
    ("javascript:alert(1)", "pas une adresse https"), ("ameli.fr", "pas une adresse https"),
])
def test_a_contact_without_an_https_source_is_refused_with_a_clear_message(admin, db, source, message):
    resp = post_contact(admin, source=source)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in html and 'role="alert"' in html
    assert 'value="01 40 00 00 00"' in html  # what the admin typed is still there
    assert staff_contacts(db) == []
    assert db.execute("SELECT count(*) FROM audit WHERE action LIKE 'registry_%'").fetchone()[0] == 0


@pytest.mark.parametrize("checked, message", [("", "Date de vérification manquante"),
                                              ("20/11/2026", "pas une date AAAA-MM-JJ"), ("2026-02-30", "pas une date AAAA-MM-JJ"),
                                              ("2999-01-01", "dans le futur")])
def test_a_contact_without_a_valid_checked_date_is_refused(admin, db, checked, message):
    resp = post_contact(admin, checked=checked)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert staff_contacts(db) == []


def test_an_added_contact_is_normalised_kept_as_staff_shown_and_audited(admin, db):
    resp = post_contact(admin, note="Standard national")
    assert resp.status_code == 302
    [row] = staff_contacts(db)
    assert (row["kind"], row["value"], row["source"], row["checked"]) == ("phone", "+33140000000", SOURCE, "2026-11-20")
    html = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "+33140000000" in html and "Modification enregistrée" in html and "dès le message suivant" in html
    actor, detail = db.execute("SELECT actor, detail FROM audit WHERE action = 'registry_contact_add'").fetchone()
    assert actor == ADMIN and json.loads(detail)["after"]["source"] == SOURCE
    assert "contact ajouté au registre" in html  # the institution's own history


@pytest.mark.parametrize("kind, value, stored", [("domain", "https://www.Ameli-Contact.fr/x", "ameli-contact.fr"),
                                                 ("email", "Contact@Ameli.fr", "contact@ameli.fr"),
                                                 ("short_code", "36 46", "3646"), ("sms_sender", "AMELI", "AMELI")])
def test_contact_values_are_stored_in_the_registry_form(db, kind, value, stored):
    assert registry_admin.normalise(kind, value) == stored


@pytest.mark.parametrize("kind, value", [("phone", "12"), ("domain", "pas un domaine"), ("email", "x@"),
                                         ("short_code", "12"), ("fax", "0140")])
def test_malformed_contact_values_are_refused(kind, value):
    with pytest.raises(registry_admin.RegistryAdminError):
        registry_admin.normalise(kind, value)


def test_a_finess_establishment_is_found_by_name_number_and_town_with_its_imported_values(admin, db):
    for query in ("bourg-en-bresse", FINESS_NUMBER, "viriat"):
        html = admin.get(f"/review/registry?q={query}").get_data(as_text=True)
        assert FINESS_ID in html, query
    post_contact(admin, FINESS_ID, value="04 74 45 00 00")
    html = admin.get(f"/review/registry/institution/{FINESS_ID}").get_data(as_text=True)
    row = html[html.index('<tr><td>numéro</td>'):html.index("</tr>", html.index('<tr><td>numéro</td>'))]
    imported, staff = row.split("</td>", 2)[1:3]
    assert "+33474454647" in imported and "FINESS" in imported  # the FINESS value ...
    assert "+33474450000" in staff and "équipe" in staff  # ... beside the staff one


def test_a_staff_phone_of_a_finess_establishment_is_recognised_at_once(app, admin, db):
    post_contact(admin, FINESS_ID, value="04 74 45 00 00")
    assert SqliteDirectory(app.config["VIGIE_DB"]).by_phone("+33474450000") == (FINESS_ID,)


def test_staff_contacts_survive_a_reload_of_the_seed_files(admin, db):
    post_contact(admin)
    registry_store.sync_seed(db)
    assert [c["value"] for c in staff_contacts(db)] == ["+33140000000"]
    assert any(c.value == "+33140000000" for c in next(i for i in registry_store.load(db).institutions
                                                       if i.id == "ameli").contacts)


def test_seeded_and_imported_contacts_cannot_be_edited_here(admin, db):
    seed_id = db.execute("SELECT id FROM contacts WHERE origin = 'seed' LIMIT 1").fetchone()[0]
    token = page_token(admin, "/review/registry")
    resp = admin.post(f"/review/registry/contact/{seed_id}", data={"action": "edit", "value": "x.fr", "source": SOURCE,
                                                                   "checked": "2026-11-20", "csrf_token": token})
    assert resp.status_code == 400 and "pas modifiable ici" in resp.get_data(as_text=True)


def test_editing_a_staff_contact_needs_a_source_and_keeps_the_old_values_in_the_audit(admin, db):
    post_contact(admin)
    contact_id = staff_contacts(db)[0]["id"]
    token = page_token(admin, "/review/registry")
    form = {"action": "edit", "value": "01 40 00 00 01", "checked": "2026-11-21", "csrf_token": token}
    resp = admin.post(f"/review/registry/contact/{contact_id}", data={**form, "source": ""})
    assert resp.status_code == 400 and "Source manquante" in resp.get_data(as_text=True)
    assert admin.post(f"/review/registry/contact/{contact_id}", data={**form, "source": SOURCE + "/v2"}).status_code == 302
    assert staff_contacts(db)[0]["value"] == "+33140000001"
    detail = json.loads(db.execute("SELECT detail FROM audit WHERE action = 'registry_contact_edit'").fetchone()[0])
    assert detail["before"]["value"] == "+33140000000" and detail["after"]["source"] == SOURCE + "/v2"


def test_removing_a_staff_contact_names_its_source_and_is_audited(admin, db):
    post_contact(admin)
    contact_id = staff_contacts(db)[0]["id"]
    token = page_token(admin, "/review/registry")
    form = {"action": "remove", "checked": "2026-11-22", "csrf_token": token}
    assert admin.post(f"/review/registry/contact/{contact_id}", data=form).status_code == 400
    assert admin.post(f"/review/registry/contact/{contact_id}", data={**form, "source": SOURCE}).status_code == 302
    assert staff_contacts(db) == []
    assert db.execute("SELECT count(*) FROM audit WHERE action = 'registry_contact_remove'").fetchone()[0] == 1


def test_an_admin_adds_a_staff_institution_with_a_source(admin, db):
    token = page_token(admin, "/review/registry")
    form = {"name": "Centre de santé Exemple", "kind": "establishment", "town": "Belfort", "checked": "2026-11-20",
            "csrf_token": token}
    refused = admin.post("/review/registry", data=form)
    assert refused.status_code == 400 and "Source manquante" in refused.get_data(as_text=True)
    resp = admin.post("/review/registry", data={**form, "source": "https://centre-exemple.fr/contact"})
    assert resp.headers["Location"].startswith("/review/registry/institution/staff:centre-de-sante-exemple")
    assert "Centre de santé Exemple" in admin.get("/review/registry").get_data(as_text=True)  # listed with the seed


def test_the_import_status_shows_the_last_files_counts_and_errors(admin, db):
    db["imports"].insert({"file": "/data/etalab-cs1100507-stock.csv.gz", "kind": "finess", "status": "failed",
                          "started_at": "2026-11-28T02:00:00+00:00", "finished_at": "2026-11-28T02:03:00+00:00",
                          "rows": 0, "added": 0, "changed": 0, "unchanged": 0, "closed": 0, "errors": 12,
                          "warnings": 3, "message": "line 1: not a FINESS extract"})
    html = admin.get("/review/registry").get_data(as_text=True)
    table = html[html.index('id="imports"'):]
    assert "etalab-cs1100507-stock.csv.gz" in table and "échoué" in table and "not a FINESS extract" in table
    assert "finess-sample.csv" in table and ">7</td>" in table  # the shipped sample import: 7 rows


@pytest.fixture
def proposal(db, file_report):
    """A reviewer proposes the real number of the institution a false alarm named."""
    case_id = file_report("Assurance Maladie : votre attestation est disponible sur votre compte ameli.")
    db.execute("UPDATE cases SET verdict_json = json_set(coalesce(verdict_json, '{}'), '$.institution',"
               " json('{\"id\": \"ameli\", \"name\": \"Assurance Maladie (ameli)\"}')) WHERE id = ?", [case_id])
    db.conn.commit()
    return desk.propose_contact(db, case_id, "phone", "09 72 72 36 46", SOURCE, "numéro du SMS", REVIEWER)


def test_accepting_a_proposal_makes_a_staff_contact_keeping_its_source_and_date(admin, db, proposal):
    proposed_on = db.execute("SELECT proposed_at FROM proposals WHERE id = ?", [proposal]).fetchone()[0][:10]
    token = page_token(admin, "/review/proposals")
    resp = admin.post(f"/review/proposals/{proposal}", data={"action": "accept", "csrf_token": token})
    assert resp.status_code == 302
    [row] = staff_contacts(db)
    assert (row["value"], row["source"], row["checked"]) == ("+33972723646", SOURCE, proposed_on)
    assert REVIEWER in row["note"] and "numéro du SMS" in row["note"]
    assert db.execute("SELECT status, reviewed_by FROM proposals WHERE id = ?", [proposal]).fetchone() == ("accepted",
                                                                                                          ADMIN)
    assert "Aucune proposition en attente" in admin.get("/review/proposals").get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM audit WHERE action = 'proposal_accept'").fetchone()[0] == 1


def test_rejecting_a_proposal_needs_a_reason_and_leaves_the_registry_alone(admin, db, proposal):
    token = page_token(admin, "/review/proposals")
    refused = admin.post(f"/review/proposals/{proposal}", data={"action": "reject", "reason": " ", "csrf_token": token})
    assert refused.status_code == 400 and "Indiquez pourquoi" in refused.get_data(as_text=True)
    assert admin.post(f"/review/proposals/{proposal}", data={"action": "reject", "reason": "numéro surtaxé",
                                                             "csrf_token": token}).status_code == 302
    assert staff_contacts(db) == []
    assert db.execute("SELECT status FROM proposals WHERE id = ?", [proposal]).fetchone()[0] == "rejected"
    again = admin.post(f"/review/proposals/{proposal}", data={"action": "accept", "csrf_token": token})
    assert again.status_code == 400 and "déjà été traitée" in again.get_data(as_text=True)


def test_a_proposal_naming_no_institution_needs_one_before_it_is_accepted(db, proposal):
    db.execute("UPDATE proposals SET institution_id = NULL WHERE id = ?", [proposal])
    db.conn.commit()
    with pytest.raises(registry_admin.RegistryAdminError, match="ne nomme pas d'établissement"):
        registry_admin.accept_proposal(db, proposal, ADMIN)
    registry_admin.accept_proposal(db, proposal, ADMIN, inst_id="ameli", checked=date(2026, 11, 1).isoformat())
    assert staff_contacts(db)[0]["checked"] == "2026-11-01"


def test_an_unknown_institution_contact_or_proposal_is_a_404(admin):
    token = page_token(admin, "/review/registry")
    assert admin.get("/review/registry/institution/nope").status_code == 404
    assert admin.post("/review/registry/contact/999999", data={"action": "edit", "csrf_token": token}).status_code == 404
    assert admin.post("/review/proposals/999999", data={"action": "accept", "csrf_token": token}).status_code == 404


def test_a_reviewer_cannot_change_the_registry(reviewer, db):
    token = page_token(reviewer, "/review/")
    resp = reviewer.post("/review/registry/institution/ameli/contacts", data={**contact_form(), "csrf_token": token})
    assert resp.status_code == 403 and staff_contacts(db) == []


def test_a_registry_change_without_a_csrf_token_changes_nothing(admin, db):
    assert admin.post("/review/registry/institution/ameli/contacts", data=contact_form()).status_code == 400
    assert staff_contacts(db) == []


def test_the_contacts_version_changes_with_every_staff_change(admin, db):
    before = registry_admin.contacts_version(db)
    post_contact(admin)
    added = registry_admin.contacts_version(db)
    registry_admin.edit_contact(db, staff_contacts(db)[0]["id"], registry_admin.ContactInput(
        "", "01 40 00 00 05", SOURCE, "2026-11-20"), ADMIN)
    assert len({before, added, registry_admin.contacts_version(db)}) == 3
