"""Logout and a password change end every session of the account; `next=` never leaves the desk or breaks."""
from __future__ import annotations

import pytest

from store import staff
from tests.review.fixtures import PASSWORD, REVIEWER, csrf_token, page_token, sign_in


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A fresh browser presenting a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/review/")


def test_the_old_cookie_replayed_after_logout_is_sent_to_login(app, reviewer):
    copied = _cookie(reviewer)
    assert _replay(app, copied).status_code == 200  # the copy works while the session lives
    assert reviewer.post("/review/logout", data={"csrf_token": page_token(reviewer, "/review/")}).status_code == 302
    resp = _replay(app, copied)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/review/login")


def test_logout_ends_the_sessions_of_the_account_in_other_browsers(app, accounts):
    laptop, phone = app.test_client(), app.test_client()
    assert sign_in(laptop, REVIEWER).status_code == 302 and sign_in(phone, REVIEWER).status_code == 302
    laptop.post("/review/logout", data={"csrf_token": page_token(laptop, "/review/")})
    assert phone.get("/review/").status_code == 302


def test_logout_leaves_other_accounts_signed_in(reviewer, admin):
    reviewer.post("/review/logout", data={"csrf_token": page_token(reviewer, "/review/")})
    assert admin.get("/review/").status_code == 200


def test_signing_in_again_after_logout_works(app, reviewer):
    reviewer.post("/review/logout", data={"csrf_token": page_token(reviewer, "/review/")})
    assert sign_in(reviewer, REVIEWER).status_code == 302
    assert reviewer.get("/review/").status_code == 200


def test_a_password_change_ends_every_session_and_the_new_password_opens(app, db, accounts, reviewer):
    copied = _cookie(reviewer)
    staff.set_password(db, accounts["reviewer"], "a brand new passphrase")
    assert reviewer.get("/review/").status_code == 302 and _replay(app, copied).status_code == 302
    fresh = app.test_client()
    assert sign_in(fresh, REVIEWER).status_code == 401  # the old password no longer opens
    assert sign_in(fresh, REVIEWER, "a brand new passphrase").status_code == 302


def test_a_too_short_new_password_is_refused(db, accounts):
    with pytest.raises(staff.StaffError, match="8 caractères"):
        staff.set_password(db, accounts["reviewer"], "short")


def test_a_session_without_a_version_is_not_signed_in(app, accounts):
    client = app.test_client()
    with client.session_transaction() as session:  # a cookie signed before session versions existed
        session["staff_id"] = accounts["reviewer"]
    assert client.get("/review/").status_code == 302


HOSTILE_NEXT = [
    "//evil.example/", "///evil.example/", "\\\\evil.example\\", "/\\evil.example", "/review/\\\\evil.example",
    "https://evil.example/review/", "http:/evil.example", "javascript:alert(1)", "/review//evil.example",
    "/review/\r\nSet-Cookie: x=1", "/review/\nLocation: //evil.example", "/review/%0d%0aX: y\r", "\r\n/review/",
    "/review/\t/evil", " //evil.example", "/review/../..//evil.example", "/review/%2e%2e/%2e%2e//evil.example",
    "/review/\x00", "/review/\u2028", "/review/" + "a" * 5000, "/review/case/1?x=é", "",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT, ids=range(len(HOSTILE_NEXT)))
def test_a_crafted_next_never_gives_a_500_or_an_off_site_redirect(app, accounts, target):
    client = app.test_client()
    assert client.get("/review/login", query_string={"next": target}).status_code == 200
    resp = client.post("/review/login", data={"email": REVIEWER, "password": PASSWORD,
                                               "csrf_token": csrf_token(client), "next": target})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert location.startswith("/review/") and not location.startswith("/review//")
    assert "evil" not in location.split("?")[0] and not any(c in location for c in "\r\n\t\\ ")
    assert location.isascii()


def test_a_plain_desk_path_is_followed_after_sign_in(app, accounts):
    client = app.test_client()
    resp = client.post("/review/login", data={"email": REVIEWER, "password": PASSWORD,
                                               "csrf_token": csrf_token(client), "next": "/review/campaigns?sort=new"})
    assert resp.headers["Location"] == "/review/campaigns?sort=new"


def test_an_anonymous_visit_to_a_strange_path_comes_back_to_login_without_error(app, accounts):
    client = app.test_client()
    resp = client.get("/review/?channel=%0d%0aX-Evil:%20yes//evil.example")
    assert resp.status_code == 302 and "\n" not in resp.headers["Location"]
    assert client.get(resp.headers["Location"]).status_code == 200
    back = client.post("/review/login", data={"email": REVIEWER, "password": PASSWORD, "csrf_token": csrf_token(client),
                                               "next": "/review/?channel=\r\nX-Evil: yes//evil.example"})
    assert back.status_code == 302 and back.headers["Location"] == "/review/"
