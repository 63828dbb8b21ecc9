"""Structural checks a regex cannot make: decode the candidate and see whether it is what it claims to be.

Each validator takes the secret and returns ``None`` to reject it, or a (possibly empty) dict of facts for
the finding's evidence (e.g. ``{"checksum": "valid"}``).
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Callable

Validator = Callable[[str], dict[str, str] | None]
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _b64decode(text: str, urlsafe: bool = False) -> bytes | None:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _json_object(raw: bytes | None) -> dict[str, object] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def jwt(secret: str) -> dict[str, str] | None:
    """A JWT: three base64url parts, the first two JSON objects, the header naming an algorithm."""
    parts = secret.split(".")
    if len(parts) != 3:
        return None
    header = _json_object(_b64decode(parts[0], urlsafe=True))
    payload = _json_object(_b64decode(parts[1], urlsafe=True))
    if header is None or payload is None or not isinstance(header.get("alg"), str):
        return None
    alg = str(header["alg"])
    if alg.lower() == "none" or not parts[2]:
        return None  # unsigned tokens grant nothing
    facts = {"alg": alg}
    for claim in ("iss", "aud"):
        value = payload.get(claim)
        if isinstance(value, str):
            facts[claim] = value[:80]
    return facts


def basic_auth(secret: str) -> dict[str, str] | None:
    """``base64(user:password)`` as in an ``Authorization: Basic`` header or a docker/npm ``auth`` field."""
    raw = _b64decode(secret)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    user, sep, password = text.partition(":")
    if not sep or not password or not text.isprintable():
        return None
    return {"user": user[:64]}


def _crc32_base62(body: str) -> str:
    n = zlib.crc32(body.encode())
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = _B62[r] + out
    return out.rjust(6, "0")


def github_checksum(secret: str) -> dict[str, str] | None:
    """GitHub's newer tokens end in a CRC32 of the rest (base62, 6 chars): a valid checksum means a real
    token shape, not a hand-typed look-alike. A bad checksum lowers nothing — test fixtures use them too."""
    prefix, _, rest = secret.partition("_")
    if len(rest) < 7 or prefix not in ("ghp", "gho", "ghu", "ghs", "ghr"):
        return {}
    body, check = rest[:-6], rest[-6:]
    return {"checksum": "valid" if _crc32_base62(body) == check else "invalid"}


def npm_checksum(secret: str) -> dict[str, str] | None:
    rest = secret[4:] if secret.startswith("npm_") else ""
    if len(rest) != 36:
        return {}
    return {"checksum": "valid" if _crc32_base62(rest[:30]) == rest[30:] else "invalid"}


def pem_body(secret: str) -> dict[str, str] | None:
    """A PEM/OpenSSH private key block must carry real key material, not ``...`` or a few characters."""
    lines = [ln.strip() for ln in secret.replace("\\n", "\n").splitlines()]
    body = "".join(ln for ln in lines if ln and not ln.startswith("-----") and ":" not in ln)
    body = body.replace('"', "").replace("'", "").replace(",", "").replace("+", "A").replace("/", "A")
    if len(body) < 64 or not body.rstrip("=").isalnum():
        return None
    if any(marker in body.lower() for marker in ("xxxxxxxx", "example", "placeholder")):
        return None
    return {}


def not_all_hex_lower(secret: str) -> dict[str, str] | None:
    """For base62 tokens: a pure lowercase hex string of the same length is a hash, not this token."""
    return None if all(c in "0123456789abcdef" for c in secret) else {}


def has_digit_and_letter(secret: str) -> dict[str, str] | None:
    return {} if any(c.isdigit() for c in secret) and any(c.isalpha() for c in secret) else None


_URL_PLACEHOLDERS = frozenset(
    [
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "changeme",
        "change_me",
        "mypassword",
        "yourpassword",
        "your_password",
        "dbpassword",
        "db_password",
        "root",
        "admin",
        "user",
        "username",
        "test",
        "example",
        "sample",
        "dummy",
        "redacted",
        "hidden",
        "xxx",
        "xxxx",
        "none",
        "null",
        "<password>",
        "[password]",
        "{password}",
        "***",
        "****",
        "*****",
        "******",
        "pass123",
        "password123",
        "secret123",
        "guest",
    ]
)


def url_password(secret: str) -> dict[str, str] | None:
    """A password embedded in a URL or command line: not a variable, a template, a mask or a stand-in."""
    value = secret.strip()
    if len(value) < 3 or value.lower() in _URL_PLACEHOLDERS:
        return None
    if value[0] in "$%{<[*" or "${" in value or "{{" in value or value.startswith("%("):
        return None
    if set(value) <= {"*", "x", "X", "."}:
        return None
    return {}


VALIDATORS: dict[str, Validator] = {
    "url_password": url_password,
    "jwt": jwt,
    "basic_auth": basic_auth,
    "github_checksum": github_checksum,
    "npm_checksum": npm_checksum,
    "pem_body": pem_body,
    "not_all_hex_lower": not_all_hex_lower,
    "digit_and_letter": has_digit_and_letter,
}
