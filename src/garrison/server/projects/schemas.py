"""API shapes for projects."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SeverityCounts(BaseModel):
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    info: int = 0


class ProjectOut(BaseModel):
    name: str
    owners: list[str]
    tags: list[str]
    sla_days: dict[str, int]
    created_at: str
    open: SeverityCounts
    overdue: int


class ProjectList(BaseModel):
    items: list[ProjectOut]


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@:+-]*$")
    owners: list[str] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=50)
    sla_days: dict[str, int] | None = None


class ProjectPatch(BaseModel):
    owners: list[str] | None = Field(default=None, max_length=50)
    tags: list[str] | None = Field(default=None, max_length=50)
    sla_days: dict[str, int] | None = None
