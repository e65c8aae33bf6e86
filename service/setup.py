"""What every process needs before it serves: the secrets checked, the keys derived, the database migrated
(light: the outbox worker and `vigie migrate` load no model)."""
from __future__ import annotations

import fcntl
from pathlib import Path

import sqlite_utils

from config.settings import Settings, SettingsError
from store import get_db
from store import registry as registry_store
from store.crypto import DataKeys

SECRETS = (("SECRET_KEY", "secret_key"), ("VIGIE_DATA_KEY", "data_key"))


def require_secrets(settings: Settings) -> None:
    """SECRET_KEY and VIGIE_DATA_KEY are mandatory, whatever PUBLIC_URL says: there is no fallback."""
    missing = [name for name, attribute in SECRETS if not getattr(settings, attribute)]
    if missing:
        raise SettingsError(
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: refusing to start"
            " (give each a long random value, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`;"
            " `make run` generates per-install ones in var/secrets.env)")


def data_keys(settings: Settings) -> DataKeys:
    """The keys derived from VIGIE_DATA_KEY (SettingsError when it is not set)."""
    require_secrets(settings)
    return DataKeys.from_secret(settings.data_key)


def prepare(path: Path) -> sqlite_utils.Database:
    """Migrate and seed the database, one process at a time (several gunicorn workers may start at once)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return prepare_db(path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def prepare_db(path: Path) -> sqlite_utils.Database:
    """Open (creating or migrating) the database and load the seed registry when it changed."""
    db = get_db(path)
    registry_store.ensure_seed(db)
    registry_store.ensure_samples(db)
    return db
