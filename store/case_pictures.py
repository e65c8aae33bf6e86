"""Pictures kept with their case for staff: sealed (AES-GCM) at rest, found again by near-identical dhash.

The bytes are the picture as the patient sent it, encrypted under a key derived from VIGIE_DATA_KEY and
bound to (case, number): a row copied onto another case does not decrypt. They leave this module only
through `load`, for the desk, which re-encodes them before any browser sees them. A case's pictures go
with it: a trigger of migration 0012 deletes them whenever the case row is deleted (OUBLI, purge).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlite_utils import Database

from store import clock
from store.crypto import CryptoError, DataKeys
from store.db import immediate

# A 256-bit dhash cut into BANDS bands of BAND_BITS bits (one band per row of the 16 x 16 grid, a strip of the
# screen): two hashes at most BANDS - 1 bits apart share at least one band exactly (pigeonhole). Rows rather
# than columns or a random mix: on 180 generated screenshots a lookup met 9 other pictures (median) by rows,
# 14 by columns, 18 mixed, every re-sent twin found each time (bench/picture_twins.py).
BANDS, BAND_BITS = 16, 16
# A band with fewer bits set is flat background (equal neighbours give 0 bits), the same in every screenshot
# of one app: not indexed.
MIN_BAND_BITS = 3
MAX_CANDIDATES = 200  # near-twins read back per lookup (the newest first)


@dataclass(frozen=True)
class Kept:
    """One picture to keep with a case: its bytes, sniffed kind and dhash (None when it was not decoded)."""

    data: bytes
    kind: str
    dhash: str | None = None


def _key(keys: DataKeys) -> bytes:
    # A third key, derived from the address key: pictures and addresses never share a key.
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"vigie-picture-v1", info=b"picture")
    return hkdf.derive(keys.address_key)


def _aad(case_id: int, n: int) -> bytes:
    return f"picture:{case_id}:{n}".encode("ascii")


def save(db: Database, keys: DataKeys, case_id: int, pictures: Sequence[Kept], when: datetime | None = None) -> int:
    """Keep these pictures with the case (numbered from 0 in the order given); returns how many."""
    stamp, key = clock.iso(when or clock.now()), AESGCM(_key(keys))
    with immediate(db):
        for n, picture in enumerate(pictures):
            nonce = os.urandom(12)
            sealed = nonce + key.encrypt(nonce, picture.data, _aad(case_id, n))
            db.execute("INSERT OR REPLACE INTO case_pictures (case_id, n, kind, size, dhash, sealed, stored_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [case_id, n, picture.kind, len(picture.data), picture.dhash, sealed, stamp])
            if picture.dhash:
                db.conn.executemany("INSERT OR IGNORE INTO picture_bands (band, case_id) VALUES (?, ?)",
                                    [(band, case_id) for band in bands(picture.dhash)])
    return len(pictures)


def load(db: Database, keys: DataKeys, case_id: int, n: int = 0) -> Kept | None:
    """The clear bytes of a case's picture number `n`, or None when there is none."""
    row = db.execute("SELECT kind, dhash, sealed FROM case_pictures WHERE case_id = ? AND n = ?",
                     [case_id, n]).fetchone()
    if row is None:
        return None
    sealed = bytes(row[2])
    try:
        data = AESGCM(_key(keys)).decrypt(sealed[:12], sealed[12:], _aad(case_id, n))
    except (InvalidTag, ValueError) as exc:
        raise CryptoError(f"cannot decrypt picture {n} of case {case_id} (was VIGIE_DATA_KEY changed?)") from exc
    return Kept(data, row[0], row[1])


def numbers(db: Database, case_id: int) -> list[int]:
    """The numbers of a case's pictures, in order (empty when it has none)."""
    return [r[0] for r in db.execute("SELECT n FROM case_pictures WHERE case_id = ? ORDER BY n", [case_id])]


def dhashes(db: Database, case_id: int) -> list[str]:
    """The dhash of each of a case's pictures that has one."""
    return [r[0] for r in db.execute("SELECT dhash FROM case_pictures WHERE case_id = ? AND dhash IS NOT NULL"
                                     " ORDER BY n", [case_id])]


def bands(dhash: str) -> list[int]:
    """The indexed bands of a dhash: band number and its bits in one integer, flat bands left out."""
    value, width, out = int(dhash, 16), len(dhash) * 4, []
    mask = (1 << BAND_BITS) - 1
    for band in range(min(BANDS, width // BAND_BITS)):
        bits = value >> (width - BAND_BITS * (band + 1)) & mask
        if bin(bits).count("1") >= MIN_BAND_BITS:
            out.append(band << BAND_BITS | bits)
    return out


def near(db: Database, dhash: str, max_distance: int, but: int | None = None) -> list[tuple[int, int]]:
    """(case id, distance) of kept pictures at most `max_distance` bits from `dhash`, closest first.

    Candidates come from the band index (at most MAX_CANDIDATES, newest first); only they are compared."""
    keys = bands(dhash)
    if not keys:
        return []
    rows = db.execute(near_query(len(keys)), [*keys, -1 if but is None else but, MAX_CANDIDATES]).fetchall()
    target, found = int(dhash, 16), {}
    for case_id, other in rows:
        if len(other) != len(dhash):
            continue
        d = bin(target ^ int(other, 16)).count("1")
        if d <= max_distance and d < found.get(case_id, max_distance + 1):
            found[case_id] = d
    return sorted(found.items(), key=lambda item: (item[1], -item[0]))


def near_query(count: int) -> str:
    """The statement `near` runs for `count` bands (tests check its plan: indexes only, no scan)."""
    marks = ",".join("?" * count)
    return (f"SELECT p.case_id, p.dhash FROM case_pictures p WHERE p.case_id IN (SELECT DISTINCT case_id"
            f" FROM picture_bands WHERE band IN ({marks}) AND case_id != ? ORDER BY case_id DESC LIMIT ?)"
            " AND p.dhash IS NOT NULL")
