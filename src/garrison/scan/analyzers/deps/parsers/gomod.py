"""go.mod (+ go.sum): ``require`` lines (``// indirect`` marks transitive), ``replace`` directives
(the replacement's version is what builds; local-path replacements are skipped), and the ``toolchain``
directive, which pins the Go standard library (module ``stdlib`` in the Go vulnerability database).

Before Go 1.17, go.mod lists only direct dependencies; then the ``go.sum`` beside it supplies the other
modules of the build (highest version per module, ``/go.mod``-only lines ignored), marked transitive.
"""

from __future__ import annotations

import re

from garrison.scan.analyzers.deps.parsers.base import Manifest, Package, ParseError, Reader, sibling

ECOSYSTEM = "Go"
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\S+')


def _tokens(line: str) -> tuple[list[str], str]:
    code, _, comment = line.partition("//")
    return [t.strip('"`') for t in _TOKEN.findall(code)], comment.strip()


def _go_version(value: str) -> tuple[int, int]:
    m = re.match(r"^(\d+)\.(\d+)", value)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def parse(text: str, path: str, read: Reader) -> Manifest:
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="go.mod")
    requires: dict[str, tuple[str, int, bool]] = {}
    replaces: dict[tuple[str, str], tuple[str, str]] = {}
    go_version = ""
    toolchain: tuple[str, int] | None = None
    block = ""
    saw_module = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        tokens, comment = _tokens(raw)
        if not tokens:
            continue
        if block:
            if tokens == [")"]:
                block = ""
                continue
            verb, args = block, tokens
        elif tokens[-1] == "(" and len(tokens) == 2:
            block = tokens[0]
            continue
        else:
            verb, args = tokens[0], tokens[1:]
        if verb == "module":
            saw_module = True
        elif verb == "go" and args:
            go_version = args[0]
        elif verb == "toolchain" and args:
            toolchain = (args[0], lineno)
        elif verb == "require":
            if len(args) < 2:
                raise ParseError(f"line {lineno}: expected 'require MODULE VERSION'", path=path)
            requires[args[0]] = (args[1], lineno, "indirect" in comment.split(";")[0].split())
        elif verb == "replace":
            if "=>" not in args:
                raise ParseError(f"line {lineno}: expected 'replace OLD [VERSION] => NEW [VERSION]'", path=path)
            arrow = args.index("=>")
            old, new = args[:arrow], args[arrow + 1 :]
            if not old or not new:
                raise ParseError(f"line {lineno}: incomplete replace directive", path=path)
            replaces[(old[0], old[1] if len(old) > 1 else "")] = (new[0], new[1] if len(new) > 1 else "")
        elif verb in ("exclude", "retract", "ignore", "godebug", "tool"):
            continue
        else:
            raise ParseError(f"line {lineno}: unknown directive {verb!r}", path=path)
    if not saw_module:
        raise ParseError("no module directive", path=path)
    for module, (version, lineno, indirect) in sorted(requires.items()):
        target = replaces.get((module, version)) or replaces.get((module, ""))
        name = module
        if target is not None:
            if not target[1]:  # a local directory
                manifest.notes.append(f"{module}: replaced by local path {target[0]!r}; not matched")
                continue
            name, version = target
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                line=lineno,
                direct=not indirect,
                dependency_path=(name,) if not indirect else (),
            )
        )
    if toolchain is not None and toolchain[0].startswith("go"):
        manifest.packages.append(
            Package(ECOSYSTEM, "stdlib", toolchain[0][2:], line=toolchain[1], direct=True, dependency_path=("stdlib",))
        )
    if go_version and _go_version(go_version) < (1, 17):
        _add_go_sum(path, read, manifest, {p.name for p in manifest.packages} | set(requires))
    return manifest


def _add_go_sum(path: str, read: Reader, manifest: Manifest, known: set[str]) -> None:
    text = read(sibling(path, "go.sum"))
    if text is None:
        return
    from garrison.advisories.versions import InvalidVersion, scheme_for

    scheme = scheme_for(ECOSYSTEM)
    best: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[1].endswith("/go.mod") or parts[0] in known:
            continue
        module, version = parts[0], parts[1]
        try:
            if module not in best or scheme.key(version) > scheme.key(best[module]):
                best[module] = version
        except InvalidVersion:
            continue
    for module, version in sorted(best.items()):
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                module,
                version,
                direct=False,
                manifest=sibling(path, "go.sum"),
                locator=f"{module} {version} ",
            )
        )
