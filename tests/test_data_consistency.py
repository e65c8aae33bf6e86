"""The data files agree with each other and with the code that reads them."""
from __future__ import annotations

import re
import string
import tomllib
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
import pytest

from bot import replies
from nlp import families

ROOT = Path(__file__).resolve().parents[1]
TEXTS = {lang: tomllib.loads((ROOT / "bot" / "texts" / f"{lang}.toml").read_text("utf-8")) for lang in ("fr", "en")}
# The reasons as the replies read them: the TOML's own, plus the cue reasons of nlp/families/.
REASONS = {lang: replies.texts(lang)["reasons"] for lang in ("fr", "en")}
CUE_WEIGHTS = families.cue_weights()
REGISTRY = tomllib.loads((ROOT / "store" / "data" / "registry.toml").read_text("utf-8"))
LEAKS = tomllib.loads((ROOT / "store" / "data" / "leaks.toml").read_text("utf-8"))
PATTERNS = {lang: families.patterns(lang) for lang in ("fr", "en", "xx")}
INSTITUTIONS = REGISTRY["institution"]
CONTACTS = [(inst["id"], c) for inst in INSTITUTIONS for c in inst.get("contact", [])]
POLICIES = [(inst["id"], p) for inst in INSTITUTIONS for p in inst.get("policy", [])]


def _flat_keys(doc: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in doc.items():
        if isinstance(value, dict):
            keys |= _flat_keys(value, f"{prefix}{key}.")
        else:
            keys.add(prefix + key)
    return keys


def _emitted_codes() -> set[str]:
    """Reason codes the decision can emit: literal Evidence names, the f-string families, cue labels."""
    codes: set[str] = set()
    for module in ("bot/decide.py", "bot/evidence.py", "bot/contacts.py", "bot/triage.py"):
        source = (ROOT / module).read_text("utf-8")
        codes |= set(re.findall(r'Evidence\(\s*"([a-z0-9_]+)"', source))
    contacts = (ROOT / "bot" / "contacts.py").read_text("utf-8")
    if 'f"sender_{s.status}_institution"' in contacts:
        codes |= {"sender_mobile_institution", "sender_freemail_institution"}
    # A cue becomes a reason when it has a weight (family_address weighs 0: only combinations use it).
    codes |= {p["label"] for pats in PATTERNS.values() for p in pats
              if CUE_WEIGHTS.get(p["label"], 0.0) > 0 or p["label"] == "advice"}
    codes |= {f"policy_{code}" for _, p in POLICIES for code in [p["code"]]}
    return codes


def _is_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc) and " " not in url


def _is_iso_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
        return False
    date.fromisoformat(value)
    return True


# --- reply texts ------------------------------------------------------------------------------

def test_both_languages_have_the_same_text_keys():
    assert _flat_keys(TEXTS["fr"]) == _flat_keys(TEXTS["en"])


@pytest.mark.parametrize("code", sorted(_emitted_codes()))
def test_every_reason_code_the_engine_emits_has_text_in_both_languages(code):
    for lang in ("fr", "en"):
        assert REASONS[lang].get(code, "").strip(), f"neither {lang}.toml [reasons] nor a family has {code}"


def test_the_reason_code_scan_finds_the_known_families():
    codes = _emitted_codes()
    assert {"link_lookalike", "phone_premium", "sender_official", "relative_impersonation",
            "auth_failed", "policy_payment", "bank_request"} <= codes


def test_cue_reasons_live_in_their_family_not_in_the_reply_texts():
    for lang in ("fr", "en"):
        assert not set(TEXTS[lang]["reasons"]) & set(families.labels()), lang


def test_family_reasons_use_the_same_placeholders_in_both_languages():
    fields = string.Formatter()
    fr, en = families.reason_texts("fr"), families.reason_texts("en")
    assert set(fr) == set(en)
    for code in fr:
        names = [{f.removeprefix("de_") for _, f, _, _ in fields.parse(text[code]) if f} for text in (fr, en)]
        assert names[0] == names[1], code


def test_translations_use_the_same_placeholders():
    fields = string.Formatter()
    for key in sorted(_flat_keys(TEXTS["fr"])):
        section, name = key.split(".", 1)
        # "de_x" is the French elided form of x ("d'Assurance Maladie"): the same datum.
        names = {lang: {f.removeprefix("de_") for _, f, _, _ in fields.parse(TEXTS[lang][section][name]) if f}
                 for lang in ("fr", "en")}
        assert names["fr"] == names["en"], key


# --- cue patterns -----------------------------------------------------------------------------

def test_every_pattern_id_is_unique():
    ids = [p["id"] for pats in PATTERNS.values() for p in pats]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates


@pytest.mark.parametrize("lang", ["fr", "en", "xx"])
def test_every_pattern_label_has_a_weight(lang):
    unweighted = sorted({p["label"] for p in PATTERNS[lang]} - set(CUE_WEIGHTS) - {"advice", "family_address"})
    assert not unweighted


@pytest.mark.parametrize("lang", ["fr", "en", "xx"])
def test_pattern_ids_name_their_language_and_label(lang):
    for p in PATTERNS[lang]:
        assert p["id"].startswith(f"{lang}-{p['label']}-"), p["id"]
        assert p["pattern"], p["id"]


# --- official registry ------------------------------------------------------------------------

def test_institution_ids_are_unique():
    ids = [inst["id"] for inst in INSTITUTIONS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("inst_id, contact", CONTACTS, ids=[f"{i}:{c['kind']}:{c['value']}" for i, c in CONTACTS])
def test_every_contact_is_sourced_and_dated(inst_id, contact):
    assert _is_https(contact.get("source", "")), contact
    assert _is_iso_date(contact.get("checked", "")), contact


def _domain_ok(value: str) -> bool:
    return (value == value.lower() and "://" not in value and not value.startswith("www.")
            and "/" not in value and re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", value) is not None)


@pytest.mark.parametrize("inst_id, contact", CONTACTS, ids=[f"{i}:{c['kind']}:{c['value']}" for i, c in CONTACTS])
def test_every_contact_value_is_normalised(inst_id, contact):
    kind, value = contact["kind"], contact["value"]
    assert kind in ("domain", "email", "email_domain", "sms_sender", "phone", "short_code")
    if kind in ("domain", "email_domain"):
        assert _domain_ok(value), value
    elif kind == "email":
        local, _, domain = value.partition("@")
        assert local and value == value.lower() and _domain_ok(domain), value
    elif kind in ("phone", "short_code"):
        if value.startswith("+"):
            assert phonenumbers.is_valid_number(phonenumbers.parse(value, None)), value
            assert phonenumbers.format_number(phonenumbers.parse(value, None),
                                              phonenumbers.PhoneNumberFormat.E164) == value
        else:
            assert re.fullmatch(r"\d{3,6}", value), f"{value}: neither E.164 nor a short number"
    else:
        assert value.strip() == value and value


def test_every_institution_has_a_name_and_a_known_kind():
    for inst in INSTITUTIONS:
        assert inst["name"].strip()
        assert inst.get("kind", "national") in ("national", "establishment", "practice", "lab",
                                                "other_public", "foreign"), inst["id"]


@pytest.mark.parametrize("inst_id, policy", POLICIES, ids=[f"{i}:{p['code']}" for i, p in POLICIES])
def test_every_policy_has_a_text_and_a_source(inst_id, policy):
    for lang in ("fr", "en"):
        assert REASONS[lang].get(f"policy_{policy['code']}"), (lang, policy["code"])
    assert _is_https(policy.get("source", "")) and _is_iso_date(policy.get("checked", ""))


@pytest.mark.parametrize("channel", REGISTRY["reporting"], ids=[r["id"] for r in REGISTRY["reporting"]])
def test_every_reporting_channel_is_sourced(channel):
    assert _is_https(channel["source"])
    assert _is_iso_date(channel.get("checked", ""))
    assert set(channel.get("channels", ["all"])) <= {"sms", "email", "all", "whatsapp", "telegram", "links"}


@pytest.mark.parametrize("leak", LEAKS["leak"], ids=[leak["id"] for leak in LEAKS["leak"]])
def test_every_leak_is_sourced_and_refers_to_known_institutions(leak):
    assert leak["sources"] and all(_is_https(s) for s in leak["sources"])
    assert _is_iso_date(leak["date"]) and _is_iso_date(leak["checked"])
    assert leak["status"] in ("claimed", "confirmed", "denied")
    known = {inst["id"] for inst in INSTITUTIONS}
    assert set(leak.get("institution_ids", [])) <= known
