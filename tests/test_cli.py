"""The `vigie` command line contract of DESIGN.md: check and eval, exit codes, JSON on stdout."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests.conftest import SHARED, needs_shared
from vigie.cli import main
from vigie.corpus import Case

VERDICT_KEYS = {"verdict", "score", "lang", "institution", "reasons", "links", "phones", "sender", "reply"}
EVAL_KEYS = {"n", "detection_rate", "false_alarm_rate", "deferral_rate", "p50_ms", "p99_ms", "confusion"}
SCAM = "Assurance Maladie : remboursement de 48,20 euros en attente, confirmez vos coordonnées bancaires sur https://ameli-remboursement.com"


@pytest.fixture
def vigie(tmp_path):
    """Run `vigie ARGS` in-process against a fresh database file in tmp_path."""
    env = {"VIGIE_DB": str(tmp_path / "var" / "vigie.sqlite3")}

    def run(*args: str, input=None):
        return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)
    return run


def write_eml(path: Path, body: bytes) -> Path:
    """Factory: a raw e-mail file."""
    path.write_bytes(body)
    return path


HTML_EML = (
    b"From: Assurance Maladie <service@ameli-assure-info.com>\r\n"
    b"To: patient@example.org\r\nSubject: Remboursement en attente\r\n"
    b"Message-ID: <abc123@ameli-assure-info.com>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b"<html><body><p>Vous avez droit a un remboursement de 76 euros.</p>"
    b"<p><a href=\"https://ameli-remboursement-dossier.com/x\">https://www.ameli.fr/assure</a></p>"
    b"</body></html>\r\n"
)


def test_check_prints_a_verdict_and_exits_0(vigie):
    result = vigie("check", SCAM)
    assert result.exit_code == 0
    assert "SCAM" in result.stdout.upper() and "3646" in result.stdout


def test_check_json_prints_exactly_one_verdict_object(vigie):
    result = vigie("check", "--json", SCAM)
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    verdict = json.loads(lines[0])
    assert VERDICT_KEYS <= set(verdict)
    assert verdict["verdict"] == "scam" and verdict["lang"] == "fr"
    assert verdict["institution"]["id"] == "ameli"
    assert all(set(r) >= {"code", "message"} for r in verdict["reasons"])
    assert {"url", "domain", "status", "span"} <= set(verdict["links"][0])


def test_check_dash_reads_the_message_from_stdin(vigie):
    result = vigie("check", "--json", "-", input=SCAM.encode("utf-8"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "scam"


@pytest.mark.parametrize("args, stdin", [
    (("check", ""), None),
    (("check", "   \n "), None),
    (("check", "-"), b""),
    (("check", "-"), b"x" * (1024 * 1024 + 10)),
    (("check", "-"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
], ids=["empty", "blank", "empty-stdin", "over-1MB", "binary"])
def test_bad_input_exits_1_with_a_one_line_reason(vigie, args, stdin):
    result = vigie(*args, input=stdin)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_message_over_1mb_as_an_argument_exits_1(vigie):
    result = vigie("check", "a" * (1024 * 1024 + 1))
    assert result.exit_code == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("content", [None, b"", b"  \r\n"], ids=["missing", "empty", "blank"])
def test_eml_missing_or_empty_file_exits_1_after_checking_the_others(vigie, tmp_path, content):
    good = write_eml(tmp_path / "good.eml", HTML_EML)
    bad = tmp_path / "bad.eml"
    if content is not None:
        bad.write_bytes(content)
    result = vigie("check", "--eml", str(bad), "--eml", str(good))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"== {good}" in result.stdout  # the good file is still checked, after the bad one
    assert f"{bad}: error:" in result.stderr and "1 of 2 e-mail files could not be checked" in result.stderr
    assert len([line for line in result.stderr.splitlines() if str(bad) in line]) == 1


def test_eml_files_get_one_json_line_each_and_a_bad_file_an_error(vigie, tmp_path):
    good = write_eml(tmp_path / "good.eml", HTML_EML)
    bad = write_eml(tmp_path / "bad.eml", b"\x00\xff\xfe\x00binary\x00\x00\xc3\x28" * 50)
    result = vigie("check", "--json", "--eml", str(good), "--eml", str(bad))
    assert result.exit_code == 1 and "1 of 2 e-mail files could not be checked" in result.stderr
    first, second = (json.loads(line) for line in result.stdout.strip().splitlines())
    assert first["file"] == str(good) and first["verdict"] in ("scam", "suspicious")
    assert "ameli-remboursement-dossier.com" in {link["domain"] for link in first["links"]}
    assert second["file"] == str(bad) and second["error"]


def test_eval_json_prints_the_figures(vigie, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"text": SCAM, "label": "scam"},
        {"text": "Coucou maman, c'est mon nouveau numéro, écris-moi sur WhatsApp", "label": "scam"},
        {"text": "On se retrouve à 19h devant le cinéma ?", "label": "legit"},
        {"text": "Rappel de votre rendez-vous demain 14h avec Mme Roux.", "label": "legit",
         "sender": "Doctolib", "channel": "sms"},
    ]) + "\n", "utf-8")
    result = vigie("eval", "--json", str(corpus))
    assert result.exit_code == 0
    figures = json.loads(result.stdout)
    assert set(figures) == EVAL_KEYS
    assert figures["n"] == 4 and figures["detection_rate"] == 1.0 and figures["false_alarm_rate"] == 0.0


@pytest.mark.parametrize("content", ['{"text": "x"}\n', "not json\n", '{"text": "x", "label": "spam"}\n'],
                         ids=["no-label", "not-json", "bad-label"])
def test_eval_on_a_malformed_corpus_exits_1(vigie, tmp_path, content):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text(content, "utf-8")
    result = vigie("eval", "--json", str(corpus))
    assert result.exit_code == 1
    assert result.stdout == "" and "Traceback" not in result.stderr


# --- on the shared corpus -----------------------------------------------------------------------

@needs_shared
def test_eval_on_the_held_out_mendeley_rows_meets_the_targets(vigie, tmp_path):
    # Only the odd-numbered rows: the even-numbered ones are in the training corpus (nlp/corpus/).
    import csv  # noqa: PLC0415

    with (SHARED / "corpus" / "en-smishing-mendeley.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    held_out = tmp_path / "odd.csv"
    with held_out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row for n, row in enumerate(rows) if n % 2 == 1)
    figures = json.loads(vigie("eval", "--json", str(held_out)).stdout)
    assert figures["detection_rate"] >= 0.90
    assert figures["false_alarm_rate"] <= 0.005
    assert figures["confusion"]["legit"]["scam"] + figures["confusion"]["legit"]["suspicious"] <= 12


def test_eval_misses_lists_each_wrong_message_with_its_reasons(vigie, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"text": SCAM, "label": "legit", "id": "x1"}) + "\n", "utf-8")
    out = json.loads(vigie("eval", "--json", "--misses", str(corpus)).stdout)
    assert [m["id"] for m in out["misses"]] == ["x1"]
    assert out["misses"][0]["verdict"] in ("scam", "suspicious") and out["misses"][0]["reasons"]


@needs_shared
def test_every_phishing_pot_email_gets_a_verdict(vigie):
    files = sorted((SHARED / "corpus" / "eml-phishing-pot").glob("*.eml"))
    assert len(files) == 300
    args = ["check", "--json"] + [a for f in files for a in ("--eml", str(f))]
    result = vigie(*args)
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["file"] for r in rows] == [str(f) for f in files]
    # The collection holds zero-byte files (sample-2227.eml): nothing to parse, an error is right.
    empty = {str(f) for f in files if f.stat().st_size == 0}
    assert result.exit_code == (1 if empty else 0)
    assert all("verdict" in r for r in rows if r["file"] not in empty)
    assert not [r for r in rows if "error" in r and r["file"] not in empty]


def test_eval_by_source_cross_validates_a_corpus_grouped_by_its_sources(vigie):
    corpus = Path(__file__).resolve().parents[1] / "nlp" / "corpus" / "dev.jsonl"
    result = vigie("eval", "--by", "source", "--json", str(corpus))
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["n"] == 72 and set(out["confusion"]) == {"scam", "legit"}
    assert sum(v["n"] for v in out["by_group"].values()) == 72 and len(out["by_group"]) > 5


def test_eval_by_source_takes_another_split_of_the_sources_and_refuses_it_by_date(vigie):
    corpus = Path(__file__).resolve().parents[1] / "nlp" / "corpus" / "dev.jsonl"
    out = json.loads(vigie("eval", "--by", "source", "--json", "--split-seed", "7", str(corpus)).stdout)
    assert out["n"] == 72 and sum(v["n"] for v in out["by_group"].values()) == 72
    refused = vigie("eval", "--by", "date", "--split-seed", "1", str(corpus))
    assert refused.exit_code == 2 and "--split-seed" in refused.output


def test_another_split_seed_puts_the_sources_into_other_folds():
    from vigie import train
    cases = [Case(text=f"message {i}", label="scam" if i % 2 else "legit", id=str(i),
                         source=f"https://source-{i // 2}.example.org/page") for i in range(40)]
    prep = train.Prepared(cases, [None] * 40, [[]] * 40, np.zeros(40), np.zeros(40), np.zeros(40, bool),
                          None, np.array([i % 2 for i in range(40)]), np.ones(40), None)
    idx = np.arange(40)
    split = {seed: [sorted({cases[i].group for i in test}) for _, test in train.folds(prep, idx, seed=seed)]
             for seed in (train.SEED, 1)}
    assert split[train.SEED] != split[1]
    for seed in split:  # every source is tested once, whole
        assert sorted(g for fold in split[seed] for g in fold) == sorted({c.group for c in cases})

