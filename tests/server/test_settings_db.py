"""Settings (env, file, secret-key refusal) and the schema: migrations match the models on both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from garrison.core.errors import ConfigError
from garrison.server.db import ensure_schema, make_engine, schema_state
from garrison.server.settings import DEV_SECRET, load_settings


def test_secret_key_is_required_outside_dev(tmp_path: Path) -> None:
    env = {"GARRISON_DATA_DIR": str(tmp_path)}
    with pytest.raises(ConfigError, match="GARRISON_SECRET_KEY"):
        load_settings(environ=env)
    assert load_settings(dev=True, environ=env).secret_key == DEV_SECRET
    with pytest.raises(ConfigError, match="development default"):
        load_settings(environ={**env, "GARRISON_SECRET_KEY": DEV_SECRET})
    s = load_settings(environ={**env, "GARRISON_SECRET_KEY": "s3cret"})
    assert s.database_url == f"sqlite:///{tmp_path / 'garrison.db'}" and s.max_upload_bytes == 256 * 1024 * 1024


def test_config_file_and_env_precedence(tmp_path: Path) -> None:
    cfg = tmp_path / "server.toml"
    cfg.write_text('[server]\nsecret_key = "from-file"\nmax_upload_mb = 8\n[sla]\ncritical = 2\n')
    env = {"GARRISON_DATA_DIR": str(tmp_path)}
    s = load_settings(environ=env)
    assert (s.secret_key, s.max_upload_bytes, s.sla_days["critical"], s.sla_days["high"]) == (
        "from-file",
        8 << 20,
        2,
        30,
    )
    s = load_settings(environ={**env, "GARRISON_SECRET_KEY": "from-env", "GARRISON_MAX_UPLOAD_MB": "3"})
    assert (s.secret_key, s.max_upload_bytes) == ("from-env", 3 << 20)
    cfg.write_text('[server]\nsecret_key = "x"\ndatabase = "typo"\n')
    with pytest.raises(ConfigError, match=r"server\.database: unknown key"):
        load_settings(environ=env)
    cfg.write_text('[server]\nsecret_key = "x"\n[sla]\nurgent = 1\n')
    with pytest.raises(ConfigError, match="unknown severity"):
        load_settings(environ=env)
    cfg.write_text("[server\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(environ=env)


def test_migrations_match_the_models(engine: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from garrison.server.models import Base

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert schema_state(engine) == "current"


def test_new_database_is_migrated_on_start_and_an_old_one_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'g.db'}")
    assert schema_state(engine) == "new"
    ensure_schema(engine)
    assert schema_state(engine) == "current"
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    assert schema_state(engine) == "behind"
    with pytest.raises(ConfigError, match="garrison server migrate"):
        ensure_schema(engine)
    engine.dispose()


def test_bulk_insert_stores_exactly_what_a_plain_insert_stores(engine: Any) -> None:
    import datetime as dt

    from sqlalchemy import insert, select

    from garrison.server.db import bulk_insert, session_factory
    from garrison.server.models import Project, Scan, table_of

    with session_factory(engine)() as s:
        s.add(Project(name="p", owners=[], tags=[], created_at=dt.datetime(2026, 1, 1), lock_version=0))
        s.flush()
        row = {
            "project_id": 1,
            "created_at": dt.datetime(2026, 3, 2, 9, 0, 7),
            "format": "garrison",
            "tool": "t",
            "tool_version": "1",
            "branch": "main",
            "commit": "abc",
            "analyzers": ["deps", "secrets"],
            "partial": True,
            "uploaded_by": "x",
            "finding_count": 3,
            "new_count": 1,
            "fixed_count": 0,
            "reopened_count": 0,
            "updated_count": 0,
            "unchanged_count": 2,
            "open_total": 3,
            "open_by_severity": {"high": 3},
        }
        bulk_insert(s, table_of(Scan), [row])
        s.execute(insert(table_of(Scan)), [row])
        got = [r._asdict() for r in s.execute(select(table_of(Scan))).all()]
        raw = s.execute(text("SELECT created_at, analyzers FROM scans ORDER BY id")).all()
        s.rollback()
    a, b = ({k: v for k, v in r.items() if k != "id"} for r in got)
    assert a == b and a["created_at"] == row["created_at"] and a["analyzers"] == ["deps", "secrets"]
    assert raw[0] == raw[1]
