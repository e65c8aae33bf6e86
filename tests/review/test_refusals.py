"""A refused request is said in the staff member's language: every refusal's sentence is data
(store/texts/refusals.toml), French and English, and every refusal the code raises has one."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from store import refusal
from tests.review.fixtures import page_token

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = {"Refusal", "StaffError", "DeskError", "NotFound", "RegistryAdminError", "UnknownEntry"}


def placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


def raised() -> list[tuple[str, int, str, set[str]]]:
    """(file, line, key, value names) of every refusal built in the project's code."""
    out = []
    for package in ("store", "service", "review", "web", "vigie", "webhooks", "bot", "nlp"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in REFUSALS:
                    key = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
                    out.append((str(path.relative_to(ROOT)), node.lineno, key, {k.arg for k in node.keywords}))
    return out


def test_every_refusal_is_said_in_french_and_english_with_the_same_values():
    texts = refusal.sentences()
    assert texts, "no refusal sentences"
    for key, sentence in texts.items():
        assert set(sentence) == {"fr", "en"}, key
        assert placeholders(sentence["fr"]) == placeholders(sentence["en"]), key
        assert sentence["fr"] != sentence["en"], key


def test_every_refusal_raised_in_the_code_has_its_sentence_and_values():
    found = raised()
    assert len(found) >= 30  # the desk's, the registry's and the staff accounts' refusals
    texts = refusal.sentences()
    wrong = [(f, line, key) for f, line, key, values in found
             if key not in texts or values != placeholders(texts[key]["fr"])]
    assert wrong == []
    unused = set(texts) - {key for _, _, key, _ in found}
    assert unused == set()


def test_an_unknown_refusal_is_a_programming_error_not_a_silent_blank():
    with pytest.raises(KeyError, match="no sentence"):
        refusal.Refusal("no_such_refusal")


def test_the_sentence_is_french_first_and_english_on_request():
    err = refusal.Refusal("staff_exists", email="a@b.example")
    assert str(err) == "Un compte existe déjà pour a@b.example."
    assert err.say("en") == "A staff account for a@b.example already exists."
    assert err.say("de") == str(err)


def notice(html: str) -> str:
    return re.search(r'class="notice error" role="alert"[^>]*>([^<]*)<', html).group(1)


@pytest.mark.parametrize("lang, said", [
    ("fr", "« not-an-address » n'est pas une adresse e-mail."),
    ("en", "“not-an-address” is not an e-mail address."),
])
def test_the_desk_says_a_refused_account_in_the_admins_language(admin, lang, said):
    token = page_token(admin, "/review/")
    assert admin.post("/review/language", data={"lang": lang, "csrf_token": token}).status_code == 302
    token = page_token(admin, "/review/staff")
    resp = admin.post("/review/staff", data={"email": "not-an-address", "role": "reviewer", "csrf_token": token})
    assert resp.status_code == 400
    assert notice(resp.get_data(as_text=True)).replace("&#39;", "'").replace("&#34;", '"') == said


def test_an_unknown_role_is_a_400_with_its_reason_not_a_server_error(admin, accounts):
    token = page_token(admin, "/review/staff")
    resp = admin.post(f"/review/staff/{accounts['reviewer']}",
                      data={"action": "role", "role": "superuser", "csrf_token": token})
    assert resp.status_code == 400
    assert "Rôle inconnu « superuser »" in resp.get_data(as_text=True)


def test_a_refused_registry_change_is_said_in_english_on_the_english_desk(admin):
    token = page_token(admin, "/review/")
    admin.post("/review/language", data={"lang": "en", "csrf_token": token})
    token = page_token(admin, "/review/registry/institution/ameli")
    resp = admin.post("/review/registry/institution/ameli/contacts", data={
        "kind": "phone", "value": "01 40 00 00 00", "source": "http://www.ameli.fr/", "checked": "2026-11-20",
        "csrf_token": token})
    assert resp.status_code == 400
    assert "Source refused: “http://www.ameli.fr/” is not the https address" in resp.get_data(as_text=True)
