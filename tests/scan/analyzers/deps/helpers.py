from __future__ import annotations

from pathlib import Path

from garrison.scan.analyzers.deps import parsers
from garrison.scan.analyzers.deps.parsers.base import Manifest, Reader

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "deps"


def reader(root: Path = FIXTURES) -> Reader:
    def read(rel: str) -> str | None:
        p = root / rel
        return p.read_text() if p.is_file() else None

    return read


def parse_fixture(rel: str) -> Manifest:
    name = parsers.parser_name(rel)
    assert name is not None, rel
    manifest: Manifest = parsers.load(name).parse((FIXTURES / rel).read_text(), rel, reader())
    return manifest


def by_name(m: Manifest) -> dict[str, object]:
    return {p.name: p for p in m.packages}
