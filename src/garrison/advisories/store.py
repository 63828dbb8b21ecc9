"""The local advisory index: one SQLite file, read-only during scans.

Tables: ``advisories(id, modified, doc)`` (doc = compact JSON of the normalised advisory),
``packages(ecosystem, name, advisory_id)`` (name normalised by the ecosystem's scheme; the lookup index),
``sources(ecosystem, source, snapshot, imported_at, advisories)`` and ``meta(key, value)``.
Writes happen in one transaction per import, so a failed import leaves the previous data intact.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from garrison.advisories.model import Advisory
from garrison.advisories.osv import from_record, to_json
from garrison.advisories.versions import canonical_ecosystem, scheme_for
from garrison.core.errors import InputError

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisories (id TEXT PRIMARY KEY, modified TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS packages (
  ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory_id TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, advisory_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS packages_by_advisory ON packages (advisory_id);
CREATE TABLE IF NOT EXISTS sources (
  ecosystem TEXT PRIMARY KEY, source TEXT NOT NULL, snapshot TEXT NOT NULL, imported_at TEXT NOT NULL,
  advisories INTEGER NOT NULL
);
"""
_CHUNK = 500


class DatabaseError(InputError):
    """The advisory database file is missing, unreadable or not a Garrison advisory database."""


@dataclass(frozen=True, slots=True)
class EcosystemStatus:
    ecosystem: str
    advisories: int
    source: str
    snapshot: str  # ISO 8601 UTC: when the data was current (download time, or newest advisory)
    imported_at: str

    def age_days(self, now: dt.datetime | None = None) -> float:
        return _age_days(self.snapshot, now)


@dataclass(frozen=True, slots=True)
class DbStatus:
    path: str
    schema_version: str
    advisories: int
    updated_at: str
    ecosystems: tuple[EcosystemStatus, ...]


def _age_days(stamp: str, now: dt.datetime | None) -> float:
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, ((now or dt.datetime.now(dt.UTC)) - when).total_seconds() / 86400)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def package_key(ecosystem: str, name: str) -> tuple[str, str] | None:
    """(canonical ecosystem, normalised name), or None for ecosystems Garrison cannot match."""
    eco = canonical_ecosystem(ecosystem.split(":", 1)[0])
    if eco is None:
        return None
    return eco, scheme_for(eco).normalize_name(name)


class AdvisoryDB:
    """A connection to the index. Use :meth:`open_readonly` for scans and :meth:`open_for_write` for imports."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._cache: dict[str, Advisory] = {}

    # -- opening -----------------------------------------------------------------------------------------
    @classmethod
    def open_readonly(cls, path: Path) -> AdvisoryDB:
        if not path.is_file():
            raise DatabaseError("advisory database not found (run 'garrison db update' or 'db import')", path=str(path))
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            db = cls(conn, path)
            db._check()
        except sqlite3.Error as exc:
            raise DatabaseError(f"not a readable advisory database ({exc})", path=str(path)) from None
        return db

    @classmethod
    def open_for_write(cls, path: Path) -> AdvisoryDB:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            existing = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
            if existing and ("meta",) not in existing:
                raise DatabaseError("exists but is not a Garrison advisory database; refusing to write", path=str(path))
            conn.executescript(_SCHEMA)
            db = cls(conn, path)
            version = db._meta("schema_version")
            if version is None:
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            db._check()
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open for writing ({exc})", path=str(path)) from None
        except OSError as exc:
            raise DatabaseError(f"cannot create ({exc.strerror or exc})", path=str(path)) from None
        return db

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _check(self) -> None:
        version = self._meta("schema_version")
        if version != SCHEMA_VERSION:
            raise DatabaseError(
                f"advisory database schema {version!r} is not supported by this Garrison (expects "
                f"{SCHEMA_VERSION}); run 'garrison db update' to rebuild it",
                path=str(self.path),
            )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AdvisoryDB:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------------------
    def lookup(self, ecosystem: str, names: Iterable[str]) -> dict[str, list[Advisory]]:
        """Advisories per normalised package name (names must already be normalised)."""
        wanted = sorted(set(names))
        out: dict[str, list[Advisory]] = {}
        docs: dict[str, str] = {}
        pairs: list[tuple[str, str]] = []
        try:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT p.name, a.id, a.doc FROM packages p JOIN advisories a ON a.id = p.advisory_id "
                    f"WHERE p.ecosystem = ? AND p.name IN ({marks}) ORDER BY p.name, a.id",
                    (ecosystem, *chunk),
                ).fetchall()
                for name, adv_id, doc in rows:
                    pairs.append((name, adv_id))
                    if adv_id not in self._cache:
                        docs[adv_id] = doc
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot read ({exc})", path=str(self.path)) from None
        for adv_id, doc in docs.items():
            self._cache[adv_id] = from_record(json.loads(doc))
        for name, adv_id in pairs:
            out.setdefault(name, []).append(self._cache[adv_id])
        return out

    def get(self, advisory_id: str) -> Advisory | None:
        row = self._conn.execute("SELECT doc FROM advisories WHERE id = ?", (advisory_id,)).fetchone()
        return None if row is None else from_record(json.loads(row[0]))

    def status(self) -> DbStatus:
        try:
            total = self._conn.execute("SELECT COUNT(*) FROM advisories").fetchone()[0]
            rows = self._conn.execute(
                "SELECT ecosystem, advisories, source, snapshot, imported_at FROM sources ORDER BY ecosystem"
            ).fetchall()
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot read ({exc})", path=str(self.path)) from None
        return DbStatus(
            path=str(self.path),
            schema_version=self._meta("schema_version") or "",
            advisories=int(total),
            updated_at=self._meta("updated_at") or "",
            ecosystems=tuple(EcosystemStatus(r[0], int(r[1]), r[2], r[3], r[4]) for r in rows),
        )

    # -- writing -----------------------------------------------------------------------------------------
    def write(
        self,
        advisories: Sequence[Advisory],
        withdrawn: Sequence[str],
        *,
        source: str,
        replace_ecosystems: Sequence[str] = (),
        snapshot: str | None = None,
    ) -> dict[str, int]:
        """Store advisories in one transaction; returns advisories per ecosystem after the write.

        ``replace_ecosystems``: drop everything previously known for these ecosystems first (a full
        ``all.zip`` replaces its ecosystem). Otherwise advisories are upserted by id.
        """
        now = utc_now()
        conn = self._conn
        touched: dict[str, str] = {}  # ecosystem -> newest modified among the imported
        try:
            conn.execute("BEGIN IMMEDIATE")
            for eco in replace_ecosystems:
                conn.execute("DELETE FROM packages WHERE ecosystem = ?", (eco,))
                touched.setdefault(eco, "")
            ids = [a.id for a in advisories] + list(withdrawn)
            for i in range(0, len(ids), _CHUNK):
                chunk = ids[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                conn.execute(f"DELETE FROM packages WHERE advisory_id IN ({marks})", chunk)
                conn.execute(f"DELETE FROM advisories WHERE id IN ({marks})", chunk)
            conn.executemany(
                "INSERT OR REPLACE INTO advisories VALUES (?, ?, ?)",
                ((a.id, a.modified, to_json(compact(a))) for a in advisories),
            )
            rows = set()
            for a in advisories:
                for aff in a.affected:
                    key = package_key(aff.ecosystem, aff.name) if aff.name else None
                    if key is None:
                        continue
                    rows.add((key[0], key[1], a.id))
                    if a.modified > touched.get(key[0], ""):
                        touched[key[0]] = a.modified
                    else:
                        touched.setdefault(key[0], "")
            conn.executemany("INSERT OR IGNORE INTO packages VALUES (?, ?, ?)", rows)
            if replace_ecosystems:
                conn.execute("DELETE FROM advisories WHERE id NOT IN (SELECT advisory_id FROM packages)")
            counts = dict(
                conn.execute(
                    "SELECT ecosystem, COUNT(DISTINCT advisory_id) FROM packages GROUP BY ecosystem"
                ).fetchall()
            )
            for eco, newest in touched.items():
                if replace_ecosystems and eco not in replace_ecosystems:
                    continue  # another ecosystem's archive mentioned this one; its own update owns it
                when = snapshot or (newest if _plausible(newest) else now)
                prev = conn.execute("SELECT snapshot FROM sources WHERE ecosystem = ?", (eco,)).fetchone()
                if prev and not replace_ecosystems and prev[0] > when:
                    when = prev[0]  # a partial import of older files does not make the data older
                conn.execute(
                    "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)",
                    (eco, source, when, now, int(counts.get(eco, 0))),
                )
            for eco, n in counts.items():
                conn.execute("UPDATE sources SET advisories = ? WHERE ecosystem = ?", (int(n), eco))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('updated_at', ?)", (now,))
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise DatabaseError(f"import failed, nothing changed ({exc})", path=str(self.path)) from None
            raise
        return {str(k): int(v) for k, v in counts.items()}


def compact(adv: Advisory) -> Advisory:
    """The advisory as indexed: each entry's explicit ``versions`` list keeps only the versions its
    decidable ranges do not already cover. Matching is unchanged (a version is affected if the ranges or
    the list say so) while the stored documents shrink by an order of magnitude (PyPI lists every release).
    """
    from dataclasses import replace

    from garrison.advisories.matching import Undecidable, range_includes
    from garrison.advisories.versions import InvalidVersion

    entries = []
    changed = False
    for aff in adv.affected:
        eco = canonical_ecosystem(aff.ecosystem.split(":", 1)[0])
        if eco is None or not aff.versions:
            entries.append(aff)
            continue
        scheme = scheme_for(eco)
        kept = []
        for v in aff.versions:
            try:
                key = scheme.key(v)
                covered = any(range_includes(scheme, r, key) for r in aff.ranges if r.matchable)
            except (InvalidVersion, Undecidable):
                covered = False
            if not covered:
                kept.append(v)
        if len(kept) != len(aff.versions):
            changed = True
            entries.append(replace(aff, versions=tuple(kept)))
        else:
            entries.append(aff)
    return replace(adv, affected=tuple(entries)) if changed else adv


def _plausible(stamp: str) -> bool:
    """OSV exports sometimes carry zero dates (``0001-01-01``); those say nothing about freshness."""
    return stamp[:4].isdigit() and stamp[:4] >= "1990"
