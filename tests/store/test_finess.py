"""FINESS imports: the legacy Etalab extract and the FINESS+ JSON feed, on real-layout fixtures."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.db import get_db
from store.finess import LEGACY_SOURCE, import_finess
from store.imports import ImportFileError, Progress
from store.places import e164
from store.registry import load
from vigie.registry_cli import registry

DATA = Path(__file__).resolve().parents[1] / "data" / "finess"
LEGACY = DATA / "etalab-cs1100507-stock-20260512-0339.csv"
JSON_FEED = DATA / "finess-structures-journalier-20260309.json"


@pytest.fixture
def db(tmp_path):
    return get_db(tmp_path / "vigie.sqlite3")


def legacy_lines() -> list[bytes]:
    return LEGACY.read_bytes().split(b"\r\n")[:-1]


def write_legacy(tmp_path: Path, lines: list[bytes], name: str = "extract.csv", end: bytes = b"\r\n") -> Path:
    """Factory: a legacy extract made of the given raw lines."""
    path = tmp_path / name
    path.write_bytes(b"\r\n".join(lines) + end)
    return path


def write_feed(tmp_path: Path, edit=None, name: str = "feed.json") -> Path:
    """Factory: the FINESS+ fixture, optionally edited."""
    doc = json.loads(JSON_FEED.read_text(encoding="utf-8"))
    if edit:
        edit(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def institution(db, key: str) -> dict:
    return db["institutions"].get(key)


def phones(db, key: str) -> list[str]:
    return [r["value"] for r in db.query(
        "SELECT value FROM contacts WHERE institution_id = ? AND kind = 'phone'", [key])]


def test_legacy_extract_gives_names_places_and_e164_phones(db):
    report = import_finess(db, LEGACY)
    assert (report.kind, report.rows, report.added, report.error_count) == ("finess-legacy", 7, 7, 0)
    ch = institution(db, "finess:010000024")
    assert ch["name"] == "CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT"
    assert (ch["short_name"], ch["town"], ch["department"], ch["postcode"]) == ("CH DE FLEYRIAT", "VIRIAT", "01", "01440")
    assert (ch["address"], ch["category"], ch["finess_ej"]) == ("900 RTE DE PARIS", "Centre Hospitalier (C.H.)", "010780054")
    assert (ch["kind"], ch["origin"], ch["active"]) == ("establishment", "finess", 1)
    contact = db["contacts"].rows_where("institution_id = ?", ["finess:010000024"]).__next__()
    assert (contact["value"], contact["is_primary"], contact["source"], contact["checked"]) == (
        "+33474454647", 1, LEGACY_SOURCE, "2026-05-12")


def test_overseas_departments_get_their_own_country_codes(db):
    import_finess(db, LEGACY)
    assert phones(db, "finess:970400024") == ["+262262905050"]  # 9D Réunion
    assert institution(db, "finess:970400024")["department"] == "974"
    assert phones(db, "finess:980501506") == ["+262269666815"]  # 9F Mayotte shares +262
    assert phones(db, "finess:970300026") == ["+594594395050"]  # 9C Guyane
    assert institution(db, "finess:970300026")["town"] == "CAYENNE"  # CEDEX dropped
    assert institution(db, "finess:970100400")["department"] == "978"  # 9A, postcode of Saint-Martin
    assert phones(db, "finess:980600027") == []  # Wallis: no phone in the file


def test_quoted_field_with_doubled_quotes_is_read_whole(db):
    import_finess(db, LEGACY)
    row = institution(db, "finess:980501506")
    assert row["short_name"] == 'LIEU DE VIE "MAVOUNA MEMA 1"'
    assert row["name"] == "LIEU DE VIE ET D'ACCUEIL \"MAVOUNA MEMA 1\""
    assert institution(db, "finess:970216057")["name"] == "ALEFPA S.M.J.P.M"  # no long name: short one


@pytest.mark.parametrize("raw, department, expected", [
    ("0262905050", "974", "+262262905050"), ("0590522525", "978", "+590590522525"),
    ("0596712806", "972", "+596596712806"), ("0508412345", "975", "+508412345"),
    ("474454647", "01", "+33474454647"), ("0474454647", "974", "+33474454647"), ("0000", "01", None),
])
def test_phone_normalisation_picks_the_region_from_the_department(raw, department, expected):
    assert e164(raw, department) == expected


def test_second_import_of_the_same_extract_changes_nothing(db):
    import_finess(db, LEGACY)
    again = import_finess(db, LEGACY)
    assert (again.added, again.changed, again.closed, again.unchanged) == (0, 0, 0, 7)
    assert db["contacts"].count == 6


def test_new_extract_updates_in_place_and_closes_what_disappeared(db, tmp_path):
    import_finess(db, LEGACY)
    lines = legacy_lines()
    lines[0] = b"finess;etalab;111;2026-06-01"
    lines[1] = lines[1].replace(b"0474454647", b"0474454600")
    del lines[6]  # Hôpital de Sia no longer listed
    report = import_finess(db, write_legacy(tmp_path, lines))
    assert (report.added, report.changed, report.closed, report.unchanged) == (0, 1, 1, 5)
    assert institution(db, "finess:980600027")["active"] == 0
    assert phones(db, "finess:010000024") == ["+33474454600"]
    assert {r["checked"] for r in db["contacts"].rows} == {"2026-06-01"}
    assert "finess:980600027" not in {i.id for i in load(db).institutions}


def test_partial_file_closes_nothing(db, tmp_path):
    import_finess(db, LEGACY)
    report = import_finess(db, write_legacy(tmp_path, legacy_lines()[:2]), partial=True)
    assert (report.closed, report.unchanged) == (0, 1)


def test_file_cut_mid_line_imports_the_rest_and_closes_nothing(db, tmp_path):
    import_finess(db, LEGACY)
    lines = legacy_lines()[:5]
    lines[-1] = lines[-1][:80]
    report = import_finess(db, write_legacy(tmp_path, lines, end=b""))
    assert report.error_count == 1 and report.errors[0].startswith("line 5: truncated: ")
    assert not report.complete and report.closed == 0 and report.unchanged == 3


def test_file_cut_inside_a_quoted_field_closes_nothing(db, tmp_path):
    import_finess(db, LEGACY)
    lines = legacy_lines()[:6]
    lines[-1] = lines[-1][:80]
    report = import_finess(db, write_legacy(tmp_path, lines, end=b""))
    assert report.errors == ["line 6: unreadable quoting (unexpected end of data): line skipped"]
    assert not report.complete and report.closed == 0


def test_broken_line_is_named_and_its_establishment_stays_open(db, tmp_path):
    import_finess(db, LEGACY)
    lines = legacy_lines()
    lines[2] = b";".join(lines[2].split(b";")[:12])
    lines.insert(3, b"structure;123")
    report = import_finess(db, write_legacy(tmp_path, lines))
    assert report.errors == ["line 3: truncated: 12 fields, expected 32: line skipped",
                             "line 4: unknown record type 'structure': line skipped"]
    assert report.closed == 0 and institution(db, "finess:970100400")["active"] == 1


def test_wrong_encoding_is_reported_by_line(db, tmp_path):
    lines = legacy_lines()
    lines[1] = lines[1].replace(b"VIRIAT", b"VIRIAT\x81")  # undefined in Windows-1252
    lines[4] = lines[4].decode("cp1252").encode("utf-8")  # one line re-saved as UTF-8
    report = import_finess(db, write_legacy(tmp_path, lines))
    assert report.errors[0].startswith("line 2: not Windows-1252 text (byte 0x81")
    assert report.warnings == ["line 5: UTF-8 text in a Windows-1252 file (re-saved?); read as UTF-8"]
    assert institution(db, "finess:970400024")["category"] == "Centre Hospitalier Régional (C.H.R.)"
    assert report.rows == 6


def test_file_with_nothing_usable_fails_and_leaves_the_registry_untouched(db, tmp_path):
    import_finess(db, LEGACY)
    broken = write_legacy(tmp_path, [legacy_lines()[0], b"structureet;010000024;cut"])
    with pytest.raises(ImportFileError, match="nothing to import"):
        import_finess(db, broken)
    assert db["institutions"].count == 7 and institution(db, "finess:010000024")["active"] == 1
    assert [r["status"] for r in db["imports"].rows] == ["ok", "failed"]


def test_cli_refuses_a_file_that_is_not_finess(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello;world\n")
    result = CliRunner().invoke(registry, ["import-finess", str(other)],
                                env={"VIGIE_DB": str(tmp_path / "db" / "v.sqlite3")})
    assert result.exit_code == 1
    assert "line 1: not a FINESS file" in result.stderr and len(result.stderr.splitlines()) == 1


def test_cli_imports_and_reports_counts_as_json(tmp_path):
    env = {"VIGIE_DB": str(tmp_path / "v.sqlite3")}
    result = CliRunner().invoke(registry, ["import-finess", str(LEGACY), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 7


def test_json_feed_keeps_active_establishments_only(db):
    report = import_finess(db, JSON_FEED)
    assert (report.kind, report.rows, report.added, report.checked) == ("finess-json", 2, 2, "2026-03-09")
    clinic = institution(db, "finess:010780195")
    assert (clinic["name"], clinic["short_name"], clinic["finess_ej"]) == (
        "CLINIQUE DOCTEUR CONVERT", "CLINIQUE CONVERT", "010000156")
    assert (clinic["town"], clinic["address"]) == ("BOURG EN BRESSE", "62 AVENUE DE JASSERON, BP 132")
    assert institution(db, "finess:970400024")["department"] == "974"
    assert phones(db, "finess:970400024") == ["+262262905050"]
    assert db["institutions"].count_where("id = 'finess:010787190'") == 0  # etatObjet "I"


def test_json_entity_marked_inactive_closes_it(db, tmp_path):
    def reopen(doc):
        doc["pmej"][1]["ege"][0]["etatObjet"] = "A"
    import_finess(db, write_feed(tmp_path, reopen, "before.json"))
    report = import_finess(db, JSON_FEED, partial=True)
    assert (report.closed, report.unchanged) == (1, 2)
    assert institution(db, "finess:010787190")["active"] == 0
    assert import_finess(db, JSON_FEED).changed == 0


def test_json_feed_cut_short_keeps_what_came_before(db, tmp_path):
    text = write_feed(tmp_path).read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('"CHU DE LA REUNION"') + 40], encoding="utf-8")
    report = import_finess(db, cut)
    assert report.rows == 1 and not report.complete
    assert "broken JSON" in report.errors[0] and report.errors[0].startswith("line ")


def test_gzipped_feed_is_read(db, tmp_path):
    packed = tmp_path / "feed.json.gz"
    packed.write_bytes(gzip.compress(JSON_FEED.read_bytes()))
    assert import_finess(db, packed).added == 2


def test_progress_prints_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    bar = Progress("FINESS", 1000, out)
    for done in range(0, 1001, 100):
        bar.update(done, done // 10)
    assert out.getvalue().splitlines()[0].startswith("FINESS: 10% 10 rows")
    assert "\r" not in out.getvalue()


def test_a_gzipped_extract_cut_short_changes_nothing_and_is_recorded_as_failed(db, tmp_path):
    import_finess(db, LEGACY)
    before = [tuple(r) for r in db.execute("SELECT * FROM institutions ORDER BY id")]
    lines = legacy_lines()
    grown = [lines[0], *(b"structureet;%09d;%s" % (10_000_000 + n, lines[1].split(b";", 2)[2]) for n in range(3000))]
    packed = gzip.compress(b"\r\n".join(grown) + b"\r\n")
    cut = tmp_path / "extract.csv.gz"
    cut.write_bytes(packed[: len(packed) * 3 // 4])  # thousands of lines parsed before the cut
    with pytest.raises(ImportFileError, match="cannot be read to its end"):
        import_finess(db, cut)
    assert [tuple(r) for r in db.execute("SELECT * FROM institutions ORDER BY id")] == before
    assert [r["status"] for r in db["imports"].rows] == ["ok", "failed"]
    result = CliRunner().invoke(registry, ["import-finess", str(cut)], env={"VIGIE_DB": str(tmp_path / "v.sqlite3")})
    errors = [line for line in result.stderr.splitlines() if not line.startswith("FINESS ")]  # not progress
    assert result.exit_code == 1 and len(errors) == 1 and "cannot be read to its end" in errors[0]
