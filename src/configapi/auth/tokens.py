"""Personal access tokens: secrets, hashes, scopes and the caller they identify (SPEC §3).

A secret is shown once and stored only as its SHA-256 hash. Look-ups go by that hash, so no
secret is ever compared byte by byte: what an attacker could time is a comparison of hashes of
their own guesses, which tells them nothing about a real secret.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

SCOPE_WRITE = "workspace"
SCOPE_READ = "workspace:read"
SCOPES = (SCOPE_WRITE, SCOPE_READ)
_SECRET_PREFIX = "sgp_"


def new_secret() -> str:
    """A fresh bearer secret: a recognisable prefix and 256 random bits."""
    return _SECRET_PREFIX + secrets.token_urlsafe(32)


def new_token_id() -> str:
    """The id of a new token resource, `access-tokens/{id}` (24 lowercase hex characters)."""
    return secrets.token_hex(12)


def hash_secret(secret: str) -> bytes:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's resource name, its workspaces and whether it may write."""

    token_name: str
    secret_hash: bytes
    scopes: str
    workspace_names: frozenset[str]

    @property
    def can_write(self) -> bool:
        """Only `workspace` tokens may Create, Update and Delete."""
        return self.scopes == SCOPE_WRITE

    def holds(self, workspace_name: str) -> bool:
        """Whether the token may touch `workspaces/{workspace}`."""
        return workspace_name in self.workspace_names
