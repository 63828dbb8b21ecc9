"""Server fixtures: a migrated database per xdist worker (SQLite and PostgreSQL), a clean state per test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from garrison.server.app import create_app
from garrison.server.auth.service import create_token
from garrison.server.db import make_engine, migrate, session_factory, transaction
from garrison.server.models import Base
from garrison.server.settings import Settings

PG_ADMIN_URL = os.environ.get("GARRISON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "test-secret-key-0123456789abcdef"


class FakeClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A database of its own per xdist worker, created, migrated once, dropped at the end."""
    name = f"garrison_test_{_worker()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "garrison.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_url")
    return url


def truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    if eng.dialect.name == "postgresql":
        truncate_all(eng)
    yield eng
    if eng.dialect.name == "postgresql":
        truncate_all(eng)
    eng.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 3, 2, 9, 0, 0))


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, secret_key=SECRET)


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: FakeClock) -> Any:
    return create_app(settings, engine=engine, clock=clock, prepare_schema=False)


@dataclass
class Tokens:
    admin: str
    writer: str  # scoped to project "web"
    writer_any: str
    reader: str  # scoped to project "web"
    other: str  # writer scoped to project "other"


@pytest.fixture
def tokens(app: Any) -> Tokens:
    with transaction(app.state.sessions) as s:
        return Tokens(
            admin=create_token(s, name="admin", role="admin"),
            writer=create_token(s, name="ci-web", role="writer", projects=["web", "qc10", "qc1000"]),
            writer_any=create_token(s, name="ci-any", role="writer"),
            reader=create_token(s, name="dash", role="reader", projects=["web"]),
            other=create_token(s, name="ci-other", role="writer", projects=["other"]),
        )


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def upload(client: Any, tokens: Tokens) -> Callable[..., Any]:
    """``upload(body_bytes_or_dict, project="web", branch="main", token=None, **params)`` → response."""
    import json

    def run(body: Any, project: str = "web", token: str | None = None, **params: Any) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.post(
            f"/api/v1/projects/{project}/scans",
            content=raw,
            params={"branch": "main", **params},
            headers=bearer(token or tokens.writer),
        )

    return run


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar() or 0)
            for t in Base.metadata.sorted_tables
        }


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for before/after comparisons."""
    out = {}
    with engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            out[t.name] = sorted(tuple(map(repr, r)) for r in conn.execute(t.select()))
    return out


__all__ = ["FakeClock", "Tokens", "bearer", "dump", "session_factory", "table_counts"]
