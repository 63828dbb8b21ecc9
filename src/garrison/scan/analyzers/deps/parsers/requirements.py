"""pip requirements files: pins (``==``/``===``), hashes, ``-r``/``-c`` includes, markers, extras,
line continuations and pip-compile's ``# via`` annotations (which give direct/transitive and the path).

Only an exact pin names a version. Anything else (``>=``, ``~=``, ``==1.*``, no specifier, URLs, editable
installs) is reported as *unpinned* and never matched against advisory ranges; a ``-c`` constraint that
pins the package supplies the version.
"""

from __future__ import annotations

import posixpath
import re

from packaging.requirements import InvalidRequirement, Requirement

from garrison.scan.analyzers.deps.parsers.base import Manifest, Package, ParseError, Reader, shortest_paths

ECOSYSTEM = "PyPI"
MAX_INCLUDE_DEPTH = 10
_OPTION = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")
_IGNORED_OPTIONS = re.compile(
    r"^(-i|--index-url|--extra-index-url|-f|--find-links|--no-index|--pre|--trusted-host|--prefer-binary|"
    r"--only-binary|--no-binary|--require-hashes|--use-feature|-Z|--always-unzip|--config-settings)\b"
)
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+)(\S+)")
_VIA = re.compile(r"^\s*#\s+via\s*(.*)$")
_VIA_ITEM = re.compile(r"^\s*#\s+([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\(.*\))?\s*$")
_NAME_SEP = re.compile(r"[-_.]+")


def _norm(name: str) -> str:
    return _NAME_SEP.sub("-", name).lower()


def _logical_lines(text: str) -> list[tuple[int, str, list[str]]]:
    """(first line number, joined text without comment, following comment-only lines) per requirement."""
    out: list[tuple[int, str, list[str]]] = []
    buf = ""
    start = 0
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not buf:
            start = i
        stripped = line.lstrip()
        if stripped.startswith("#") and not buf:
            if out:
                out[-1][2].append(stripped)
            continue
        # an inline comment starts at " #" (pip's rule); "#" inside a URL fragment is kept
        cut = re.search(r"(^|\s)#", line)
        if cut:
            line = line[: cut.start()].rstrip()
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            out.append((start, buf.strip(), []))
        buf = ""
    if buf.strip():
        out.append((start, buf.strip(), []))
    return out


def _via(comments: list[str]) -> list[str] | None:
    """pip-compile: ``# via flask`` or ``# via`` followed by ``#   flask`` lines; None if not annotated."""
    parents: list[str] = []
    found = False
    for c in comments:
        m = _VIA.match(c)
        if m:
            found = True
            rest = m.group(1).strip()
            if rest:
                parents.extend(p.strip() for p in rest.split(","))
            continue
        if found:
            m2 = _VIA_ITEM.match(c)
            if m2:
                parents.append(m2.group(1))
    return parents if found else None


def _requirement(text: str) -> Requirement:
    """The requirement; one whose only fault is its marker is kept without it (never hidden by a typo)."""
    try:
        return Requirement(text)
    except InvalidRequirement:
        head, sep, _ = text.partition(";")
        if not sep or "://" in text:
            raise
        try:
            req = Requirement(head.strip())
        except InvalidRequirement:
            pass
        else:
            req.marker = None
            return req
        raise


def _pin(req: Requirement) -> str:
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return ""


def _read_lines(
    path: str,
    text: str,
    read: Reader,
    seen: set[str],
    depth: int,
    constraints: dict[str, str],
    entries: list[tuple[str, int, Requirement | None, str, list[str]]],
    notes: list[str],
    constraint_file: bool,
) -> None:
    for lineno, line, comments in _logical_lines(text):
        m = _OPTION.match(line)
        if m:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), m.group(2)))
            is_constraint = m.group(1) in ("-c", "--constraint")
            if target.startswith("../") or target == ".." or posixpath.isabs(m.group(2)):
                notes.append(f"{path}:{lineno}: include {m.group(2)!r} is outside the scanned tree; not followed")
                continue
            if target in seen:
                continue
            if depth >= MAX_INCLUDE_DEPTH:
                notes.append(f"{path}:{lineno}: includes nested deeper than {MAX_INCLUDE_DEPTH}; not followed")
                continue
            included = read(target)
            if included is None:
                notes.append(f"{path}:{lineno}: included file {m.group(2)!r} not found")
                continue
            seen.add(target)
            _read_lines(
                target, included, read, seen, depth + 1, constraints, entries, notes, constraint_file or is_constraint
            )
            continue
        if line.startswith("-"):
            e = _EDITABLE.match(line)
            if e and not constraint_file:
                entries.append((path, lineno, None, e.group(2), comments))
            elif not _IGNORED_OPTIONS.match(line) and not line.startswith("--hash"):
                notes.append(f"{path}:{lineno}: unsupported option {line.split()[0]!r} ignored")
            continue
        spec_text = re.sub(r"\s--hash[=\s]\S+", "", " " + line).strip()
        try:
            req = _requirement(spec_text)
        except InvalidRequirement as exc:
            if "://" in spec_text or spec_text.startswith((".", "/")):
                if not constraint_file:
                    entries.append((path, lineno, None, spec_text, comments))
                continue
            raise ParseError(f"line {lineno}: invalid requirement: {str(exc).splitlines()[0]}", path=path) from None
        if constraint_file:
            pin = _pin(req)
            if pin:
                constraints[_norm(req.name)] = pin
            continue
        entries.append((path, lineno, req, spec_text, comments))


def parse(text: str, path: str, read: Reader) -> Manifest:
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="requirements.txt")
    constraints: dict[str, str] = {}
    entries: list[tuple[str, int, Requirement | None, str, list[str]]] = []
    _read_lines(path, text, read, {path}, 0, constraints, entries, manifest.notes, False)
    parents: dict[str, list[str]] = {}
    annotated = False
    for _, _, req, _, comments in entries:
        if req is None:
            continue
        via = _via(comments)
        if via is not None:
            annotated = True
            parents[_norm(req.name)] = [_norm(v) for v in via if not v.startswith(("-r ", "-c "))]
    roots: set[str] = set()
    edges: dict[str, list[str]] = {}
    if annotated:
        for child, ps in parents.items():
            real = [p for p in ps if p in parents]
            if not real:
                roots.add(child)
            for p in real:
                edges.setdefault(p, []).append(child)
    paths = shortest_paths(roots, edges) if annotated else {}
    for file, lineno, req, spec, _ in entries:
        manifest_path = "" if file == path else file
        if req is None:
            manifest.packages.append(
                Package(ECOSYSTEM, spec, "", line=lineno, direct=True, spec=spec, manifest=manifest_path)
            )
            continue
        name = _norm(req.name)
        pin = _pin(req) if req.url is None else ""
        if not pin and name in constraints and req.url is None and not _conflicts(req, constraints[name]):
            pin = constraints[name]
        if annotated:
            direct = name in roots
            dep_path = paths.get(name, (name,))
        else:
            direct, dep_path = True, (name,)
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                req.name,
                pin,
                line=lineno,
                direct=direct,
                dependency_path=dep_path,
                spec=spec,
                manifest=manifest_path,
                marker=str(req.marker) if req.marker is not None else "",
            )
        )
    return manifest


def _conflicts(req: Requirement, pin: str) -> bool:
    try:
        return not req.specifier.contains(pin, prereleases=True)
    except Exception:  # noqa: BLE001 - an unparseable pin simply does not apply
        return True
