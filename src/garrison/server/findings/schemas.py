"""API shapes for findings (the ORM rows never leave the service layer)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

TriageStatus = Literal["false_positive", "accepted_risk", "duplicate", "reopened"]


class TriageIn(BaseModel):
    status: TriageStatus
    reason: str = Field(default="", max_length=5000)
    approver: str = Field(default="", max_length=200)
    expires: dt.date | None = None
    duplicate_of: int | None = Field(default=None, ge=1, le=2**31 - 1)


class BulkTriageIn(TriageIn):
    ids: list[int] = Field(min_length=1, max_length=1000)


class FindingPage(BaseModel):
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None


class HistoryEntry(BaseModel):
    at: str | None
    actor: str
    action: str
    field: str
    from_: str | None = Field(alias="from")
    to: str | None
    reason: str
    scan_id: int | None


class TriageOut(BaseModel):
    updated: list[int]
