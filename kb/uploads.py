"""Who may add documents through the app: :func:`upload_policy` (a shared server store is read-only
unless ``POLICYKB_APP_UPLOADS`` enables uploads, and then each upload needs the operator's password),
:func:`check_upload` (the refusal, ``PKB-UPLOAD-OFF`` / ``PKB-UPLOAD-PASSWORD``), and the password
kept as a salted scrypt hash (:func:`hash_password`, :func:`verify_password`, compared in constant
time). The password itself is never stored, logged or put into a message. docs/app.md: Uploads.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from pathlib import Path

from kb import settings
from kb.errors import PolicyKBError
from kb.store.server_config import is_http_url

SCHEME = "scrypt"
COST = (2 ** 14, 8, 1)          # scrypt n, r, p: 16 MiB and ~50 ms per check (OWASP's minimum)
MAX_COST_N = 2 ** 20            # a hash asking for more memory than 1 GiB is refused, not computed
SALT_BYTES = 16
FAILURE_DELAY = 1.0             # seconds a wrong password waits before its refusal (slows guessing)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt:N:r:p:SALT:HASH`` (base64url) of ``password`` with a fresh random salt — the value of
    ``POLICYKB_APP_UPLOAD_PASSWORD_HASH`` (made by ``policykb hash-password``). No ``$`` in it, so it
    survives shells, env files and compose files unquoted."""
    n, r, p = COST
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"{SCHEME}:{n}:{r}:{p}:{_b64(salt)}:{_b64(digest)}"


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """(n, r, p, salt, digest) of a stored hash; ValueError if it is not one."""
    parts = stored.strip().split(":")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ValueError("not a password hash made by `policykb hash-password` (scrypt:N:r:p:salt:hash)")
    n, r, p = (int(x) for x in parts[1:4])
    if n < 2 or n & (n - 1) or n > MAX_COST_N or not 1 <= r <= 64 or not 1 <= p <= 16:
        raise ValueError("the scrypt cost parameters are out of range")
    salt, digest = _unb64(parts[4]), _unb64(parts[5])
    if len(salt) < 8 or len(digest) < 16:
        raise ValueError("the salt or the hash is too short")
    return n, r, p, salt, digest


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (constant-time comparison)."""
    n, r, p, salt, digest = parse_hash(stored)
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(digest),
                               maxmem=128 * n * r * p + (1 << 20))
    return hmac.compare_digest(candidate, digest)


def is_shared_store(location: str) -> bool:
    """Whether ``location`` names a shared SPARQL server (an http(s) URL or a ``.toml`` config file)."""
    location = str(location)
    return is_http_url(location) or (location.lower().endswith(".toml") and Path(location).is_file())


@dataclass(frozen=True)
class UploadPolicy:
    """What the app may do with uploads on one store: take them at all (``allowed``), and only with
    the operator's password (``needs_password``); ``shared`` says the store is a server's."""

    allowed: bool
    needs_password: bool
    shared: bool


def upload_policy(location: str) -> UploadPolicy:
    """Uploads on ``location``: an embedded store takes them (with the password when one is set); a
    shared server store only when ``POLICYKB_APP_UPLOADS`` is on *and* a password hash is set.
    ``POLICYKB_APP_UPLOADS=false`` makes any store read-only in the app."""
    shared = is_shared_store(location)
    enabled = settings.get("app_uploads")
    stored = settings.get("app_upload_password_hash")
    if enabled is None:
        enabled = not shared
    if not enabled or (shared and not stored):
        return UploadPolicy(False, False, shared)
    return UploadPolicy(True, bool(stored), shared)


def check_upload(location: str, password: str | None) -> None:
    """Refuse an upload to ``location`` the policy does not allow, or whose password is wrong."""
    policy = upload_policy(location)
    if not policy.allowed:
        if policy.shared and settings.get("app_uploads"):
            hint = "set POLICYKB_APP_UPLOAD_PASSWORD_HASH (made by `policykb hash-password`) as well"
        elif policy.shared:
            hint = "the CLI writes with the server's credentials (`policykb ingest`); or the operator " \
                   "sets POLICYKB_APP_UPLOADS=true and an upload password"
        else:
            hint = None
        raise PolicyKBError("this app is read-only: it takes no uploads", code="PKB-UPLOAD-OFF", hint=hint)
    if policy.needs_password and not verify_password(password or "", settings.get("app_upload_password_hash")):
        time.sleep(FAILURE_DELAY)
        raise PolicyKBError("the upload password is wrong", code="PKB-UPLOAD-PASSWORD")


__all__ = ["UploadPolicy", "check_upload", "hash_password", "is_shared_store", "parse_hash", "upload_policy",
           "verify_password"]
