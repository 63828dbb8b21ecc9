"""ORM tables. They never leave the repositories and services: the API speaks ``schemas`` only.

Times are naive UTC ``datetime``s everywhere in the server (SQLite keeps no zone; one convention for both).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    owners: Mapped[list[Any]] = mapped_column(JSON, default=list)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sla_days: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    projects: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # None = every project
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    projects: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # None = every project
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Scan(Base):
    __tablename__ = "scans"
    __table_args__ = (Index("ix_scans_project_created", "project_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    format: Mapped[str] = mapped_column(String(20))
    tool: Mapped[str] = mapped_column(String(200))
    tool_version: Mapped[str] = mapped_column(String(100), default="")
    branch: Mapped[str] = mapped_column(String(250))
    commit: Mapped[str] = mapped_column(String(100), default="")
    analyzers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[str] = mapped_column(String(200), default="")
    finding_count: Mapped[int] = mapped_column(Integer, default=0)
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    fixed_count: Mapped[int] = mapped_column(Integer, default=0)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    open_total: Mapped[int] = mapped_column(Integer, default=0)
    open_by_severity: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("project_id", "fingerprint", name="uq_findings_project_fingerprint"),
        # counts and metrics (index-only scans)
        Index("ix_findings_project_status_sev", "project_id", "status", "severity", "id"),
        Index("ix_findings_project_status_due", "project_id", "status", "due_at", "severity"),
        # keyset pagination for each sort: (project, sort column, id)
        Index("ix_findings_project_sev", "project_id", "severity", "id"),
        Index("ix_findings_project_due", "project_id", "due_at", "id"),
        Index("ix_findings_project_first_seen", "project_id", "first_seen_at", "id"),
        Index("ix_findings_project_last_seen", "project_id", "last_seen_at", "id"),
        # weekly "closed", mean time to fix, fixed late (fixed_at is set exactly when the status is fixed)
        Index("ix_findings_project_fixed", "project_id", "fixed_at", "first_seen_at", "due_at", "severity"),
        Index("ix_findings_project_kind", "project_id", "kind"),
        Index("ix_findings_project_rule", "project_id", "rule_id"),
        Index("ix_findings_project_package", "project_id", "package"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(128))
    analyzer: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    rule_id: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int] = mapped_column(SmallInteger)
    message: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    line: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resource: Mapped[str | None] = mapped_column(Text, nullable=True)
    purl: Mapped[str | None] = mapped_column(Text, nullable=True)
    package: Mapped[str | None] = mapped_column(String(300), nullable=True)
    package_version: Mapped[str | None] = mapped_column(String(200), nullable=True)
    fix_available: Mapped[bool] = mapped_column(Boolean, default=False)
    fix_versions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cve: Mapped[str | None] = mapped_column(String(40), nullable=True)
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cvss: Mapped[float | None] = mapped_column(Float, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20))
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    first_scan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_scan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fixed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    triage_reason: Mapped[str] = mapped_column(Text, default="")
    triage_by: Mapped[str] = mapped_column(String(200), default="")
    approver: Mapped[str] = mapped_column(String(200), default="")
    risk_expires: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    duplicate_of: Mapped[int | None] = mapped_column(Integer, nullable=True)


class FindingBranch(Base):
    """The scopes (branches) whose latest full scan contains the finding."""

    __tablename__ = "finding_branches"
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True)
    branch: Mapped[str] = mapped_column(String(250), primary_key=True)


class Occurrence(Base):
    __tablename__ = "occurrences"
    __table_args__ = (Index("ix_occurrences_finding", "finding_id"), Index("ix_occurrences_scan", "scan_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    branch: Mapped[str] = mapped_column(String(250))
    location: Mapped[str] = mapped_column(Text, default="")


class FindingEvent(Base):
    """The audit trail: who changed what, when, from what to what, and why."""

    __tablename__ = "finding_events"
    __table_args__ = (Index("ix_finding_events_finding", "finding_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    scan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(30))  # created | status | changed | triage
    field: Mapped[str] = mapped_column(String(50), default="")
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class EpssScore(Base):
    __tablename__ = "epss_scores"
    cve: Mapped[str] = mapped_column(String(40), primary_key=True)
    epss: Mapped[float] = mapped_column(Float)
    percentile: Mapped[float] = mapped_column(Float)
    score_date: Mapped[str] = mapped_column(String(20), default="")


class KevEntry(Base):
    __tablename__ = "kev_entries"
    cve: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    date_added: Mapped[str] = mapped_column(String(20), default="")
    due_date: Mapped[str] = mapped_column(String(20), default="")
    ransomware: Mapped[bool] = mapped_column(Boolean, default=False)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for bulk executemany statements without ORM bookkeeping."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
