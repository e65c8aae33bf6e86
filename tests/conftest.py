"""Shared fixtures: one real triage engine per session, the network-edge guard, the desk fixtures.

Payload factories live in tests/factories.py (imported by path, never `from conftest import`)."""
from __future__ import annotations

import secrets
import socket
from pathlib import Path
from typing import Any, Callable

import pytest

from bot.report import Report  # noqa: E402
from bot.triage import Triage  # noqa: E402
from service.engine import build_triage, prepare_db  # noqa: E402
from tests.factories import make_report

# The desk fixtures (app, db, accounts, reviewer, admin, file_report) for tests/review and tests/store.
pytest_plugins = ("tests.review.fixtures",)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"

needs_shared = pytest.mark.skipif(
    not (SHARED / "corpus").is_dir(), reason="../shared is absent: corpus tests skipped"
)

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _is_loopback(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path: never leaves the machine
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return str(host) in _LOOPBACK or str(host).startswith("127.")


@pytest.fixture(scope="session", autouse=True)
def no_network_off_loopback():
    """Fail any test that opens a connection off loopback (the network edge, not a mock)."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(real: Callable[..., Any]) -> Callable[..., Any]:
        def connect(self: socket.socket, address: Any) -> Any:
            if not _is_loopback(address):
                raise RuntimeError(f"tests must not open network connections (to {address!r})")
            return real(self, address)
        return connect

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", guarded(real_connect))
        mp.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
        yield


@pytest.fixture(autouse=True)
def per_test_secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Each test gets its own SECRET_KEY and VIGIE_DATA_KEY in the environment: no constant secret anywhere."""
    values = {"SECRET_KEY": secrets.token_urlsafe(32), "VIGIE_DATA_KEY": secrets.token_urlsafe(32)}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture(scope="session")
def triage(tmp_path_factory: pytest.TempPathFactory) -> Triage:
    """The real engine over a real SQLite registry; spaCy loads once per session."""
    db = prepare_db(tmp_path_factory.mktemp("engine") / "vigie.sqlite3")
    return build_triage(db)


@pytest.fixture(scope="session")
def index(triage: Triage):
    """The registry index of the shared engine."""
    return triage.analyser.index


@pytest.fixture(scope="session")
def analyser(triage: Triage):
    """The analyser (nlp) of the shared engine."""
    return triage.analyser


@pytest.fixture
def report() -> Callable[..., Report]:
    """The Report factory as a fixture."""
    return make_report
