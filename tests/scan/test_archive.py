"""Archives in the tree: members are scanned; hostile archives are bounded and reported, never fatal."""

from __future__ import annotations

import io
import stat
import tarfile
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.core.config import ScanConfig, parse_config
from garrison.scan import engine
from garrison.scan.analyzers.secrets import SecretsAnalyzer
from garrison.scan.archive import ArchiveLimits, ArchiveStats, expand
from garrison.scan.target import DirectoryTarget

TOKEN = "ghp_Zq8Rn2LkT4vW9xY1bC3dE5fG7hJ0mN6pQs2T"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _targz(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name in links:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/shadow"
            tf.addfile(info)
    return buf.getvalue()


def scan(root: Path, config: ScanConfig | None = None):
    target = DirectoryTarget(root, config)
    return engine.run(target, [SecretsAnalyzer()], jobs=1)


def test_members_of_nested_archives_are_scanned(tmp_path: Path):
    inner = _zip({"config/settings.py": f'T = "{TOKEN}"\n'.encode()})
    (tmp_path / "release.tar.gz").write_bytes(_targz({"pkg/bundle.zip": inner, "README": b"hello\n"}))
    (tmp_path / "lib.jar").write_bytes(
        _zip({"app.properties": b"slack=xoxb-703423667127-6842684656321-ljoQoaF1LlqsajAIxNKu8iS2\n"})
    )
    res = scan(tmp_path)
    assert sorted(f.location.path for f in res.findings) == [
        "lib.jar!app.properties",
        "release.tar.gz!pkg/bundle.zip!config/settings.py",
    ]
    assert res.findings[0].location.line == 1


def test_traversal_links_and_encrypted_members_are_skipped(tmp_path: Path):
    (tmp_path / "evil.zip").write_bytes(_zip({"../../etc/cron.d/x": TOKEN.encode(), "/abs/path": TOKEN.encode()}))
    (tmp_path / "evil.tgz").write_bytes(_targz({"ok.txt": b"fine\n", "../up.txt": TOKEN.encode()}, links=("link",)))
    res = scan(tmp_path)
    assert res.findings == ()
    text = "\n".join(res.warnings)
    assert "evil.zip: member '../../etc/cron.d/x' escapes the archive" in text
    assert "evil.zip: member '/abs/path' escapes the archive" in text
    assert "evil.tgz: member '../up.txt' escapes the archive" in text
    assert "evil.tgz!link: not a regular file" in text


def test_zip_bomb_stops_at_the_expanded_size_budget(tmp_path: Path):
    bomb = _zip({f"zeros{i}.txt": b"0" * (4 << 20) for i in range(4)} | {"z.txt": f'T="{TOKEN}"'.encode()})
    assert len(bomb) < 200_000
    (tmp_path / "bomb.zip").write_bytes(bomb)
    cfg = ScanConfig(archive_max_size=6 << 20)
    t0 = time.perf_counter()
    res = scan(tmp_path, cfg)
    assert time.perf_counter() - t0 < 20
    assert any("expanded size limit" in w for w in res.warnings)


def test_member_count_and_depth_limits(tmp_path: Path):
    (tmp_path / "many.zip").write_bytes(_zip({f"f{i}.txt": b"x" for i in range(50)}))
    level3 = _zip({"deep.txt": f'T="{TOKEN}"'.encode()})
    (tmp_path / "nest.zip").write_bytes(_zip({"l2.zip": _zip({"l3.zip": level3})}))
    stats = ArchiveStats()
    members = list(expand("many.zip", str(tmp_path / "many.zip"), ArchiveLimits(max_members=10), stats))
    assert len(members) == 10 and "more than 10 members" in stats.warnings[0]
    res = scan(tmp_path, ScanConfig(archive_max_depth=2))
    assert res.findings == ()
    assert any("nest.zip!l2.zip!l3.zip: nested archive not expanded (depth limit 2)" in w for w in res.warnings)
    assert [f.location.path for f in scan(tmp_path, ScanConfig(archive_max_depth=3)).findings] == [
        "nest.zip!l2.zip!l3.zip!deep.txt"
    ]
    assert scan(tmp_path, ScanConfig(archives=False)).findings == ()


def test_corrupt_archives_are_warnings(tmp_path: Path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "broken.tar.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    res = scan(tmp_path)
    assert res.runs[0].errors == ()
    assert sum("cannot read archive" in w for w in res.warnings) == 2


def test_archive_limits_come_from_garrison_toml():
    cfg = parse_config(
        {"scan": {"archives": True, "archive_max_depth": 1, "archive_max_members": 5, "archive_max_size": "1MiB"}}
    )
    assert (cfg.scan.archive_max_depth, cfg.scan.archive_max_members, cfg.scan.archive_max_size) == (1, 5, 1 << 20)


def test_zip_symlink_member_is_skipped():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    stats = ArchiveStats()
    assert list(expand("a.zip", buf.getvalue(), ArchiveLimits(), stats)) == []
    assert "not a regular file" in stats.warnings[0]


SEEDS = [
    _zip({"a.txt": b"hello", "dir/b.env": f"T={TOKEN}".encode()}),
    _targz({"a.txt": b"hello", "b/c.txt": b"x" * 100}),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=12),
    cut=st.integers(0, 10_000),
    kind=st.sampled_from(["x.zip", "x.tar.gz", "x.tar"]),
)
def test_fuzz_mutated_archives_never_raise(seed: bytes, flips: list[tuple[int, int]], cut: int, kind: str):
    data = bytearray(seed[: max(cut, 1)] if cut < len(seed) else seed)
    for pos, val in flips:
        if data:
            data[pos % len(data)] = val
    stats = ArchiveStats()
    t0 = time.perf_counter()
    members = list(expand(kind, bytes(data), ArchiveLimits(max_size=1 << 20, max_member_size=1 << 20), stats))
    assert time.perf_counter() - t0 < 5
    assert sum(m.size for m in members) <= 1 << 20
    for m in members:
        assert m.path.startswith(kind + "!") and ".." not in m.path.split("!")[1].split("/")


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=2048), st.sampled_from(["x.zip", "x.tgz", "x.tar.xz", "x.tar.bz2"]))
def test_fuzz_random_bytes_as_archives(data: bytes, kind: str):
    stats = ArchiveStats()
    list(expand(kind, data, ArchiveLimits(), stats))
