from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from garrison.core.finding import Finding, FindingKind, Location, Region, Rule, new_finding
from garrison.core.fingerprint import line_anchor
from garrison.core.severity import Severity
from garrison.scan import engine
from garrison.scan.analyzer import Analyzer, FileAnalyzer, ScanContext
from garrison.scan.source import SourceFile
from garrison.scan.target import DirectoryTarget

TODO = Rule(id="demo.todo", title="TODO left in code", severity=Severity.LOW)


class TodoAnalyzer(FileAnalyzer):
    """Reports every line containing TODO; fails on purpose on files named boom.txt."""

    id = "todo"
    version = "1"
    title = "todo"

    def rules(self) -> Sequence[Rule]:
        return (TODO,)

    def wants(self, file: SourceFile) -> bool:
        return file.path.endswith((".txt", ".py"))

    def analyze_file(self, file: SourceFile, ctx: ScanContext) -> Iterable[Finding]:
        if file.name == "boom.txt":
            raise ValueError("bug in analyzer")
        text = file.read_text()
        for n, line in enumerate(text.splitlines(), 1):
            if "TODO" in line:
                yield new_finding(
                    analyzer=self.id,
                    kind=FindingKind.CODE,
                    rule=TODO,
                    location=Location(path=file.path, region=Region(n)),
                    message=line.strip(),
                    anchor=line_anchor(line),
                )


class CrashingProjectAnalyzer(Analyzer):
    id = "crash"
    version = "1"
    title = "crash"

    def rules(self) -> Sequence[Rule]:
        return ()

    def wants(self, file: SourceFile) -> bool:
        return True

    def analyze(self, files: Sequence[SourceFile], ctx: ScanContext) -> Iterable[Finding]:
        raise RuntimeError("whole analyzer down")


def tree(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    for rel, data in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return tmp_path


def test_findings_collected_and_sorted(tmp_path):
    root = tree(tmp_path, {"b.py": "x\n# TODO b\n", "a.txt": "TODO a\n", "c.md": "TODO ignored\n"})
    res = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1)
    assert [(f.location.path, f.location.line) for f in res.findings] == [("a.txt", 1), ("b.py", 2)]
    assert res.runs[0].files == 2
    assert res.stats.files_scanned == 2


def test_failure_in_one_file_is_isolated(tmp_path):
    root = tree(tmp_path, {"boom.txt": "TODO", "ok.txt": "TODO ok"})
    res = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1)
    assert [f.location.path for f in res.findings] == ["ok.txt"]
    (err,) = res.runs[0].errors
    assert (err.path, err.kind) == ("boom.txt", "internal")
    assert "bug in analyzer" in err.message
    assert res.runs[0].failed


def test_invalid_utf8_is_an_input_error_not_a_crash(tmp_path):
    root = tree(tmp_path, {"latin.txt": b"caf\xe9 TODO\n", "ok.txt": "TODO"})
    res = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1)
    (err,) = res.runs[0].errors
    assert err.kind == "input"
    assert err.path == "latin.txt"
    assert "not valid UTF-8" in err.message
    assert not res.runs[0].failed


def test_binary_files_are_skipped_and_counted(tmp_path):
    root = tree(tmp_path, {"blob.txt": b"\x00\x01TODO", "ok.txt": "TODO"})
    res = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1)
    assert [f.location.path for f in res.findings] == ["ok.txt"]
    assert res.stats.skipped_binary == 1


def test_crashing_project_analyzer_does_not_stop_others(tmp_path):
    root = tree(tmp_path, {"ok.txt": "TODO"})
    res = engine.run(DirectoryTarget(root), [CrashingProjectAnalyzer(), TodoAnalyzer()], jobs=1)
    assert len(res.findings) == 1
    crash = next(r for r in res.runs if r.id == "crash")
    assert crash.failed
    assert "whole analyzer down" in crash.errors[0].message


def test_parallel_and_serial_give_identical_results(tmp_path, monkeypatch):
    files = {f"pkg{i % 7}/mod{i}.py": f"x = {i}\n# TODO item {i % 13}\n" * 3 for i in range(400)}
    files["pkg0/boom.txt"] = "TODO"
    root = tree(tmp_path, files)
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 10)
    monkeypatch.setattr(engine, "CHUNK_FILES", 37)
    serial = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1)
    parallel = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=2)
    assert parallel.findings == serial.findings
    assert [r.errors for r in parallel.runs] == [r.errors for r in serial.runs]
    assert len({f.fingerprint for f in serial.findings}) == len(serial.findings) == 1200


def test_repeated_lines_get_unique_stable_fingerprints(tmp_path):
    root = tree(tmp_path, {"a.txt": "TODO same\nTODO same\nother\nTODO same\n"})
    first = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1).findings
    assert len({f.fingerprint for f in first}) == 3
    # inserting lines above keeps every fingerprint
    (root / "a.txt").write_text("new\nlines\nTODO same\nTODO same\nother\nTODO same\n")
    shifted = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1).findings
    assert [f.fingerprint for f in first] == [f.fingerprint for f in shifted]


@pytest.mark.parametrize(
    ("line", "suppressed"),
    [
        ("TODO x  # garrison:ignore", True),
        ("TODO x  # garrison:ignore demo.todo reviewed by sec", True),
        ("TODO x  # garrison:ignore demo.* legacy", True),
        ("TODO x  # garrison:ignore other.rule", False),
        ("TODO x  // garrison:allow", True),
        ("TODO x", False),
    ],
)
def test_inline_suppressions(tmp_path, line, suppressed):
    root = tree(tmp_path, {"a.txt": line + "\n"})
    res = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1)
    assert (len(res.suppressed), len(res.findings)) == ((1, 0) if suppressed else (0, 1))
    if suppressed:
        s = res.suppressed[0].suppression
        assert s.kind == "inline"
        assert s.source == "a.txt:1"


def test_inline_reason_is_kept(tmp_path):
    root = tree(tmp_path, {"a.txt": "TODO x  # garrison:ignore demo.todo tracked in SEC-12\n"})
    res = engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1)
    assert res.suppressed[0].suppression.reason == "tracked in SEC-12"


def test_progress_reports_every_file(tmp_path):
    root = tree(tmp_path, {f"f{i}.txt": "TODO" for i in range(5)})
    seen: list[tuple[int, int]] = []
    engine.run(DirectoryTarget(root), [TodoAnalyzer()], jobs=1, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 5)
    assert seen[-1] == (5, 5)


def test_walk_failure_after_workers_started_propagates_cleanly(tmp_path, monkeypatch):
    from collections.abc import Iterator

    from garrison.core.errors import InputError
    from garrison.core.report import Target
    from garrison.scan.source import BytesOrigin
    from garrison.scan.target import ScanTarget

    class Failing(ScanTarget):
        root = tmp_path

        def describe(self) -> Target:
            return Target(path=str(tmp_path))

        def files(self) -> Iterator[SourceFile]:
            for i in range(50):
                yield SourceFile(path=f"f{i}.txt", size=6, origin=BytesOrigin(b"TODO x"))
            raise InputError("repository vanished", path=str(tmp_path))

    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 5)
    monkeypatch.setattr(engine, "CHUNK_FILES", 5)
    with pytest.raises(InputError, match="repository vanished"):
        engine.run(Failing(), [TodoAnalyzer()], jobs=2)
    assert engine._WORKER_ANALYZERS == ()


def test_work_streams_to_workers_while_the_walk_goes_on(tmp_path, monkeypatch):
    """Workers start as soon as there is enough work, before the target is exhausted."""
    from collections.abc import Iterator

    from garrison.core.report import Target
    from garrison.scan.source import BytesOrigin
    from garrison.scan.target import ScanTarget

    started: list[bool] = []

    class Slow(ScanTarget):
        root = tmp_path

        def describe(self) -> Target:
            return Target(path=str(tmp_path))

        def files(self) -> Iterator[SourceFile]:
            for i in range(40):
                if i == 30:
                    started.append(bool(engine._WORKER_ANALYZERS))  # the pool has been set up
                yield SourceFile(path=f"f{i}.txt", size=6, origin=BytesOrigin(b"TODO x"))

    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 10)
    monkeypatch.setattr(engine, "CHUNK_FILES", 5)
    res = engine.run(Slow(), [TodoAnalyzer()], jobs=2)
    assert started == [True]
    assert len(res.findings) == 40
