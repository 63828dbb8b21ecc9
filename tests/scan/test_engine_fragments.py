"""Engine behaviour for fragments (history/staged): who gets them, inline markers through the line map,
and deduplication across commits keeping the introducing commit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from garrison.core.finding import Commit, Finding, FindingKind, Location, Region, Rule, new_finding
from garrison.core.report import Target
from garrison.core.severity import Severity
from garrison.scan import engine
from garrison.scan.analyzer import FileAnalyzer, ScanContext
from garrison.scan.engine import keep_introducing_commit
from garrison.scan.source import BytesOrigin, SourceFile
from garrison.scan.target import ScanTarget

RULE = Rule(id="t.todo", title="TODO", severity=Severity.LOW)


class Todo(FileAnalyzer):
    id = "todo"
    version = "1"
    title = "TODO finder"

    def rules(self) -> Sequence[Rule]:
        return [RULE]

    def wants(self, file: SourceFile) -> bool:
        return True

    def analyze_file(self, file: SourceFile, ctx: ScanContext) -> Iterator[Finding]:
        for i, line in enumerate(file.read_bytes().decode().splitlines(), 1):
            if "TODO" in line:
                real = file.line_map[i - 1] if file.line_map else i
                yield new_finding(
                    analyzer=self.id,
                    kind=FindingKind.CODE,
                    rule=RULE,
                    location=Location(path=file.path, region=Region(real), commit=file.commit),
                    message="todo",
                    anchor=line.strip(),
                )


class FragmentTodo(Todo):
    id = "ftodo"
    accepts_fragments = True


class Frags(ScanTarget):
    root = None

    def __init__(self, files: Iterable[SourceFile]) -> None:
        self._files = list(files)

    def describe(self) -> Target:
        return Target(path="repo", kind="git-history")

    def files(self) -> Iterator[SourceFile]:
        yield from self._files


def frag(path: str, sha: str, lines: dict[int, str]) -> SourceFile:
    data = "".join(v + "\n" for v in lines.values()).encode()
    return SourceFile(path, len(data), BytesOrigin(data), commit=Commit(sha), line_map=tuple(lines))


def test_fragments_go_only_to_analyzers_that_accept_them():
    target = Frags([frag("a.py", "c1", {5: "x = 1  # TODO later"})])
    res = engine.run(target, [Todo(), FragmentTodo()], jobs=1)
    assert [(f.analyzer, f.location.line) for f in res.findings] == [("ftodo", 5)]
    assert {r.id: r.files for r in res.runs} == {"todo": 0, "ftodo": 1}


def test_inline_marker_is_read_through_the_line_map():
    target = Frags([frag("a.py", "c1", {3: "a  # TODO one", 9: "b  # TODO two  garrison:allow"})])
    res = engine.run(target, [FragmentTodo()], jobs=1)
    assert [f.location.line for f in res.findings] == [3]
    assert [s.finding.location.line for s in res.suppressed] == [9]


def test_same_path_in_two_commits_is_two_files_and_the_first_commit_wins():
    target = Frags(
        [
            frag("a.py", "c1", {1: "# TODO keep"}),
            frag("a.py", "c2", {4: "# TODO keep", 5: "# TODO new"}),
        ]
    )
    res = engine.run(target, [FragmentTodo()], jobs=1)
    got = sorted((f.location.commit.sha, f.location.line, f.message) for f in res.findings)
    assert got == [("c1", 1, "todo"), ("c2", 5, "todo")]


def test_keep_introducing_commit_is_pure_and_keeps_repeats_within_a_commit():
    def f(sha: str, line: int) -> Finding:
        return new_finding(
            analyzer="x",
            kind=FindingKind.SECRET,
            rule=RULE,
            location=Location(path="p", region=Region(line), commit=Commit(sha)),
            message="m",
            anchor="same",
        )

    items = [f("c2", 1), f("c1", 7), f("c1", 9), f("c3", 2)]
    kept = keep_introducing_commit(items, {"c1": 0, "c2": 1, "c3": 2}, lambda x: x)
    assert [(x.location.commit.sha, x.location.line) for x in kept] == [("c1", 7), ("c1", 9)]
