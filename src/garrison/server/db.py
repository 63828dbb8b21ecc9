"""Engine, sessions, migrations and the per-project write lock.

SQLite (default) runs in WAL mode with a busy timeout; every transaction that writes findings starts with
``BEGIN IMMEDIATE`` (see :func:`lock_project`) so concurrent uploads queue instead of failing. PostgreSQL
serializes uploads to one project with a transaction-scoped advisory lock.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from garrison.core.errors import ConfigError

IMMEDIATE = "garrison_sqlite_immediate"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"invalid database URL: {exc}", field="GARRISON_DATABASE_URL") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 60, "check_same_thread": False})
        _sqlite_setup(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() not in ("psycopg", ""):
            raise ConfigError("use postgresql+psycopg://… (psycopg 3)", field="GARRISON_DATABASE_URL")
        if parsed.get_driver_name() == "":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)
    raise ConfigError(
        f"unsupported database {parsed.get_backend_name()!r} (sqlite or postgresql)", field="GARRISON_DATABASE_URL"
    )


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "sqlite"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def begin_write(session: Session) -> None:
    """Start a writing transaction: on SQLite one that holds the write lock from its first statement, so a
    concurrent writer makes it wait (busy timeout) instead of failing on a stale read snapshot."""
    if is_sqlite(session):
        session.rollback()
        session.connection(execution_options={IMMEDIATE: True})


def lock_project(session: Session, name: str) -> None:
    """Serialize writers of one project until the end of the current transaction.

    Must be the first thing a writing unit of work does. SQLite: the transaction restarts as BEGIN IMMEDIATE
    (one writer at a time; others wait up to the busy timeout). PostgreSQL: an advisory lock on the name.
    """
    if is_sqlite(session):
        begin_write(session)
    else:
        key = zlib.crc32(f"garrison:project:{name}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


# --------------------------------------------------------------------------------------------- migrations


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def schema_state(engine: Engine) -> str:
    """``new`` (no tables), ``current`` (at the latest migration) or ``behind``."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return "new"
        current = set(MigrationContext.configure(conn).get_current_heads())
    heads = set(ScriptDirectory.from_config(_alembic_config(engine)).get_heads())
    return "current" if current == heads else "behind"


def migrate(engine: Engine) -> None:
    """Apply every pending Alembic migration."""
    from alembic import command

    cfg = _alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def ensure_schema(engine: Engine) -> None:
    """On start: migrate a new database; refuse one that is behind (run `garrison server migrate`)."""
    state = schema_state(engine)
    if state == "new":
        migrate(engine)
    elif state == "behind":
        raise ConfigError("the database schema is out of date: run `garrison server migrate`")


def bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one round trip: COPY on PostgreSQL, executemany elsewhere.

    ``table`` is a Core ``Table``; every row has the same keys. JSON columns are serialised here for COPY.
    """
    if not rows:
        return
    cols = list(rows[0])
    names = ", ".join(f'"{c}"' for c in cols)
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    if is_sqlite(session):
        # the column types' own bind processors, without SQLAlchemy's per-row statement machinery
        dialect = session.get_bind().dialect
        procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in cols]
        marks = ", ".join("?" * len(cols))
        data = [tuple(p(row[c]) if p else row[c] for c, p in zip(cols, procs)) for row in rows]
        raw.cursor().executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', data)
        return
    import json

    from sqlalchemy import JSON

    json_cols = {c for c in cols if isinstance(table.c[c].type, JSON)}
    cursor: Any = raw.cursor()  # psycopg 3 cursor
    with cursor as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in json_cols else row[c] for c in cols])
