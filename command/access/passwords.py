"""Passwords: hashing with Argon2id (argon2-cffi), checking, and making new ones.

Owns: the hash format and the password rule. Must not: store anything or decide who may
log in (see :mod:`command.app.access`).
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["MIN_LENGTH", "hash_password", "verify_password", "needs_rehash", "new_password",
           "password_problem"]

#: Shortest password accepted, characters (NIST SP 800-63B asks for at least 8; a
#: command system shared by a dozen roles asks for a little more).
MIN_LENGTH = 10

# argon2-cffi's defaults follow RFC 9106's second recommended option (Argon2id, 64 MiB,
# 3 passes): about 50 ms a check here, slow for a guesser and fine for a log-in.
_HASHER = PasswordHasher()


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable (English; the caller translates the rule), or
    None when it is."""
    if len(password) < MIN_LENGTH:
        return f"must have at least {MIN_LENGTH} characters"
    if password.strip() != password:
        return "must not start or end with a space"
    if len(set(password)) < 4:
        return "must use at least 4 different characters"
    return None


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (a string with its own salt and parameters)."""
    return _HASHER.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    """Whether ``password`` matches ``hashed``; False for a malformed hash too."""
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """Whether ``hashed`` was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(hashed)


def new_password() -> str:
    """A random password of 16 URL-safe characters (96 bits), for first runs and
    resets."""
    return secrets.token_urlsafe(12)
