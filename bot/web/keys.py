"""SECRET_KEY and the keys derived from it (HKDF), and Fernet for secrets at rest."""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.files import write_private

log = logging.getLogger(__name__)
MIN_LENGTH = 32


class SecretKeyError(ValueError):
    """SECRET_KEY is unusable (too short, or its file unreadable)."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


@dataclass(frozen=True)
class Keys:
    """One key per purpose, so that no key is used for two things."""

    links: bytes
    addresses: bytes
    at_rest: Fernet
    # Stored in the database: instances sharing it compare their keys by it (reveals nothing).
    check: str
    # The web console's form tokens (CSRF), bound to the session.
    forms: bytes

    @classmethod
    def from_secret(cls, secret: str) -> Keys:
        """Derive every key from the master secret."""
        if len(secret) < MIN_LENGTH:
            raise SecretKeyError(f"SECRET_KEY must have at least {MIN_LENGTH} characters")
        master = secret.encode()
        fernet = base64.urlsafe_b64encode(_derive(master, b"guongsang at-rest v1"))
        return cls(
            links=_derive(master, b"guongsang signed-links v1"),
            addresses=_derive(master, b"guongsang address-digests v1"),
            at_rest=Fernet(fernet),
            check=_derive(master, b"guongsang key-check v1").hex()[:32],
            forms=_derive(master, b"guongsang console-forms v1"),
        )

    def seal(self, value: str) -> str:
        """Encrypt a secret for storage."""
        return self.at_rest.encrypt(value.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """Decrypt a stored secret; None when it was sealed with another key or altered."""
        try:
            return self.at_rest.decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            return None


def load_secret(configured: str | None, key_file: Path) -> str:
    """SECRET_KEY, or the one kept in `key_file`, made there (0600) on first use."""
    if configured:
        return configured
    if key_file.is_file():
        value = key_file.read_text(encoding="ascii").strip()
        if len(value) < MIN_LENGTH:
            raise SecretKeyError(f"{key_file} holds no usable key; delete it or set SECRET_KEY")
        return value
    value = secrets.token_urlsafe(48)
    write_private(key_file, (value + "\n").encode())
    log.warning(
        "SECRET_KEY is not set: generated one into %s (0600). Keep that file with the "
        "database backups, or set SECRET_KEY; several instances must share one key.",
        key_file,
    )
    return value
