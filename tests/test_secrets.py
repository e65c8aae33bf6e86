"""Fail-closed secrets: nothing that needs SECRET_KEY / VIGIE_DATA_KEY starts without them, whatever PUBLIC_URL says."""
from __future__ import annotations

import ast
import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.settings import Settings, SettingsError
from service import setup as wiring
from tests.webhooks.conftest import forwarded_eml
from vigie import run
from vigie.app import create_app
from vigie.cli import main

ROOT = Path(__file__).resolve().parents[1]
SOURCE_PACKAGES = ("vigie", "web", "webhooks", "review", "service", "store", "bot", "nlp", "config")
SECRETS = {"SECRET_KEY": "secret_key", "VIGIE_DATA_KEY": "data_key"}
PUBLIC_URLS = ("", "http://127.0.0.1:5000", "https://vigie.example.org")


@pytest.fixture
def cli(tmp_path, per_test_secrets):
    """Run `vigie ARGS` in-process with the given secrets left out of the environment."""
    def invoke(*args: str, without: tuple[str, ...] = (), public_url: str = "", input=None):
        env = {"VIGIE_DB": str(tmp_path / "var" / "vigie.sqlite3"), "PUBLIC_URL": public_url,
               "TELEGRAM_BOT_TOKEN": "", "SMTP_URL": "", **per_test_secrets, **dict.fromkeys(without, "")}
        return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)
    return invoke


@pytest.mark.parametrize("public_url", PUBLIC_URLS)
@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_the_web_app_refuses_to_start_without_a_secret_and_names_it(tmp_path, triage, public_url, missing):
    settings = Settings(db_path=tmp_path / "v.sqlite3", secret_key="s" * 32, data_key="d" * 32, public_url=public_url)
    with pytest.raises(SettingsError, match=f"^{missing} is not set: refusing to start"):
        create_app(replace(settings, **{SECRETS[missing]: ""}), senders={}, triage=triage)


def test_both_missing_secrets_are_named_at_once(tmp_path):
    with pytest.raises(SettingsError, match="^SECRET_KEY and VIGIE_DATA_KEY are not set"):
        wiring.require_secrets(Settings(db_path=tmp_path / "v.sqlite3"))


def test_a_blank_secret_counts_as_missing():
    settings = Settings.from_env({"SECRET_KEY": "   ", "VIGIE_DATA_KEY": "x" * 32})
    with pytest.raises(SettingsError, match="^SECRET_KEY is not set"):
        wiring.require_secrets(settings)


def test_no_data_key_means_no_keys():
    with pytest.raises(SettingsError, match="VIGIE_DATA_KEY is not set"):
        wiring.data_keys(Settings(secret_key="x" * 32))


def test_the_app_signs_cookies_with_the_configured_secret(tmp_path, triage, per_test_secrets):
    app = create_app(Settings.from_env({"VIGIE_DB": str(tmp_path / "v.sqlite3"), **per_test_secrets}),
                     senders={}, triage=triage)
    assert app.config["SECRET_KEY"] == per_test_secrets["SECRET_KEY"]


@pytest.mark.parametrize("public_url", PUBLIC_URLS)
@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_the_worker_refuses_to_start_without_a_secret_and_names_it(cli, public_url, missing):
    result = cli("worker", "--once", without=(missing,), public_url=public_url)
    assert result.exit_code == 1 and f"{missing} is not set: refusing to start" in result.output


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_ingest_email_refuses_to_start_without_a_secret(cli, missing):
    result = cli("ingest-email", without=(missing,), input=forwarded_eml())
    assert result.exit_code == 1 and f"{missing} is not set" in result.output


def test_commands_that_need_no_secret_work_without_them(cli, tmp_path):
    without = tuple(SECRETS)
    assert cli("migrate", without=without).exit_code == 0
    check = cli("check", "--json", "CPAM : votre carte vitale expire, https://assures-amell.fr", without=without)
    assert check.exit_code == 0 and json.loads(check.stdout)["verdict"] in ("scam", "suspicious")
    corpus = tmp_path / "mini.jsonl"
    corpus.write_text(json.dumps({"text": "Bonjour, vous êtes chez vous ?", "label": "scam"}) + "\n", "utf-8")
    assert cli("eval", "--json", str(corpus), without=without).exit_code == 0
    finess = ROOT / "tests" / "data" / "finess" / "etalab-cs1100507-stock-20260512-0339.csv"
    assert cli("registry", "import-finess", str(finess), without=without).exit_code == 0


def test_make_run_generates_per_install_secrets_0600_and_reads_them_back(tmp_path, monkeypatch):
    first = _prepare(tmp_path / "one", monkeypatch)
    again = _prepare(tmp_path / "one", monkeypatch)
    other = _prepare(tmp_path / "two", monkeypatch)
    assert (first.secret_key, first.data_key) == (again.secret_key, again.data_key)  # the same install keeps them
    assert first.secret_key != other.secret_key and first.data_key != other.data_key  # never a shared constant
    assert len(first.secret_key) >= 32 and first.secret_key != first.data_key
    assert stat.S_IMODE((tmp_path / "one" / "secrets.env").stat().st_mode) == 0o600


def _prepare(folder: Path, monkeypatch) -> Settings:
    monkeypatch.setenv("VIGIE_DB", str(folder / "vigie.sqlite3"))
    monkeypatch.setenv("PUBLIC_URL", "")
    monkeypatch.setenv("SECRET_KEY", "")  # set but empty: still generated
    monkeypatch.delenv("VIGIE_DATA_KEY")
    return run.prepare_local()[0]


def _is_constant(node: ast.expr) -> bool:
    """A non-empty string literal, or a NAME_IN_CAPITALS (a module constant)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value != ""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name.isupper()


def _fallbacks(tree: ast.AST) -> list[str]:
    """`settings.secret_key or "constant"`, `env.get("SECRET_KEY", "constant")` and the like."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and _is_constant(node.values[-1]) \
                and any(word in ast.unparse(v).lower() for v in node.values[:-1] for word in ("secret", "data_key")):
            found.append(ast.unparse(node))
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(".get") and len(node.args) == 2 \
                and isinstance(node.args[0], ast.Constant) and node.args[0].value in SECRETS \
                and _is_constant(node.args[1]):
            found.append(ast.unparse(node))
    return found


def test_the_fallback_finder_finds_the_old_fallbacks():
    old = 'SECRET_KEY=settings.secret_key or wiring.DEV_DATA_KEY\nDataKeys.from_secret(settings.data_key or DEV_DATA_KEY)\n'
    assert len(_fallbacks(ast.parse(old + 'env.get("VIGIE_DATA_KEY", "dev")\nx = settings.secret_key or "abc"'))) == 4


def test_no_source_file_falls_back_to_a_constant_secret():
    found = {}
    for package in SOURCE_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            hits = _fallbacks(ast.parse(path.read_text("utf-8")))
            if hits:
                found[str(path.relative_to(ROOT))] = hits
    assert found == {}
    assert not hasattr(wiring, "DEV_DATA_KEY")
