"""Importing FINESS establishments: the legacy Etalab `;` extract and the FINESS+ JSON feed."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database

from store.imports import (
    Contact, ImportFileError, ImportReport, Progress, RegistryWriter, open_binary, run_import, today,
)
from store.staging import Staging
from store.jsonstream import JsonStream
from store.places import (
    clean_email, department_from_commune, department_from_legacy, e164, split_acheminement, squash,
)

LEGACY_SOURCE = "https://www.data.gouv.fr/fr/datasets/finess-extraction-du-fichier-des-etablissements/"
# The FINESS+ data.gouv page was not verified (technical.md §6): the ANS FAQ describing the feed.
JSON_SOURCE = "https://github.com/ansforge/finess/blob/main/FAQ.md"
LEGACY_FIELDS = (
    "tag", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie",
    "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement",
    "ligneacheminement", "telephone", "telecopie", "categetab", "libcategetab", "categagretab",
    "libcategagretab", "siret", "codeape", "codemft", "libmft", "codesph", "libsph", "dateouv",
    "dateautor", "datemaj", "numuai",
)
FINESS_NUMBER = re.compile(r"^[0-9][0-9A-Z][0-9]{7}$")
_MANIFEST = re.compile(r"^finess;etalab;[^;]*;(\d{4}-\d{2}-\d{2})")
# FINESS+ gives category codes only; labels of the codes seen in real extracts (technical.md §2.1).
CATEGORY_LABELS = {
    "101": "Centre Hospitalier Régional (C.H.R.)", "355": "Centre Hospitalier (C.H.)",
    "146": "Structure d'Alternative à la dialyse en centre", "189": "Centre Médico-Psycho-Pédagogique (C.M.P.P.)",
    "223": "Protection Maternelle et Infantile (P.M.I.)", "241": "Etablissement de Placement",
    "462": "Lieux de Vie et d'Accueil", "500": "Etablissement d'hébergement pour personnes âgées dépendantes",
    "699": "Entité Ayant Autorisation",
}


def import_finess(db: Database, path: Path, *, partial: bool = False, source: str | None = None,
                  checked: str | None = None, progress: IO[str] | None = None,
                  report: ImportReport | None = None) -> ImportReport:
    """Import a FINESS file (legacy `;` extract or FINESS+ JSON, optionally gzipped): staged, then applied in batches."""
    stream, raw = open_binary(Path(path))
    with raw, stream:
        head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if text.startswith(b"{"):
            kind, parse, default_source = "finess-json", _read_json, JSON_SOURCE
        elif text.startswith((b"finess;", b"structureet;")):
            kind, parse, default_source = "finess-legacy", _read_legacy, LEGACY_SOURCE
        else:
            raise ImportFileError("not a FINESS file (expected 'finess;etalab;…' or a FINESS+ JSON object), "
                                  f"it starts with {head[:30].decode('latin-1')!r}", line=1)
        report = report or ImportReport(kind, str(path))
        report.kind, report.checked = kind, checked or ""
        bar = Progress(f"FINESS {path.name}", Path(path).stat().st_size, progress)

        def body(rep: ImportReport, staging: Staging) -> None:
            writer = RegistryWriter(db, "finess", source or default_source, rep, staging)
            parse(stream, raw, writer, rep, bar)
            rep.checked = rep.checked or today()
            writer.finish(close_missing=not partial)
            bar.finish(rep.rows)

        return run_import(db, report, body)


# --- legacy Etalab extract ------------------------------------------------------------------------


def _decode(raw_line: bytes, lineno: int, report: ImportReport) -> str | None:
    if raw_line.isascii():
        return raw_line.decode("ascii")
    try:
        text = raw_line.decode("utf-8")
        report.warn(lineno, "UTF-8 text in a Windows-1252 file (re-saved?); read as UTF-8")
        return text
    except UnicodeDecodeError:
        pass
    try:
        return raw_line.decode("cp1252")
    except UnicodeDecodeError as exc:
        report.error(lineno, f"not Windows-1252 text (byte 0x{raw_line[exc.start]:02x} at column "
                             f"{exc.start + 1}): line skipped")
        return None


def _read_legacy(stream: IO[bytes], raw: IO[bytes], writer: RegistryWriter, report: ImportReport,
                 bar: Progress) -> None:
    for lineno, raw_line in enumerate(stream, 1):
        report.lines = lineno
        if lineno % 2000 == 0:
            bar.update(raw.tell(), report.rows)
        text = _decode(raw_line, lineno, report)
        if text is None:
            continue
        text = text.rstrip("\r\n").removeprefix("\ufeff")
        if not text.strip():
            continue
        if lineno == 1 and text.startswith("finess;"):
            match = _MANIFEST.match(text)
            report.checked = report.checked or (match.group(1) if match else "")
            continue
        try:
            fields = next(csv.reader([text], delimiter=";", strict=True))
        except csv.Error as exc:
            report.error(lineno, f"unreadable quoting ({exc}): line skipped")
            _keep_if_numbered(text.split(";"), writer)
            report.complete = report.complete and raw_line.endswith(b"\n")
            continue
        if fields[0] == "geolocalisation":
            continue
        if fields[0] != "structureet":
            report.error(lineno, f"unknown record type {fields[0][:20]!r}: line skipped")
            continue
        problem = _legacy_problem(fields)
        if problem:
            report.error(lineno, problem + ": line skipped")
            _keep_if_numbered(fields, writer)
            # a last line without its newline means the file was cut short: close nothing
            report.complete = report.complete and raw_line.endswith(b"\n")
            continue
        report.rows += 1
        _put_legacy(dict(zip(LEGACY_FIELDS, fields)), lineno, writer, report)


def _legacy_problem(fields: list[str]) -> str | None:
    if len(fields) < len(LEGACY_FIELDS):
        return f"truncated: {len(fields)} fields, expected {len(LEGACY_FIELDS)}"
    if len(fields) > len(LEGACY_FIELDS) + 1 or (len(fields) == len(LEGACY_FIELDS) + 1 and fields[-1]):
        return f"{len(fields)} fields, expected {len(LEGACY_FIELDS)} (an unquoted ';'?)"
    if not FINESS_NUMBER.match(fields[1]):
        return f"bad FINESS number {fields[1][:12]!r}"
    return None


def _keep_if_numbered(fields: list[str], writer: RegistryWriter) -> None:
    if len(fields) > 1 and FINESS_NUMBER.match(fields[1].strip('"')):
        writer.keep("finess:" + fields[1].strip('"'))


def _put_legacy(f: dict[str, str], lineno: int, writer: RegistryWriter, report: ImportReport) -> None:
    postcode, town = split_acheminement(f["ligneacheminement"])
    department = department_from_legacy(f["departement"], postcode)
    number = f"{f['numvoie']} {f['compvoie']}".strip()
    street = squash(" ".join((number, f["typvoie"], f["voie"])))
    address = ", ".join(p for p in (street, squash(f["lieuditbp"])) if p)
    name, short = squash(f["rslongue"]) or squash(f["rs"]), squash(f["rs"])
    extra = squash(f["complrs"])
    row = {
        "id": f"finess:{f['nofinesset']}", "name": name, "short_name": short,
        "kind": "establishment", "town": town, "department": department, "postcode": postcode,
        "address": address, "category": squash(f["libcategetab"]) or f["categetab"],
        "finess": f["nofinesset"], "finess_ej": f["nofinessej"],
        "aliases": json.dumps([extra] if extra and extra not in (name, short) else [], ensure_ascii=False),
    }
    writer.put(row, _phone(f["telephone"], department, lineno, report))


def _phone(raw: str, department: str, lineno: int, report: ImportReport) -> list[Contact]:
    if not raw.strip():
        return []
    value = e164(raw, department)
    if value is None:
        report.warn(lineno, f"phone {raw.strip()!r} is not a valid number: left out")
        return []
    return [("phone", value, True)]


# --- FINESS+ JSON ---------------------------------------------------------------------------------


def _read_json(stream: IO[bytes], raw: IO[bytes], writer: RegistryWriter, report: ImportReport,
               bar: Progress) -> None:
    reader = JsonStream(io.TextIOWrapper(stream, encoding="utf-8-sig"))  # type: ignore[arg-type]
    seen_pmej = False
    try:
        for key, value in reader.items():
            if key == "generatedAt" and isinstance(value, str):
                report.checked = report.checked or value[:10]
            elif key == "pmej" and isinstance(value, dict):
                seen_pmej = True
                for ege in value.get("ege") or []:
                    _put_ege(ege, value, reader.line, writer, report)
                bar.update(raw.tell(), report.rows)
    except ImportFileError as exc:
        report.error(exc.line, f"{exc.args[0].split(': ', 1)[-1]}: the rest of the file is skipped")
        report.complete = False
        return
    report.lines = reader.line
    if not seen_pmej:
        raise ImportFileError("not a FINESS+ structures file: no 'pmej' entities")


def _put_ege(ege: Any, pmej: dict[str, Any], line: int, writer: RegistryWriter, report: ImportReport) -> None:
    info = ege.get("informationsGeneralesEGE") if isinstance(ege, dict) else None
    number = str((info or {}).get("numFinessEge", "")).strip()
    if not FINESS_NUMBER.match(number):
        report.error(line, f"establishment without a valid numFinessEge ({number[:12]!r}): skipped")
        return
    key = f"finess:{number}"
    if ege.get("etatObjet") != "A":
        writer.close(key)
        return
    report.rows += 1
    address = next(iter(ege.get("adresse") or []), {}) or {}
    postcode = squash(address.get("codePostal"))
    department = department_from_commune(address.get("cogCommune", "")) or postcode[:2]
    street = squash(address.get("ligneQuatre")) or squash(" ".join(
        address.get(k, "") for k in ("numeroVoie", "complementVoie", "typeVoie", "libelleVoie")))
    lieu = squash(address.get("lieuDit"))
    category = str(ege.get("categorieentiteGeographiqueExercice", "")).strip()
    short, name = squash(info.get("nomEgeCourt")), squash(info.get("nomEgeLong"))
    extra = squash(info.get("complementDenominationEg"))
    row = {
        "id": key, "name": name or short, "short_name": short, "kind": "establishment",
        "town": split_acheminement(address.get("ligneAcheminement", ""))[1], "department": department,
        "postcode": postcode, "address": ", ".join(p for p in (street, lieu) if p),
        "category": CATEGORY_LABELS.get(category, category),
        "finess": number, "finess_ej": squash((pmej.get("informationsGeneralesPMEJ") or {}).get("numFinessPm")),
        "aliases": json.dumps([extra] if extra else [], ensure_ascii=False),
    }
    contacts: list[Contact] = []
    for contact in ege.get("contact") or []:
        telecom = (contact or {}).get("telecom") or {}
        if telecom.get("telephone"):
            contacts += _phone(telecom["telephone"], department, line, report)
        email = clean_email(telecom.get("courriel") or "")
        if email:
            contacts.append(("email", email, False))
    seen_phone = False
    for i, (kind, value, _) in enumerate(contacts):  # the first phone is the one to quote
        contacts[i] = (kind, value, kind == "phone" and not seen_phone)
        seen_phone = seen_phone or kind == "phone"
    writer.put(row, contacts)
