"""Accessibility of every desk page, checked by axe-core in chromium at 1280 and 390 px (WCAG 2.x A/AA)."""
from __future__ import annotations

import pytest

from store import staff
from tests.browser.axe_check import serious_violations
from tests.browser.test_desk import desk_url  # noqa: F401 - the fixture
from tests.browser.test_try_page import browser_page

ADMIN, ADMIN_PASSWORD = "admin@chu-exemple.fr", "mot de passe admin de test"
PAGES = ["/review/", "/review/case/1", "/review/campaigns", "/review/dashboard", "/review/registry",
         "/review/staff", "/review/audit", "/review/proposals"]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_desk_page_has_no_serious_accessibility_violation(desk_url, width):  # noqa: F811
    url, db = desk_url
    staff.add(db, ADMIN, "admin", ADMIN_PASSWORD)
    campaign = db.execute("SELECT min(id) FROM campaigns").fetchone()[0]
    with browser_page(viewport={"width": width, "height": 900}) as page:
        page.goto(url + "/review/login")
        found = {"/review/login": serious_violations(page)}
        page.fill("#email", ADMIN)
        page.fill("#password", ADMIN_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_selector("#queue")
        for path in PAGES + ([f"/review/campaign/{campaign}"] if campaign else []):
            page.goto(url + path)
            found[path] = serious_violations(page)
        page.goto(url + "/review/")
        page.click("header button[name=lang]")  # the desk in English for this staff member
        page.wait_for_selector("html[lang=en] #queue")
        found["/review/ (en)"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
