"""Annuaire Santé import: practice sites from the practitioners' extract, on a real-layout fixture."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.annuaire import SOURCE, import_annuaire
from store.db import get_db
from store.registry import load
from vigie.registry_cli import registry

EXTRACT = Path(__file__).resolve().parents[1] / "data" / "annuaire" / "PS_LibreAcces_Personne_activite_202610080830.txt"
OPTICIAN = "annuaire:81011772100029"


@pytest.fixture
def db(tmp_path):
    return get_db(tmp_path / "vigie.sqlite3")


def extract_table() -> tuple[list[str], list[list[str]]]:
    header, *rows = EXTRACT.read_text(encoding="utf-8").splitlines()
    return header.split("|")[:-1], [r.split("|")[:-1] for r in rows]


def write_extract(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "extract.txt",
                  encoding: str = "utf-8") -> Path:
    """Factory: an extract with the given header and rows, each line ending with '|' as published."""
    path = tmp_path / name
    path.write_text("".join("|".join(cells) + "|\n" for cells in [header, *rows]), encoding=encoding)
    return path


def sites(db) -> dict[str, dict]:
    return {r["id"]: r for r in db["institutions"].rows_where("origin = 'annuaire'")}


def test_practice_sites_are_grouped_with_their_practitioners(db):
    report = import_annuaire(db, EXTRACT)
    assert (report.rows, report.added, report.skipped, report.error_count) == (5, 5, 1, 0)
    found = sites(db)
    optician = found[OPTICIAN]
    assert (optician["name"], optician["short_name"], optician["town"]) == (
        "ANNE & VALENTIN TOURNEURS", "ANNE ET VALENTIN", "Toulouse")
    assert json.loads(optician["aliases"]) == ["Leila MEDDAH-LAÏD", "Paul DUPONT"]
    hospital = found["annuaire:010000024"]  # keyed by its FINESS site number
    assert (hospital["finess"], hospital["kind"], hospital["department"]) == ("010000024", "practice", "01")
    assert json.loads(hospital["aliases"]) == ["Dr Jean EXEMPLE", "Dr Marie MODELE"]
    assert hospital["category"] == "Cardiologie et maladies vasculaires, Pédiatrie"
    assert found["annuaire:49940088500020"]["town"] == "DOUBS"  # from "Bureau cedex" when no town label


def test_lone_practitioner_is_named_dr_with_the_specialty(db):
    import_annuaire(db, EXTRACT)
    lone = next(r for r in sites(db).values() if r["postcode"] == "74000")
    assert lone["id"].startswith("annuaire:h") and lone["name"] == "Dr Claire FICTIVE, Ophtalmologie"
    contacts = {(c["kind"], c["value"]) for c in db["contacts"].rows_where("institution_id = ?", [lone["id"]])}
    assert contacts == {("phone", "+33465712345"), ("email", "secretariat.fictive@example.org")}
    row = db["contacts"].rows_where("institution_id = ? AND kind = 'phone'", [lone["id"]]).__next__()
    assert (row["source"], row["checked"], row["is_primary"]) == (SOURCE, "2026-10-08", 1)


def test_overseas_practice_gets_its_own_country_code(db):
    import_annuaire(db, EXTRACT)
    saint_martin = next(r for r in sites(db).values() if r["postcode"] == "97150")
    assert saint_martin["department"] == "978"
    assert [c["value"] for c in db["contacts"].rows_where("institution_id = ?", [saint_martin["id"]])] == [
        "+590590875749"]


def test_header_is_matched_by_name_not_position(db, tmp_path):
    header, rows = extract_table()
    keep = [i for i, name in enumerate(header) if not name.startswith(("Code rôle", "Libellé rôle", "Code genre"))]
    order = list(reversed(keep))  # an older, shorter layout, columns in another order
    moved = write_extract(tmp_path, [header[i] for i in order], [[r[i] for i in order] for r in rows])
    import_annuaire(db, moved)
    assert set(sites(db)) == set(sites(get_db_with(tmp_path)))


def get_db_with(tmp_path: Path):
    other = get_db(tmp_path / "reference.sqlite3")
    import_annuaire(other, EXTRACT)
    return other


def test_second_import_changes_nothing_and_a_vanished_site_is_closed(db, tmp_path):
    import_annuaire(db, EXTRACT)
    again = import_annuaire(db, EXTRACT)
    assert (again.added, again.changed, again.closed, again.unchanged) == (0, 0, 0, 5)
    header, rows = extract_table()
    siret = header.index("Numéro SIRET site")
    later = write_extract(tmp_path, header, [r for r in rows if r[siret] != "81011772100029"])
    report = import_annuaire(db, later)
    assert (report.closed, report.unchanged) == (1, 4)
    assert OPTICIAN not in {i.id for i in load(db).institutions}


def test_bad_lines_are_named_and_the_rest_is_imported(db, tmp_path):
    header, rows = extract_table()
    path = write_extract(tmp_path, header, rows)
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].decode("utf-8").encode("latin-1")  # the optician's line, in Latin-1
    lines[4] = lines[4][:60]  # a cut line
    path.write_bytes(b"\n".join(lines))
    report = import_annuaire(db, path)
    assert report.errors[0].startswith("line 3: not UTF-8 (byte 0xcf")
    assert report.errors[1] == "line 5: truncated: 11 fields, expected 56: line skipped"
    assert report.rows == 4 and json.loads(sites(db)[OPTICIAN]["aliases"]) == ["Paul DUPONT"]


def test_cli_refuses_an_unknown_header_with_one_line(tmp_path):
    path = write_extract(tmp_path, ["Nom", "Prénom", "Téléphone"], [["A", "B", "0465712345"]])
    result = CliRunner().invoke(registry, ["import-annuaire", str(path)], env={"VIGIE_DB": str(tmp_path / "v.db")})
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: line 1: not an Annuaire Santé extract header, missing column(s): ")
    assert len(result.stderr.splitlines()) == 1


def test_cli_imports_the_extract(tmp_path):
    result = CliRunner().invoke(registry, ["import-annuaire", str(EXTRACT)], env={"VIGIE_DB": str(tmp_path / "v.db")})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("annuaire: 9 lines, 5 entries, 5 added, 0 changed, 0 closed")
