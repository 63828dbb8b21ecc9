"""Stable fingerprints.

A fingerprint identifies a problem across reruns and line shifts: it hashes the analyzer, the rule, the
file (or package) and an analyzer-chosen *anchor* — never the line number alone. When one file has several
findings with the same fingerprint (the same line text twice), the engine numbers them in order of
appearance (:func:`disambiguate`).
"""

from __future__ import annotations

import hashlib
import re

FINGERPRINT_VERSION = "v1"
_WS = re.compile(r"\s+")


def fingerprint_of(*parts: str) -> str:
    h = hashlib.sha256(FINGERPRINT_VERSION.encode())
    for part in parts:
        h.update(b"\x00")
        h.update(part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


def line_anchor(text: str) -> str:
    """Anchor for a finding tied to one line: its text with whitespace normalised."""
    return _WS.sub(" ", text).strip()


def value_anchor(value: str) -> str:
    """Anchor for a sensitive value: a hash, so the fingerprint never carries the secret."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def disambiguate(fingerprint: str, occurrence: int) -> str:
    """Fingerprint of the ``occurrence``-th (0-based) duplicate; the first keeps the original."""
    if occurrence == 0:
        return fingerprint
    return fingerprint_of(fingerprint, str(occurrence))
