"""Replace the EPSS scores / KEV catalog in one transaction (a failed import keeps the previous data)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from garrison.core.errors import InputError
from garrison.server.errors import Invalid
from garrison.server.intel import parsers
from garrison.server.intel import repository as repo


def import_epss(session: Session, raw: bytes, *, source: str = "epss.csv") -> int:
    try:
        rows = parsers.parse_epss(raw, source=source)
    except InputError as exc:
        raise Invalid(exc.message, field="body") from None
    unique = {r.cve: r for r in rows}
    repo.replace_epss(session, [asdict(r) for r in unique.values()])
    return len(unique)


def import_kev(session: Session, raw: bytes, *, source: str = "kev.json") -> int:
    try:
        rows = parsers.parse_kev(raw, source=source)
    except InputError as exc:
        raise Invalid(exc.message, field="body") from None
    unique = {r.cve: r for r in rows}
    repo.replace_kev(session, [asdict(r) for r in unique.values()])
    return len(unique)
