"""Importing practice sites from the Annuaire Santé extract (`ps-libreacces-personne-activite.txt`)."""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database

from store.imports import (
    Contact, ImportFileError, ImportReport, Progress, RegistryWriter, open_binary, run_import, today,
)
from store.staging import Staging
from store.places import clean_email, department_from_commune, e164, split_acheminement, squash

SOURCE = ("https://www.data.gouv.fr/fr/datasets/annuaire-sante-extractions-des-donnees-en-libre-acces-"
          "des-professionnels-intervenant-dans-le-systeme-de-sante-rpps/")
# Logical field -> accepted header names (published variants); REQUIRED must all be found.
COLUMNS: dict[str, tuple[str, ...]] = {
    "civility": ("Code civilité d'exercice",),
    "last": ("Nom d'exercice",),
    "first": ("Prénom d'exercice",),
    "profession": ("Libellé profession", "Code profession"),
    "specialty": ("Libellé savoir-faire",),
    "siret": ("Numéro SIRET site",),
    "finess": ("Numéro FINESS site",),
    "finess_ej": ("Numéro FINESS établissement juridique",),
    "name": ("Raison sociale site",),
    "sign": ("Enseigne commerciale site",),
    "number": ("Numéro Voie (coord. structure)",),
    "repeat": ("Indice répétition voie (coord. structure)",),
    "street_type": ("Libellé type de voie (coord. structure)", "Code type de voie (coord. structure)"),
    "street": ("Libellé Voie (coord. structure)",),
    "place": ("Mention distribution (coord. structure)",),
    "cedex": ("Bureau cedex (coord. structure)",),
    "postcode": ("Code postal (coord. structure)",),
    "commune": ("Code commune (coord. structure)",),
    "town": ("Libellé commune (coord. structure)",),
    "phone": ("Téléphone (coord. structure)",),
    "phone2": ("Téléphone 2 (coord. structure)",),
    "email": ("Adresse e-mail (coord. structure)",),
    "department": ("Code Département (structure)", "Code département (coord. structure)"),
}
REQUIRED = ("last", "first", "profession", "siret", "finess", "name", "postcode", "phone")
STAGE = ("site", "finess", "finess_ej", "siret", "name", "sign", "address", "postcode", "town",
         "department", "phone", "email", "person", "specialty")
_STAMP = re.compile(r"(20\d{2})(\d{2})(\d{2})\d{0,6}")


def _norm(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def header_index(names: list[str]) -> dict[str, int]:
    """Map logical fields to column positions by header NAME; raise if a required one is missing."""
    position = {_norm(n): i for i, n in enumerate(names)}
    index = {}
    for field, candidates in COLUMNS.items():
        found = next((position[_norm(c)] for c in candidates if _norm(c) in position), None)
        if found is not None:
            index[field] = found
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in index]
    if missing:
        raise ImportFileError("not an Annuaire Santé extract header, missing column(s): "
                              + ", ".join(missing), line=1)
    return index


def import_annuaire(db: Database, path: Path, *, partial: bool = False, source: str | None = None,
                    checked: str | None = None, progress: IO[str] | None = None,
                    report: ImportReport | None = None) -> ImportReport:
    """Import the Annuaire Santé practitioners' extract as practice sites: staged, then applied in short batches."""
    path = Path(path)
    stream, raw = open_binary(path)
    with raw, stream:
        report = report or ImportReport("annuaire", str(path))
        report.checked = checked or _date_from_name(path)
        bar = Progress(f"Annuaire {path.name}", path.stat().st_size, progress)

        def body(rep: ImportReport, staging: Staging) -> None:
            scratch = staging.db  # the lines wait in the staging file, not in the live database
            scratch.execute(f"CREATE TABLE annuaire_stage (line INTEGER, {', '.join(STAGE)})")
            _stage(scratch, stream, raw, rep, bar)
            writer = RegistryWriter(db, "annuaire", source or SOURCE, rep, staging)
            _merge_sites(scratch, writer, rep)
            writer.finish(close_missing=not partial)
            scratch.execute("DROP TABLE annuaire_stage")
            bar.finish(rep.rows)

        return run_import(db, report, body)


def _date_from_name(path: Path) -> str:
    match = _STAMP.search(path.name)  # PS_LibreAcces_Personne_activite_202610080830.txt
    if match:
        return "-".join(match.groups())
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat() if path.exists() else today()


def _stage(db: Database, stream: IO[bytes], raw: IO[bytes], report: ImportReport, bar: Progress) -> None:
    """Read every line into a temporary table (one row per practitioner and site)."""
    header = stream.readline().decode("utf-8-sig", errors="replace").rstrip("\r\n").split("|")
    if header and header[-1] == "":
        header.pop()  # the published lines end with '|'
    index = header_index(header)
    width, batch = len(header), []
    insert = f"INSERT INTO annuaire_stage VALUES ({', '.join('?' * (len(STAGE) + 1))})"
    for lineno, raw_line in enumerate(stream, 2):
        report.lines = lineno
        try:
            text = raw_line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            report.error(lineno, f"not UTF-8 (byte 0x{raw_line[exc.start]:02x} at column {exc.start + 1}; "
                                 "a Latin-1 file?): line skipped")
            continue
        if not text.strip():
            continue
        cells = text.split("|")
        if len(cells) == width + 1 and cells[-1] == "":
            cells.pop()
        if len(cells) != width:
            what = "truncated" if len(cells) < width else "too many fields"
            report.error(lineno, f"{what}: {len(cells)} fields, expected {width}: line skipped")
            if not raw_line.endswith(b"\n"):
                report.complete = False
            continue
        staged = _stage_row(cells, index, lineno)
        if staged is None:
            report.skipped += 1
            continue
        batch.append(staged)
        if len(batch) >= 10000:
            db.conn.executemany(insert, batch)
            batch = []
            bar.update(raw.tell(), lineno)
    db.conn.executemany(insert, batch)


def _stage_row(cells: list[str], index: dict[str, int], lineno: int) -> tuple[Any, ...] | None:
    def get(field: str) -> str:
        i = index.get(field)
        return squash(cells[i]) if i is not None else ""

    name, sign, email = get("name"), get("sign"), get("email")
    phone, phone2 = get("phone").replace(" ", ""), get("phone2").replace(" ", "")
    postcode, finess, siret = get("postcode"), get("finess"), get("siret")
    if not (postcode or phone or phone2 or email):
        return None  # no practice site on this line
    street = " ".join(p for p in (f"{get('number')}{get('repeat')}", get("street_type"), get("street")) if p)
    address = ", ".join(p for p in (street, get("place")) if p)
    town = get("town") or split_acheminement(get("cedex"))[1]
    department = department_from_commune(get("commune")) or get("department") or _department(postcode)
    title = {"DR": "Dr ", "PR": "Pr "}.get(get("civility").upper(), "")
    person = squash(f"{title}{get('first')} {get('last')}")
    specialty = get("specialty") or get("profession")
    if finess:
        site = finess
    elif siret:
        site = siret
    else:
        basis = "|".join((name or sign or person, address, postcode, town)).casefold()
        site = "h" + hashlib.blake2b(basis.encode(), digest_size=8).hexdigest()
    phones = " ".join(p for p in (phone, phone2) if p) or None
    return (lineno, site, finess, get("finess_ej"), siret, name, sign, address, postcode, town,
            department, phones, email or None, person, specialty)


def _department(postcode: str) -> str:
    if len(postcode) != 5:
        return ""
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:3] if postcode.startswith(("97", "98")) else postcode[:2]


def _merge_sites(db: Database, writer: RegistryWriter, report: ImportReport) -> None:
    """One institution per practice site, with all its practitioners as aliases."""
    query = """SELECT site, min(line), max(finess), max(finess_ej), max(siret), max(name), max(sign),
        max(address), max(postcode), max(town), max(department), group_concat(phone, ' '),
        group_concat(email, ' '), json_group_array(DISTINCT person), json_group_array(DISTINCT specialty)
        FROM annuaire_stage GROUP BY site"""
    for (site, line, finess, finess_ej, siret, name, sign, address, postcode, town, department,
         phones, emails, persons_json, specialties) in db.execute(query):
        report.rows += 1
        persons = [p for p in json.loads(persons_json) if p]
        specialties = sorted(s for s in json.loads(specialties) if s)
        if not (name or sign):
            label = f", {specialties[0]}" if len(specialties) == 1 else ""
            name = f"{persons[0]}{label}" if len(persons) == 1 else "Cabinet " + ", ".join(persons[:3])
        row = {
            "id": f"annuaire:{site}", "name": name or sign, "short_name": sign if name and sign != name else "",
            "kind": "practice", "town": town or "", "department": department or "", "postcode": postcode or "",
            "address": address or "", "category": ", ".join(specialties[:5]), "finess": finess or "",
            "finess_ej": finess_ej or "", "aliases": json.dumps(sorted(persons), ensure_ascii=False),
        }
        writer.put(row, _contacts(phones, emails, department or "", line, report))


def _contacts(phones: str | None, emails: str | None, department: str, line: int,
              report: ImportReport) -> list[Contact]:
    contacts: list[Contact] = []
    counted = Counter(p for p in (phones or "").split() if p)
    for raw_phone, _ in counted.most_common():
        value = e164(raw_phone, department)
        if value is None:
            report.warn(line, f"phone {raw_phone!r} is not a valid number: left out")
        else:
            contacts.append(("phone", value, not any(k == "phone" for k, _, _ in contacts)))
    for rank, (raw_email, _) in enumerate(Counter((emails or "").split()).most_common()):
        value = clean_email(raw_email)
        if value:
            contacts.append(("email", value, rank == 0))
    return contacts
