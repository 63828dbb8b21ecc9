"""Import (directory, zip, file), update through a stub transport, the index, and failure atomicity."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from garrison.advisories.ingest import archive_url, import_path, update
from garrison.advisories.osv import MAX_DOCUMENT
from garrison.advisories.store import AdvisoryDB, DatabaseError
from garrison.advisories.transport import DownloadError, Response
from garrison.core.errors import InputError


def osv(adv_id: str, name: str = "demo", fixed: str = "1.2.0", **extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": adv_id,
        "modified": "2024-05-01T00:00:00Z",
        "summary": f"{adv_id} summary",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            }
        ],
    }
    doc.update(extra)
    return doc


def write(dirpath: Path, docs: list[dict[str, object]]) -> Path:
    dirpath.mkdir(parents=True, exist_ok=True)
    for d in docs:
        (dirpath / f"{d['id']}.json").write_text(json.dumps(d))
    return dirpath


def zipped(docs: list[dict[str, object]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for d in docs:
            zf.writestr(f"{d['id']}.json", json.dumps(d))
    return buf.getvalue()


def test_import_directory_and_lookup(tmp_path: Path) -> None:
    src = write(tmp_path / "osv", [osv("PYSEC-1", "Demo_Pkg"), osv("GHSA-aaaa-bbbb-cccc", "other")])
    (tmp_path / "osv" / "README.md").write_text("not an advisory")
    db_path = tmp_path / "db" / "a.db"
    result = import_path(db_path, src)
    assert len(result.advisories) == 2 and result.counts == {"PyPI": 2}
    with AdvisoryDB.open_readonly(db_path) as db:
        found = db.lookup("PyPI", ["demo-pkg", "nothing"])
        assert [a.id for a in found["demo-pkg"]] == ["PYSEC-1"]
        status = db.status()
    assert status.advisories == 2
    assert status.ecosystems[0].ecosystem == "PyPI"
    assert status.ecosystems[0].snapshot == "2024-05-01T00:00:00Z"  # the newest advisory, not the import time


def test_withdrawn_advisories_are_removed(tmp_path: Path) -> None:
    db_path = tmp_path / "a.db"
    import_path(db_path, write(tmp_path / "v1", [osv("PYSEC-1"), osv("PYSEC-2")]))
    result = import_path(db_path, write(tmp_path / "v2", [osv("PYSEC-2", withdrawn="2024-06-01T00:00:00Z")]))
    assert result.withdrawn == ["PYSEC-2"]
    with AdvisoryDB.open_readonly(db_path) as db:
        assert [a.id for a in db.lookup("PyPI", ["demo"])["demo"]] == ["PYSEC-1"]


def test_invalid_documents_are_skipped_or_abort_with_strict(tmp_path: Path) -> None:
    src = write(tmp_path / "osv", [osv("PYSEC-1")])
    (src / "broken.json").write_text('{"id": "X", "affected": "nope"}')
    (src / "huge.json").write_bytes(b" " * (MAX_DOCUMENT + 1))
    db_path = tmp_path / "a.db"
    result = import_path(db_path, src)
    assert len(result.advisories) == 1
    assert any("broken.json: affected: expected a list" in e for e in result.errors)
    assert any("document too large" in e for e in result.errors)
    with pytest.raises(InputError, match="2 invalid documents; nothing imported"):
        import_path(tmp_path / "b.db", src, strict=True)
    assert not (tmp_path / "b.db").exists() or AdvisoryDB.open_readonly(tmp_path / "b.db").status().advisories == 0


def test_import_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        import_path(tmp_path / "a.db", tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no OSV documents"):
        import_path(tmp_path / "a.db", tmp_path / "empty")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="not a valid zip archive"):
        import_path(tmp_path / "a.db", bad)


def test_import_zip_and_single_file(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    archive.write_bytes(zipped([osv("PYSEC-1"), osv("PYSEC-2")]))
    assert len(import_path(tmp_path / "a.db", archive).advisories) == 2
    single = write(tmp_path / "one", [osv("PYSEC-3")]) / "PYSEC-3.json"
    assert import_path(tmp_path / "a.db", single).counts == {"PyPI": 3}


def test_zip_member_lying_about_its_size_is_bounded(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.json", b"[" + b" " * (MAX_DOCUMENT + 10) + b"]")  # compresses to a few KiB
        zf.writestr("PYSEC-1.json", json.dumps(osv("PYSEC-1")))
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(buf.getvalue())
    assert archive.stat().st_size < 100_000
    result = import_path(tmp_path / "a.db", archive)
    assert len(result.advisories) == 1
    assert any("too large" in e for e in result.errors)


class StubTransport:
    def __init__(self, responses: dict[str, Response]) -> None:
        self.responses = responses
        self.calls: list[str] = []

    def get(self, url: str, *, max_bytes: int) -> Response:
        self.calls.append(url)
        return self.responses.get(url, Response(404, b""))


def _md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def test_update_downloads_verifies_and_replaces(tmp_path: Path) -> None:
    base = "https://mirror.test/osv"
    body = zipped([osv("PYSEC-1"), osv("PYSEC-2")])
    transport = StubTransport(
        {archive_url(base, "PyPI"): Response(200, body, {"x-goog-hash": f"crc32c=x,md5={_md5(body)}"})}
    )
    db_path = tmp_path / "a.db"
    import_path(db_path, write(tmp_path / "old", [osv("PYSEC-OLD")]))
    results = update(db_path, ["pypi"], transport=transport, base_url=base)
    assert transport.calls == ["https://mirror.test/osv/PyPI/all.zip"]
    assert results[0].counts == {"PyPI": 2}  # the archive replaced the ecosystem: PYSEC-OLD is gone
    with AdvisoryDB.open_readonly(db_path) as db:
        st = db.status()
        assert st.advisories == 2 and st.ecosystems[0].source == "https://mirror.test/osv/PyPI/all.zip"
        assert st.ecosystems[0].age_days() < 1  # a download is current as of its fetch


def test_update_failures_change_nothing(tmp_path: Path) -> None:
    base = "https://mirror.test/osv"
    db_path = tmp_path / "a.db"
    import_path(db_path, write(tmp_path / "old", [osv("PYSEC-OLD")]))
    body = zipped([osv("PYSEC-1")])
    cases = [
        StubTransport({}),  # 404
        StubTransport(
            {archive_url(base, "PyPI"): Response(200, body, {"x-goog-hash": "md5=AAAAAAAAAAAAAAAAAAAAAA=="})}
        ),
        StubTransport({archive_url(base, "PyPI"): Response(200, b"garbage")}),
    ]
    messages = []
    for t in cases:
        with pytest.raises(InputError) as err:
            update(db_path, ["PyPI"], transport=t, base_url=base)
        messages.append(err.value.message)
    assert "HTTP 404; nothing imported" in messages[0]
    assert "MD5 mismatch" in messages[1]
    assert "not a valid zip archive" in messages[2]
    with AdvisoryDB.open_readonly(db_path) as db:
        assert [a.id for a in db.lookup("PyPI", ["demo"])["demo"]] == ["PYSEC-OLD"]
    with pytest.raises(InputError, match="unknown ecosystem 'Debian'"):
        update(db_path, ["Debian"], transport=StubTransport({}), base_url=base)
    assert isinstance(DownloadError("x"), InputError)


def test_unreadable_or_foreign_databases(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="advisory database not found"):
        AdvisoryDB.open_readonly(tmp_path / "none.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="not a readable advisory database"):
        AdvisoryDB.open_readonly(junk)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(DatabaseError, match="not a Garrison advisory database; refusing to write"):
        AdvisoryDB.open_for_write(foreign)
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("users",)]


def test_whole_corpus_import_counts(corpus_db: Path) -> None:
    with AdvisoryDB.open_readonly(corpus_db) as db:
        st = db.status()
        counts = {e.ecosystem: e.advisories for e in st.ecosystems}
        # every non-withdrawn advisory of the shared corpus is indexed under its ecosystem
        assert counts == {"PyPI": 2651, "crates.io": 1193, "Go": 4274}
        lodash_like = db.lookup("Go", ["github.com/coder/coder/v2"])
        assert "GO-2024-3228" in {a.id for a in lodash_like["github.com/coder/coder/v2"]}


def test_compacted_index_keeps_list_only_versions(corpus_db: Path) -> None:
    """The index drops listed versions the ranges already cover; versions only the list names survive."""
    from garrison.advisories.matching import is_affected
    from garrison.advisories.versions import scheme_for

    pypi = scheme_for("PyPI")
    with AdvisoryDB.open_readonly(corpus_db) as db:
        for adv_id, name, version in [
            ("PYSEC-2021-114", "wagtail", "2.11.6"),
            ("PYSEC-2023-177", "gevent", "23.9.0"),
            ("PYSEC-2023-61", "django", "3.2a1"),
        ]:
            adv = db.get(adv_id)
            assert adv is not None
            entry = next(a for a in adv.affected if a.name.lower() == name)
            assert version in entry.versions and len(entry.versions) < 20
            assert is_affected(pypi, entry, version)
        flask = db.get("PYSEC-2018-66")
        assert flask is not None and flask.affected[0].versions == ()  # every listed version is in the range
        assert is_affected(pypi, flask.affected[0], "0.12.2")
