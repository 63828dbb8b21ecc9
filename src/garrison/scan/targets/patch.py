"""A streaming parser of ``git log -p -U0`` / ``git diff -U0`` output: the added lines of each file of each
commit, with their line numbers in the new file. Pure (bytes in, values out) so it is fuzzed directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from garrison.core.finding import Commit

#: the line ``git log --format`` prints before each commit (NUL, SOH: never the start of a diff line)
COMMIT_MARKER = b"\x00\x01commit "
LOG_FORMAT = "%x00%x01commit %H%x00%an%x00%ae%x00%aI"
_HUNK = re.compile(rb"^@@@? -[0-9,]+ (?:-[0-9,]+ )?\+(\d+)(?:,(\d+))? @@@?")
_MODE = re.compile(rb"^(?:new file mode|new mode) ([0-7]{6})")
_INDEX_MODE = re.compile(rb"^index [0-9a-f]+\.\.[0-9a-f]+ ([0-7]{6})")
#: added lines longer than this are cut (a generated one-line blob is not worth megabytes per commit)
MAX_LINE = 64 * 1024


@dataclass(slots=True)
class FilePatch:
    path: str
    commit: Commit | None
    mode: int = 0o100644
    binary: bool = False
    lines: list[int] = field(default_factory=list)  # new-file line numbers, ascending
    content: list[bytes] = field(default_factory=list)  # the added lines, without "+" and newline

    def text(self) -> bytes:
        return b"\n".join(self.content) + (b"\n" if self.content else b"")


def unquote_path(raw: bytes) -> str:
    """Git's C-style quoting (``"a\\tb\\303\\251"``) → the path; unquoted paths pass through."""
    if not (raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2):
        return raw.decode("utf-8", "surrogateescape")
    body, out, i = raw[1:-1], bytearray(), 0
    simple = {b"n": 10, b"t": 9, b'"': 34, b"\\": 92, b"a": 7, b"b": 8, b"f": 12, b"r": 13, b"v": 11}
    while i < len(body):
        ch = body[i : i + 1]
        if ch == b"\\" and i + 1 < len(body):
            nxt = body[i + 1 : i + 2]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            octal = body[i + 1 : i + 4]
            if len(octal) == 3 and all(48 <= c <= 55 for c in octal):
                out.append(int(octal, 8) & 0xFF)
                i += 4
                continue
        out += ch
        i += 1
    return bytes(out).decode("utf-8", "surrogateescape")


def _commit(line: bytes) -> Commit:
    parts = line[len(COMMIT_MARKER) :].rstrip(b"\r\n").split(b"\x00")
    parts += [b""] * (4 - len(parts))
    sha, author, email, date = (p.decode("utf-8", "replace") for p in parts[:4])
    return Commit(sha=sha, author=author, email=email, date=date)


def parse_patches(lines: Iterable[bytes]) -> Iterator[FilePatch]:
    """Yield one :class:`FilePatch` per file per commit (binary ones flagged, deleted ones skipped)."""
    commit: Commit | None = None
    cur: FilePatch | None = None
    pending_mode: int | None = None
    new_line = 0
    in_hunk = False

    def flush() -> Iterator[FilePatch]:
        if cur is not None and (cur.lines or cur.binary):
            yield cur

    for raw in lines:
        if raw.startswith(COMMIT_MARKER):
            yield from flush()
            cur, pending_mode, in_hunk = None, None, False
            commit = _commit(raw)
            continue
        if raw.startswith((b"diff --git ", b"diff --cc ", b"diff --combined ")):
            yield from flush()
            cur, pending_mode, in_hunk = None, None, False
            continue
        if in_hunk and cur is not None:
            if raw.startswith(b"+"):
                content = raw[1:].rstrip(b"\n")
                if content.endswith(b"\r"):
                    content = content[:-1]
                cur.lines.append(new_line)
                cur.content.append(content[:MAX_LINE])
                new_line += 1
                continue
            if raw.startswith(b" "):
                new_line += 1
                continue
            if raw.startswith((b"-", b"\\")):
                continue
        m = _HUNK.match(raw)
        if m:
            new_line = int(m.group(1))
            in_hunk = cur is not None
            continue
        in_hunk = False
        if raw.startswith(b"+++ "):
            target = raw[4:].rstrip(b"\r\n")
            if target == b"/dev/null":
                cur = None
                continue
            name = unquote_path(target)
            if name.startswith("b/"):
                name = name[2:]
            cur = FilePatch(path=name, commit=commit, mode=pending_mode or 0o100644)
            continue
        mm = _MODE.match(raw) or _INDEX_MODE.match(raw)
        if mm:
            pending_mode = int(mm.group(1), 8)
            continue
        if raw.startswith(b"Binary files ") and raw.rstrip().endswith(b" differ"):
            target = raw.rstrip()[len(b"Binary files ") : -len(b" differ")]
            _, _, new = target.rpartition(b" and ")
            if new and new != b"/dev/null":
                name = unquote_path(new)
                yield FilePatch(path=name[2:] if name.startswith("b/") else name, commit=commit, binary=True)
            cur = None
    yield from flush()
