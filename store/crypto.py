"""Keys derived from VIGIE_DATA_KEY: keyed pseudonyms and encrypted addresses."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class CryptoError(ValueError):
    """An encrypted value could not be decrypted (wrong VIGIE_DATA_KEY or corrupt data)."""


def _derive(secret: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"vigie-data-key-v1", info=purpose)
    return hkdf.derive(secret.encode("utf-8"))


@dataclass(frozen=True)
class DataKeys:
    """Two independent keys: one names reporters (HMAC), the other hides their address (AES-GCM)."""

    pseudonym_key: bytes = field(repr=False)
    address_key: bytes = field(repr=False)

    @classmethod
    def from_secret(cls, secret: str) -> "DataKeys":
        """Derive both keys from VIGIE_DATA_KEY with HKDF-SHA256."""
        if not secret:
            raise CryptoError("VIGIE_DATA_KEY is empty")
        return cls(_derive(secret, b"pseudonym"), _derive(secret, b"address"))

    def pseudonym(self, channel: str, address: str) -> str:
        """A stable keyed pseudonym of (channel, address): HMAC-SHA256, hex."""
        msg = f"{channel}\x00{normalise_address(address)}".encode("utf-8")
        return hmac.new(self.pseudonym_key, msg, hashlib.sha256).hexdigest()

    def encrypt(self, address: str) -> str:
        """AES-GCM encryption of an address (random nonce), as url-safe base64."""
        nonce = os.urandom(12)
        sealed = AESGCM(self.address_key).encrypt(nonce, address.encode("utf-8"), b"address")
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The clear address of `encrypt`'s output."""
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii"))
            return AESGCM(self.address_key).decrypt(raw[:12], raw[12:], b"address").decode("utf-8")
        except (InvalidTag, ValueError) as exc:
            raise CryptoError("cannot decrypt a stored address (was VIGIE_DATA_KEY changed?)") from exc


def normalise_address(address: str) -> str:
    """One spelling per address: trimmed, e-mail addresses lower-cased."""
    address = address.strip()
    return address.lower() if "@" in address else address
