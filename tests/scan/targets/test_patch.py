"""The git patch parser on real `git log -p -U0` output and fuzzed mutations of it."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.scan.targets.patch import LOG_FORMAT, parse_patches, unquote_path

REAL = (
    b"\x00\x01commit 1111111111111111111111111111111111111111\x00Dana\x00dana@acme.io\x002024-01-02T10:00:00+02:00\n"
    b"\n"
    b"diff --git a/app.py b/app.py\n"
    b"new file mode 100755\n"
    b"index 0000000..e69de29\n"
    b"--- /dev/null\n"
    b"+++ b/app.py\n"
    b"@@ -0,0 +1,2 @@\n"
    b"+import os\n"
    b"+TOKEN = 'x'\n"
    b"diff --git a/b.txt b/b.txt\n"
    b"index 1234567..89abcde 100644\n"
    b"--- a/b.txt\n"
    b"+++ b/b.txt\n"
    b"@@ -3 +3 @@ ctx\n"
    b"-old\n"
    b"+new\n"
    b"@@ -10,0 +11,2 @@\n"
    b"+eleven\n"
    b"+twelve\n"
    b"\\ No newline at end of file\n"
    b"diff --git a/img.png b/img.png\n"
    b"Binary files /dev/null and b/img.png differ\n"
    b"diff --git a/gone.txt b/gone.txt\n"
    b"deleted file mode 100644\n"
    b"--- a/gone.txt\n"
    b"+++ /dev/null\n"
    b"@@ -1 +0,0 @@\n"
    b"-bye\n"
    b'diff --git "a/sp ace\\303\\251.txt" "b/sp ace\\303\\251.txt"\n'
    b'--- "a/sp ace\\303\\251.txt"\n'
    b'+++ "b/sp ace\\303\\251.txt"\n'
    b"@@ -0,0 +1 @@\n"
    b"+x\n"
)


def test_parses_added_lines_with_their_numbers():
    patches = list(parse_patches(io.BytesIO(REAL)))
    got = [(p.path, p.mode, p.binary, p.lines, p.content) for p in patches]
    assert got == [
        ("app.py", 0o100755, False, [1, 2], [b"import os", b"TOKEN = 'x'"]),
        ("b.txt", 0o100644, False, [3, 11, 12], [b"new", b"eleven", b"twelve"]),
        ("img.png", 0o100644, True, [], []),
        ("sp aceé.txt", 0o100644, False, [1], [b"x"]),
    ]
    assert patches[0].commit is not None and patches[0].commit.email == "dana@acme.io"


def test_unquote_path():
    assert unquote_path(b'"a\\tb\\"c\\\\d"') == 'a\tb"c\\d'
    assert unquote_path(b"plain/path.txt") == "plain/path.txt"


def test_real_git_output(tmp_path: Path):
    def git(*args: str) -> bytes:
        env = {
            "GIT_AUTHOR_NAME": "A",
            "GIT_AUTHOR_EMAIL": "a@x",
            "GIT_COMMITTER_NAME": "A",
            "GIT_COMMITTER_EMAIL": "a@x",
        }
        import os

        return subprocess.run(
            ["git", *args], cwd=tmp_path, env={**os.environ, **env}, capture_output=True, check=True
        ).stdout

    git("init", "-q")
    (tmp_path / "f.txt").write_text("a\nb\nc\n")
    git("add", "-A")
    git("commit", "-q", "-m", "1")
    (tmp_path / "f.txt").write_text("a\nB\nc\nd\n")
    git("commit", "-q", "-am", "2")
    out = git("log", "-p", "-U0", "--reverse", f"--format={LOG_FORMAT}")
    patches = list(parse_patches(io.BytesIO(out)))
    assert [(p.lines, p.content) for p in patches] == [([1, 2, 3], [b"a", b"b", b"c"]), ([2, 4], [b"B", b"d"])]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(st.integers(0, len(REAL)), max_size=6),
    junk=st.lists(st.binary(max_size=40), max_size=6),
)
def test_fuzz_mutated_patches_never_raise(cuts: list[int], junk: list[bytes]):
    data = bytearray(REAL)
    for pos, piece in zip(sorted(cuts, reverse=True), junk):
        data[pos:pos] = piece
    for p in parse_patches(io.BytesIO(bytes(data))):
        assert len(p.lines) == len(p.content)
        assert p.lines == sorted(p.lines)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=40))
def test_fuzz_random_lines(lines: list[bytes]):
    list(parse_patches(lines))
