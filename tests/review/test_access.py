"""Who may open what on the desk: every route x (anonymous, reviewer, admin); CSRF; throttling; cookies."""
from __future__ import annotations

from dataclasses import replace

import pytest

from service.desk import assign_pending, propose_contact
from review.web import IP_FAILURES
from store import review as queries
from store import registry_admin, staff
from store.clock import now
from vigie.app import create_app
from tests.review.fixtures import ADMIN, PASSWORD, REVIEWER, csrf_token, page_token, sign_in

CONTACT = {"source": "https://www.ameli.fr/assure/adresses-et-contacts", "checked": "2026-11-20"}
NEW_INSTITUTION = {**CONTACT, "name": "Centre de santé Exemple", "kind": "establishment", "town": "Belfort"}
# endpoint -> (method, path template, form, expected status for anonymous, reviewer, admin)
ROUTES = {
    "review.login": ("GET", "/review/login", None, (200, 200, 200)),
    "review.login_post": ("POST", "/review/login", {"email": "nobody@example.org", "password": "wrong-password"},
                          (401, 401, 401)),
    "review.queue": ("GET", "/review/", None, (302, 200, 200)),
    "review.case": ("GET", "/review/case/{case}", None, (302, 200, 200)),
    "review.reveal": ("POST", "/review/case/{case}/reveal", {}, (302, 200, 200)),
    "review.decide": ("POST", "/review/case/{case}/decide", {"verdict": "scam", "note": "faux site"}, (302, 302, 302)),
    "review.propose": ("POST", "/review/case/{case}/propose",
                       {"kind": "phone", "value": "+33140000000", "source": "https://www.ameli.fr/contact"},
                       (302, 302, 302)),
    "review.campaigns": ("GET", "/review/campaigns", None, (302, 200, 200)),
    "review.campaign": ("GET", "/review/campaign/{campaign}", None, (302, 302, 302)),
    "review.staff_page": ("GET", "/review/staff", None, (302, 403, 200)),
    "review.staff_add": ("POST", "/review/staff", {"email": "new@hopital.example", "role": "reviewer"}, (302, 403, 200)),
    "review.staff_change": ("POST", "/review/staff/{other}", {"action": "role", "role": "reviewer"}, (302, 403, 302)),
    "review.proposals": ("GET", "/review/proposals", None, (302, 403, 200)),
    "review.audit_page": ("GET", "/review/audit", None, (302, 403, 200)),
    "review.dashboard": ("GET", "/review/dashboard?days=7", None, (302, 200, 200)),
    "review.case_picture": ("GET", "/review/case/{case}/picture/1", None, (302, 404, 404)),  # this case has none
    "review.language": ("POST", "/review/language", {"lang": "fr"}, (302, 302, 302)),
    "review.export_csv": ("GET", "/review/export/indicators.csv", None, (302, 200, 200)),
    "review.export_stix": ("GET", "/review/export/indicators.stix.json", None, (302, 200, 200)),
    "review.registry": ("GET", "/review/registry?q=ameli", None, (302, 403, 200)),
    "review.institution_add": ("POST", "/review/registry", dict(NEW_INSTITUTION), (302, 403, 302)),
    "review.institution": ("GET", "/review/registry/institution/ameli", None, (302, 403, 200)),
    "review.contact_add": ("POST", "/review/registry/institution/ameli/contacts",
                           {**CONTACT, "kind": "phone", "value": "01 40 00 00 09"}, (302, 403, 302)),
    "review.contact_change": ("POST", "/review/registry/contact/{contact}",
                              {**CONTACT, "action": "edit", "value": "01 40 00 00 08"}, (302, 403, 302)),
    "review.proposal_settle": ("POST", "/review/proposals/{proposal}", {"action": "accept"}, (302, 403, 302)),
    "review.logout": ("POST", "/review/logout", {}, (302, 302, 302)),
    "review.static": ("GET", "/review/static/desk.css", None, (200, 200, 200)),
}
WHO = ("anonymous", "reviewer", "admin")


def test_the_route_table_covers_every_desk_route(app):
    desk = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/review")}
    assert desk == set(ROUTES)


@pytest.mark.parametrize("who", WHO)
def test_every_route_answers_each_role_as_expected(app, db, accounts, file_report, who):
    case_id = file_report()
    assign_pending(db)
    campaign = db.execute("SELECT campaign_id FROM cases WHERE id = ?", [case_id]).fetchone()[0]
    other = staff.add(db, "other@hopital.example", "reviewer", PASSWORD)
    contact = registry_admin.add_contact(db, "ameli", registry_admin.ContactInput("phone", "01 40 00 00 07", **CONTACT),
                                         ADMIN)
    proposal = propose_contact(db, case_id, "phone", "01 40 00 00 06", CONTACT["source"], "", REVIEWER)
    db.execute("UPDATE proposals SET institution_id = 'ameli' WHERE id = ?", [proposal])
    db.conn.commit()
    client = app.test_client()
    if who != "anonymous":
        assert sign_in(client, {"reviewer": REVIEWER, "admin": ADMIN}[who]).status_code == 302
    wrong = []
    for endpoint, (method, template, form, expected) in ROUTES.items():  # logout comes last
        path = template.format(case=case_id, campaign=campaign, other=other, contact=contact, proposal=proposal)
        if method == "GET":
            resp = client.get(path)
        else:
            resp = client.post(path, data={**form, "csrf_token": csrf_token(client)})
        want = expected[WHO.index(who)]
        if resp.status_code != want:
            wrong.append(f"{method} {path}: {resp.status_code}, expected {want}")
        elif who == "anonymous" and want == 302 and not resp.headers["Location"].startswith("/review/login"):
            wrong.append(f"{method} {path}: redirected to {resp.headers['Location']}, not to the login form")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", ["/review/login", "/review/logout", "/review/case/1/decide", "/review/staff",
                                  "/review/registry", "/review/registry/institution/ameli/contacts",
                                  "/review/registry/contact/1", "/review/proposals/1"])
def test_a_post_without_a_valid_csrf_token_is_refused_with_400(admin, path):
    assert admin.post(path, data={"verdict": "scam", "note": "x"}).status_code == 400
    assert admin.post(path, data={"csrf_token": "forged"}).status_code == 400


def test_an_anonymous_visitor_is_sent_to_the_login_form_with_its_fields(app):
    client = app.test_client()
    resp = client.get("/review/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/review/login")
    form = client.get(resp.headers["Location"]).get_data(as_text=True)
    for name in ("email", "password", "csrf_token"):
        assert f'name="{name}"' in form


def test_after_five_wrong_passwords_even_the_right_one_is_refused(app, accounts):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, REVIEWER, "wrong password!").status_code == 401
    assert sign_in(client, REVIEWER).status_code == 401
    assert sign_in(client, ADMIN).status_code == 302  # another account is not locked


def test_a_locked_account_opens_again_after_the_lock(db, accounts):
    for _ in range(queries.MAX_FAILED_LOGINS):
        queries.authenticate(db, REVIEWER, "nope")
    assert queries.authenticate(db, REVIEWER, PASSWORD) is None
    later = now().replace(year=now().year + 1)
    assert queries.authenticate(db, REVIEWER, PASSWORD, when=later).email == REVIEWER


def test_one_address_failing_too_often_must_wait(app, accounts):
    client = app.test_client()
    token = csrf_token(client)
    for i in range(IP_FAILURES):
        resp = client.post("/review/login", data={"email": f"guess{i}@example.org", "password": "x", "csrf_token": token})
        assert resp.status_code == 401
    resp = client.post("/review/login", data={"email": REVIEWER, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 429 and resp.headers["Retry-After"]


def test_logout_ends_the_session(reviewer):
    assert reviewer.post("/review/logout", data={"csrf_token": page_token(reviewer, "/review/")}).status_code == 302
    assert reviewer.get("/review/").status_code == 302


def test_sign_in_never_redirects_off_the_desk(app, accounts):
    client = app.test_client()
    resp = client.post("/review/login", data={"email": REVIEWER, "password": PASSWORD, "csrf_token": csrf_token(client),
                                               "next": "//evil.example/"})
    assert resp.headers["Location"] == "/review/"


def test_session_cookie_is_secure_only_under_https(settings, triage, accounts):
    for url, secure in (("https://vigie.example.org", True), ("http://127.0.0.1:5000", False)):
        client = create_app(replace(settings, public_url=url), senders={}, triage=triage).test_client()
        cookie = sign_in(client, REVIEWER).headers.get("Set-Cookie", "")
        assert ("Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_desk_pages_forbid_framing_caching_and_inline_scripts(reviewer):
    resp = reviewer.get("/review/")
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Cache-Control"] == "no-store" and resp.headers["X-Frame-Options"] == "DENY"


def test_sign_in_and_out_are_in_the_audit_log(db, reviewer):
    actions = [r[0] for r in db.execute("SELECT action FROM audit WHERE actor = ?", [REVIEWER])]
    assert "login" in actions
