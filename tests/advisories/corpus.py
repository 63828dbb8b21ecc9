"""Session fixtures over the shared OSV corpus: parsed once, imported once per test process."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.advisories.ingest import ImportResult, import_path, iter_documents, parse_documents

ECOSYSTEM_DIRS = ("pypi", "crates.io", "go")


@pytest.fixture(scope="session")
def corpus_parsed(corpus: Path) -> dict[str, ImportResult]:
    root = corpus / "advisories"
    return {e: parse_documents(iter_documents(root / e), e) for e in ECOSYSTEM_DIRS}


@pytest.fixture(scope="session")
def corpus_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("advisory-db") / "advisories.db"
    for e in ECOSYSTEM_DIRS:
        import_path(db, corpus / "advisories" / e)
    return db
