"""Replace the EPSS scores / KEV catalog in one transaction (a failed import keeps the previous data)."""

from __future__ import annotations

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from garrison.core.errors import InputError
from garrison.server.errors import Invalid
from garrison.server.intel import parsers
from garrison.server.models import EpssScore, KevEntry, table_of


def import_epss(session: Session, raw: bytes, *, source: str = "epss.csv") -> int:
    try:
        rows = parsers.parse_epss(raw, source=source)
    except InputError as exc:
        raise Invalid(exc.message, field="body") from None
    session.execute(delete(EpssScore))
    unique = {r.cve: r for r in rows}
    if unique:
        session.execute(
            insert(table_of(EpssScore)),
            [
                {"cve": r.cve, "epss": r.epss, "percentile": r.percentile, "score_date": r.score_date}
                for r in unique.values()
            ],
        )
    return len(unique)


def import_kev(session: Session, raw: bytes, *, source: str = "kev.json") -> int:
    try:
        rows = parsers.parse_kev(raw, source=source)
    except InputError as exc:
        raise Invalid(exc.message, field="body") from None
    session.execute(delete(KevEntry))
    unique = {r.cve: r for r in rows}
    if unique:
        session.execute(
            insert(table_of(KevEntry)),
            [
                {
                    "cve": r.cve,
                    "name": r.name,
                    "date_added": r.date_added,
                    "due_date": r.due_date,
                    "ransomware": r.ransomware,
                }
                for r in unique.values()
            ],
        )
    return len(unique)
