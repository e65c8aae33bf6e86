"""Synthetic FINESS (legacy layout) and Annuaire Santé files for the registry bench."""
from __future__ import annotations

import random
import sys
from pathlib import Path

TOWNS = [
    ("01", "AIN", "01000", "BOURG EN BRESSE"), ("06", "ALPES MARITIMES", "06000", "NICE"),
    ("13", "BOUCHES DU RHONE", "13005", "MARSEILLE"), ("25", "DOUBS", "25000", "BESANCON"),
    ("29", "FINISTERE", "29200", "BREST"), ("31", "HAUTE GARONNE", "31000", "TOULOUSE"),
    ("33", "GIRONDE", "33000", "BORDEAUX"), ("35", "ILLE ET VILAINE", "35000", "RENNES"),
    ("44", "LOIRE ATLANTIQUE", "44000", "NANTES"), ("59", "NORD", "59000", "LILLE"),
    ("67", "BAS RHIN", "67000", "STRASBOURG"), ("69", "RHONE", "69003", "LYON"),
    ("74", "HAUTE SAVOIE", "74700", "SALLANCHES"), ("75", "PARIS", "75013", "PARIS"),
    ("90", "TERRITOIRE DE BELFORT", "90000", "BELFORT"), ("2A", "CORSE DU SUD", "20000", "AJACCIO"),
    ("9A", "GUADELOUPE", "97110", "POINTE A PITRE"), ("9B", "MARTINIQUE", "97200", "FORT DE FRANCE"),
    ("9C", "GUYANE", "97300", "CAYENNE"), ("9D", "LA REUNION", "97400", "ST DENIS"),
    ("9F", "MAYOTTE", "97600", "MAMOUDZOU"),
]
PHONE_PREFIX = {"9A": "059052", "9B": "059671", "9C": "059439", "9D": "026290", "9F": "026966"}
INSEE_DEPT = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9F": "976"}
SAINTS = ["SAINT JOSEPH", "SAINTE ANNE", "SAINT MARTIN", "SAINT LOUIS", "SAINTE MARIE", "SAINT PIERRE",
          "SAINT VINCENT", "SAINTE THERESE", "SAINT JEAN", "SAINT GEORGES", "DU PARC", "DES CEDRES"]
THINGS = ["MARCHE", "CENTRE", "PORT", "CHATEAU", "LAC", "MOULIN", "PONT", "VAL", "BOURG", "CLOCHER"]
KINDS = [  # (weight, categetab, label, name pattern)
    (3, "355", "Centre Hospitalier (C.H.)", "CENTRE HOSPITALIER DE {town}"),
    (5, "365", "Etablissement de Soins Pluridisciplinaire", "CLINIQUE {saint}"),
    (55, "620", "Pharmacie d'Officine", "PHARMACIE DU {thing}"),
    (15, "611", "Laboratoire de Biologie Médicale", "LABORATOIRE DE BIOLOGIE {saint}"),
    (22, "500", "Etablissement d'hébergement pour personnes âgées dépendantes", "EHPAD {saint}"),
]
SURNAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
            "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX"]
FIRSTS = ["Marie", "Jean", "Claire", "Pierre", "Sophie", "Luc", "Anne", "Paul", "Julie", "Marc"]
PROFESSIONS = [("10", "Médecin", "Ophtalmologie"), ("10", "Médecin", "Spécialiste en Médecine Générale"),
               ("10", "Médecin", "Cardiologie et maladies vasculaires"), ("40", "Chirurgien-Dentiste", ""),
               ("70", "Masseur-Kinésithérapeute", ""), ("60", "Infirmier", ""), ("21", "Pharmacien", "")]


def _phone(rng: random.Random, dept: str) -> str:
    prefix = PHONE_PREFIX.get(dept, f"0{rng.choice('12345')}{rng.randrange(10**4):04d}")
    return prefix + f"{rng.randrange(10**4):04d}"


def write_finess(path: Path, count: int = 100_000, seed: int = 7) -> Path:
    """A legacy Windows-1252 extract of `count` establishments (manifest line, no header)."""
    rng = random.Random(seed)
    weights = [k[0] for k in KINDS]
    with open(path, "w", encoding="cp1252", newline="") as out:
        out.write("finess;etalab;111;2026-05-12\r\n")
        for n in range(count):
            dept, libdept, postcode, town = rng.choice(TOWNS)
            _, cat, label, pattern = rng.choices(KINDS, weights)[0]
            long_name = pattern.format(town=town, saint=rng.choice(SAINTS), thing=rng.choice(THINGS))
            number = f"{dept[:2] if dept[0] != '9' else '97'}{n:07d}"
            fields = [
                "structureet", number, f"{number[:2]}9{n:06d}", long_name[:38], long_name, "", "",
                str(rng.randrange(1, 300)), "R", f"DE LA {rng.choice(THINGS)}", "", "", "001", dept, libdept,
                f"{postcode} {town}{' CEDEX' if n % 17 == 0 else ''}", _phone(rng, dept), "", cat, label,
                "1102", "Agrégat", "", "", "03", "", "", "", "1990-01-01", "1990-01-01", "2025-01-01", "",
            ]
            out.write(";".join(f'"{f}"' if ";" in f else f for f in fields) + ";\r\n")
    return path


ANNUAIRE_HEADER = [
    "Type d'identifiant PP", "Identifiant PP", "Identification nationale PP", "Code civilité d'exercice",
    "Libellé civilité d'exercice", "Code civilité", "Libellé civilité", "Nom d'exercice", "Prénom d'exercice",
    "Code profession", "Libellé profession", "Code catégorie professionnelle", "Libellé catégorie professionnelle",
    "Code type savoir-faire", "Libellé type savoir-faire", "Code savoir-faire", "Libellé savoir-faire",
    "Code mode exercice", "Libellé mode exercice", "Numéro SIRET site", "Numéro SIREN site", "Numéro FINESS site",
    "Numéro FINESS établissement juridique", "Identifiant technique de la structure", "Raison sociale site",
    "Enseigne commerciale site", "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)", "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)", "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)", "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)", "Bureau cedex (coord. structure)", "Code postal (coord. structure)",
    "Code commune (coord. structure)", "Libellé commune (coord. structure)", "Code pays (coord. structure)",
    "Libellé pays (coord. structure)", "Téléphone (coord. structure)", "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)", "Adresse e-mail (coord. structure)", "Code Département (structure)",
    "Libellé Département (structure)", "Ancien identifiant de la structure", "Autorité d'enregistrement",
    "Code secteur d'activité", "Libellé secteur d'activité", "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens", "Code rôle", "Libellé rôle", "Code genre activité", "Libellé genre activité",
]


def write_annuaire(path: Path, lines: int = 1_000_000, seed: int = 11) -> Path:
    """A UTF-8 `|` extract of `lines` practitioner x site lines (several practitioners per site)."""
    rng = random.Random(seed)
    col = {name: i for i, name in enumerate(ANNUAIRE_HEADER)}
    sites = max(lines // 3, 1)
    with open(path, "w", encoding="utf-8") as out:
        out.write("|".join(ANNUAIRE_HEADER) + "|\n")
        for n in range(lines):
            cells = [""] * len(ANNUAIRE_HEADER)
            site = rng.randrange(sites)
            site_rng = random.Random(site * 7919 + seed)
            dept, _, postcode, town = site_rng.choice(TOWNS)
            code, profession, specialty = PROFESSIONS[site % len(PROFESSIONS)]
            values = {
                "Type d'identifiant PP": "8", "Identifiant PP": f"10{n:09d}", "Nom d'exercice": rng.choice(SURNAMES),
                "Prénom d'exercice": rng.choice(FIRSTS), "Code profession": code, "Libellé profession": profession,
                "Libellé savoir-faire": specialty, "Code civilité d'exercice": "DR" if code in ("10", "40") else "",
                "Code mode exercice": "L", "Numéro SIRET site": f"{site:014d}" if site % 4 else "",
                "Raison sociale site": f"CABINET {site_rng.choice(SAINTS)}" if site % 3 == 0 else "",
                "Numéro Voie (coord. structure)": str(site_rng.randrange(1, 200)),
                "Libellé type de voie (coord. structure)": "Rue",
                "Libellé Voie (coord. structure)": f"DU {site_rng.choice(THINGS)}",
                "Code postal (coord. structure)": postcode, "Libellé commune (coord. structure)": town.title(),
                "Code Département (structure)": INSEE_DEPT.get(dept, dept),
                "Téléphone (coord. structure)": _phone(site_rng, dept) if site % 5 else "",
                "Adresse e-mail (coord. structure)": f"cabinet{site}@example.org" if site % 7 == 0 else "",
            }
            for name, value in values.items():
                cells[col[name]] = value
            out.write("|".join(cells) + "|\n")
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    print(write_finess(target / "etalab-bench.csv"), write_annuaire(target / "annuaire-bench.txt"))
