"""FIRST EPSS CSV and CISA KEV JSON → rows. Pure; every problem names the line or field."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from garrison.core.errors import InputError

_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")
MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Epss:
    cve: str
    epss: float
    percentile: float
    score_date: str


@dataclass(frozen=True, slots=True)
class Kev:
    cve: str
    name: str
    date_added: str
    due_date: str
    ransomware: bool


def _text(raw: bytes, source: str) -> str:
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.GzipFile(fileobj=io.BytesIO(raw)).read(MAX_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise InputError(f"corrupt gzip: {exc}", path=source) from None
    if len(raw) > MAX_BYTES:
        raise InputError("file too large", path=source)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=source) from None


def parse_epss(raw: bytes, *, source: str = "epss.csv") -> list[Epss]:
    """The daily file from FIRST: an optional ``#model_version:…,score_date:…`` line, then ``cve,epss,percentile``."""
    lines = _text(raw, source).splitlines()
    score_date = ""
    if lines and lines[0].startswith("#"):
        for part in lines[0][1:].split(","):
            key, _, value = part.partition(":")
            if key.strip() == "score_date":
                score_date = value.strip()[:10]
        lines = lines[1:]
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:3]] != ["cve", "epss", "percentile"]:
        raise InputError("expected the header cve,epss,percentile (a FIRST EPSS CSV file)", path=source)
    out = []
    for n, row in enumerate(reader, start=2 + (1 if score_date else 0)):
        if not row:
            continue
        if len(row) < 3:
            raise InputError(f"line {n}: expected 3 columns", path=source)
        cve = row[0].strip().upper()
        if not _CVE.match(cve):
            raise InputError(f"line {n}: not a CVE id: {row[0][:40]!r}", path=source)
        try:
            epss, pct = float(row[1]), float(row[2])
        except ValueError:
            raise InputError(f"line {n}: epss and percentile must be numbers", path=source) from None
        if not (0.0 <= epss <= 1.0 and 0.0 <= pct <= 1.0):
            raise InputError(f"line {n}: epss and percentile must be within 0–1", path=source)
        out.append(Epss(cve, epss, pct, score_date))
    return out


def parse_kev(raw: bytes, *, source: str = "kev.json") -> list[Kev]:
    """CISA's known_exploited_vulnerabilities.json."""
    try:
        doc: Any = json.loads(_text(raw, source))
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg} at line {exc.lineno}", path=source) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise InputError('expected an object with a "vulnerabilities" list (the CISA KEV catalog)', path=source)
    out = []
    for i, v in enumerate(doc["vulnerabilities"]):
        where = f"vulnerabilities[{i}]"
        if not isinstance(v, dict):
            raise InputError("expected an object", path=source, field=where)
        cve = v.get("cveID")
        if not isinstance(cve, str) or not _CVE.match(cve.strip().upper()):
            raise InputError(f"not a CVE id: {str(cve)[:40]!r}", path=source, field=f"{where}.cveID")

        def s(key: str, v: dict[str, Any] = v) -> str:
            value = v.get(key)
            return value[:2000] if isinstance(value, str) else ""

        out.append(
            Kev(
                cve=cve.strip().upper(),
                name=s("vulnerabilityName"),
                date_added=s("dateAdded")[:20],
                due_date=s("dueDate")[:20],
                ransomware=s("knownRansomwareCampaignUse").lower() == "known",
            )
        )
    return out
