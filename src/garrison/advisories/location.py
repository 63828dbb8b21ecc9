"""Where the advisory database lives: ``--db`` > ``GARRISON_DB`` > ``[analyzers.deps] db`` > the user cache
(``$XDG_CACHE_HOME/garrison/advisories.db``, else ``~/.cache/garrison/advisories.db``).
"""

from __future__ import annotations

import os
from pathlib import Path

DB_FILENAME = "advisories.db"
ENV_VAR = "GARRISON_DB"


def default_db_path() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME")
    base = Path(cache) if cache and os.path.isabs(cache) else Path.home() / ".cache"
    return base / "garrison" / DB_FILENAME


def resolve_db_path(cli: str | os.PathLike[str] | None = None, configured: str | None = None) -> Path:
    if cli:
        return Path(cli)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    if configured:
        return Path(configured)
    return default_db_path()
