"""The audit view (admins): the append-only log, filtered by actor, action and day, every reveal of patients' data
in it."""
from __future__ import annotations

import sqlite3

import pytest

from store import audit
from store.clock import parse
from tests.review.fixtures import ADMIN, REVIEWER, page_token


def rows(html: str) -> str:
    return html[html.index('id="audit"'):html.index("</table>", html.index('id="audit"'))]


@pytest.fixture
def revealed(reviewer, file_report) -> int:
    """A reviewer reveals the masked data of one case (through the real route)."""
    case_id = file_report("Bonjour Madame Jeanne DUPONT, née le 04/05/1956, payez sur https://frais-dossier-sante.com")
    token = page_token(reviewer, f"/review/case/{case_id}")
    assert reviewer.post(f"/review/case/{case_id}/reveal", data={"csrf_token": token}).status_code == 200
    return case_id


def test_every_reveal_of_masked_patient_data_is_in_the_audit_view(admin, revealed):
    html = rows(admin.get("/review/audit?action=reveal").get_data(as_text=True))
    assert REVIEWER in html and f"cas : {revealed}" in html and "données patient affichées" in html
    assert "connexion" not in html  # only reveals under this filter


def test_the_audit_view_filters_by_actor(admin, revealed):
    html = rows(admin.get(f"/review/audit?actor={ADMIN}").get_data(as_text=True))
    assert ADMIN in html and REVIEWER not in html
    assert "reveal" in rows(admin.get(f"/review/audit?actor={REVIEWER}").get_data(as_text=True))


def test_the_audit_view_filters_by_day(admin, db, revealed):
    audit.record(db, "old@hopital.example", "login", "", when=parse("2025-01-15T10:00:00Z"))
    only_old = rows(admin.get("/review/audit?since=2025-01-15&until=2025-01-15").get_data(as_text=True))
    assert "old@hopital.example" in only_old and REVIEWER not in only_old
    recent = rows(admin.get("/review/audit?since=2025-01-16").get_data(as_text=True))
    assert "old@hopital.example" not in recent and REVIEWER in recent


def test_malformed_filters_are_ignored_not_errors(admin, revealed):
    resp = admin.get("/review/audit?since=yesterday&until='%20OR%201=1&before=x")
    assert resp.status_code == 200 and "reveal" in rows(resp.get_data(as_text=True))


def test_the_audit_view_pages_back_through_older_entries(admin, db):
    for i in range(205):
        audit.record(db, "bulk@hopital.example", "login", f"n{i}")
    html = admin.get("/review/audit?actor=bulk@hopital.example").get_data(as_text=True)
    assert "n204" in html and "n0<" not in html and "before=" in html
    older = html.split('href="')[-1].split('"')[0].replace("&amp;", "&")
    assert "n0<" in admin.get(older).get_data(as_text=True)


def test_the_log_cannot_be_edited_or_deleted(db, revealed):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET actor = 'nobody' WHERE action = 'reveal'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")
