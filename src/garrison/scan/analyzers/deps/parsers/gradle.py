"""gradle.lockfile (Gradle dependency locking): ``group:artifact:version=configuration,…`` lines.
Versions are exact; the file records no graph. Packages used only by test configurations get scope "test".
"""

from __future__ import annotations

from garrison.scan.analyzers.deps.parsers.base import Manifest, Package, ParseError, Reader

ECOSYSTEM = "Maven"


def parse(text: str, path: str, read: Reader) -> Manifest:
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="gradle.lockfile")
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "empty=")):
            continue
        coords, _, configs = line.partition("=")
        parts = coords.split(":")
        if len(parts) != 3 or not all(parts):
            raise ParseError(f"line {lineno}: expected group:artifact:version=configurations", path=path)
        group, artifact, version = parts
        confs = [c for c in configs.split(",") if c]
        scope = "test" if confs and all(c.lower().startswith("test") for c in confs) else ""
        manifest.packages.append(
            Package(ECOSYSTEM, f"{group}:{artifact}", version, line=lineno, scope=scope, dependency_path=())
        )
    return manifest
