"""SQL for the EPSS scores and the KEV catalog."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from garrison.server.db import bulk_insert
from garrison.server.models import EpssScore, KevEntry, table_of


def replace_epss(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    session.execute(delete(EpssScore))
    bulk_insert(session, table_of(EpssScore), list(rows))


def replace_kev(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    session.execute(delete(KevEntry))
    bulk_insert(session, table_of(KevEntry), list(rows))
