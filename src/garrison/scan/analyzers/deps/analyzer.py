"""The ``deps`` analyzer (whole-project): parse every lockfile/manifest, match the exact versions against
the local advisory database (read-only, offline), report vulnerabilities and unpinned requirements, and
record the package inventory (for SBOM output) and the database's age in the report metadata.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from garrison.core.errors import FileSkipped, GarrisonError
from garrison.core.finding import Finding, Rule
from garrison.core.options import Options
from garrison.core.severity import Severity
from garrison.scan.analyzer import Analyzer, ScanContext
from garrison.scan.analyzers.deps import parsers
from garrison.scan.analyzers.deps.findings import (
    ANALYZER_ID,
    UNPINNED,
    VULNERABILITY_RULE_DOC,
    unpinned_finding,
    vulnerability_finding,
)
from garrison.scan.analyzers.deps.parsers.base import Manifest, Package, find_line
from garrison.scan.analyzers.deps.purl import purl_for
from garrison.scan.source import SourceFile

DEFAULT_MAX_AGE_DAYS = 7
MAX_COMPANION_BYTES = 4 * 1024 * 1024
#: the PEP 508 marker variables ``environment`` may set (``extra`` is not one: extras stay undecidable)
MARKER_VARIABLES = (
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_version",
    "python_full_version",
    "implementation_name",
    "implementation_version",
)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_OPERATORS = frozenset({"and", "or", "not", "in"})


class DepsAnalyzer(Analyzer):
    id = ANALYZER_ID
    version = "1.0.0"
    title = "Dependencies: vulnerable and unpinned packages from lockfiles and SBOMs (offline OSV database)"

    def configure(self, options: Options) -> None:
        db = options.string("db")
        if db and options.source and not Path(db).is_absolute():
            db = str(Path(options.source).parent / db)
        self.db_option = db
        self.max_age_days = options.integer("max_db_age_days", DEFAULT_MAX_AGE_DAYS, minimum=0)
        self.unknown_severity = options.severity("unknown_severity", Severity.MEDIUM) or Severity.MEDIUM
        self.report_unpinned = options.boolean("unpinned", True)
        self.include_dev = options.boolean("dev", True)
        self.environment = _environment(options.table("environment"))

    def rules(self) -> Sequence[Rule]:
        return (VULNERABILITY_RULE_DOC, UNPINNED)

    def wants(self, file: SourceFile) -> bool:
        return parsers.parser_name(file.path) is not None or file.name in parsers.COMPANIONS

    # -- the run -----------------------------------------------------------------------------------------
    def analyze(self, files: Sequence[SourceFile], ctx: ScanContext) -> Iterator[Finding]:
        by_path = {f.path: f for f in files}
        texts: dict[str, str] = {}

        def read(rel: str) -> str | None:
            rel = posixpath.normpath(rel)
            if rel in texts:
                return texts[rel]
            src = by_path.get(rel)
            data: bytes | None = None
            try:
                if src is not None:
                    data = src.read_bytes()
                elif ctx.root is not None and not rel.startswith("../") and "!" not in rel:
                    full = (ctx.root / rel).resolve()
                    inside = full.is_file() and full.is_relative_to(ctx.root.resolve())
                    if inside and full.stat().st_size <= MAX_COMPANION_BYTES:
                        data = full.read_bytes()
            except (OSError, GarrisonError):
                return None
            if data is None:
                return None
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                return None
            texts[rel] = text
            return text

        manifests: list[Manifest] = []
        for f in sorted(files, key=lambda x: x.path):
            name = parsers.parser_name(f.path)
            if name is None:
                continue
            m = self._parse(name, f, read, ctx)
            if m is not None:
                manifests.append(m)
        # a requirements file included (-r) by another one is reported through the includer, whose
        # constraints (-c) apply to it; parsed alone it would repeat the packages without them
        included = {p.manifest for m in manifests for p in m.packages if p.manifest}
        manifests = [m for m in manifests if not (m.format == "requirements.txt" and m.path in included)]
        packages: list[tuple[Manifest, Package]] = []
        seen: set[tuple[str, str, str, str]] = set()
        excluded: dict[str, bool] = {}  # marker -> decided False for the configured environment
        for m in manifests:
            notes = list(m.notes)
            skipped = 0
            for p in m.packages:
                if p.scope == "dev" and not self.include_dev:
                    continue
                if p.marker and self.environment:
                    if p.marker not in excluded:
                        excluded[p.marker] = _excluded(p.marker, self.environment)
                    if excluded[p.marker]:
                        skipped += 1
                        continue
                key = (p.manifest or m.path, p.ecosystem, p.name.lower(), p.version)
                if key in seen:
                    continue
                seen.add(key)
                packages.append((m, p))
            if skipped:
                target = ", ".join(f"{k}={v}" for k, v in self.environment.items())
                note = f"{m.path}: {skipped} package(s) skipped by environment markers ({target})"
                notes.append(note)
                ctx.warnings.append(note)  # printed with the summary: nothing goes unchecked unseen
            for note in notes:
                ctx.metadata.setdefault("notes", []).append(note if note.startswith(m.path) else f"{m.path}: {note}")
        ctx.metadata["manifests"] = [
            {"path": m.path, "format": m.format, "packages": len(m.packages)} for m in manifests
        ]
        ctx.metadata["components"] = _components(packages)
        if self.report_unpinned:
            for m, p in packages:
                if not p.version and m.format == "requirements.txt":
                    yield unpinned_finding(p, m.path)
        pinned = [(m, p) for m, p in packages if p.version]
        if not pinned:
            return
        db = self._open_db(ctx, {p.ecosystem for _, p in pinned})
        if db is None:
            return
        from garrison.scan.analyzers.deps.vulns import match_packages

        lines: dict[tuple[str, str], int | None] = {}
        with db:
            origin = {id(p): m for m, p in pinned}
            for match in match_packages(db, [p for _, p in pinned]):
                m = origin[id(match.package)]
                pkg = match.package
                line = pkg.line
                if line is None and pkg.locator:
                    where = (pkg.manifest or m.path, pkg.locator)
                    if where not in lines:
                        text = read(where[0])
                        lines[where] = find_line(text, pkg.locator) if text is not None else None
                    line = lines[where]
                yield vulnerability_finding(match, m.path, line, self.unknown_severity)

    def _parse(self, parser: str, f: SourceFile, read: Any, ctx: ScanContext) -> Manifest | None:
        try:
            text = read(f.path)
            if text is None:
                raw = f.read_bytes()
                text = f.read_text(raw)  # raises FileSkipped with the reason
            result: Manifest = parsers.load(parser).parse(text, f.path, read)
            return result
        except FileSkipped as exc:
            ctx.record_input_error(f.path, _strip(exc.message, f.path))
        except GarrisonError as exc:
            ctx.record_input_error(f.path, exc.message)
        except RecursionError:
            ctx.record_input_error(f.path, "input nested too deeply")
        except MemoryError:
            ctx.record_input_error(f.path, "input too large to analyze")
        except Exception as exc:  # noqa: BLE001 - one broken file never stops the others
            ctx.record_internal_error(f.path, f"{parser} parser: {type(exc).__name__}: {exc}")
        return None

    def _open_db(self, ctx: ScanContext, ecosystems: set[str]) -> Any:
        from garrison.advisories.location import resolve_db_path
        from garrison.advisories.store import AdvisoryDB, DatabaseError

        path = resolve_db_path(None, self.db_option)
        info: dict[str, Any] = {"path": str(path)}
        ctx.metadata["database"] = info
        if not path.is_file():
            info["available"] = False
            ctx.warnings.append(
                f"no advisory database at {path}: dependencies were NOT checked for vulnerabilities "
                "(run 'garrison db update', or 'garrison db import PATH' on an air-gapped machine)"
            )
            return None
        try:
            db = AdvisoryDB.open_readonly(path)
            status = db.status()
        except DatabaseError as exc:
            info["available"] = False
            ctx.warnings.append(f"advisory database unusable, dependencies were NOT checked: {exc.message}")
            ctx.record_input_error(None, exc.message)
            return None
        now = dt.datetime.now(dt.UTC)
        info.update(
            available=True,
            advisories=status.advisories,
            updated_at=status.updated_at,
            max_age_days=self.max_age_days,
            ecosystems={
                e.ecosystem: {
                    "advisories": e.advisories,
                    "snapshot": e.snapshot,
                    "age_days": round(e.age_days(now), 1),
                    "source": e.source,
                }
                for e in status.ecosystems
            },
        )
        known = {e.ecosystem: e for e in status.ecosystems}
        for eco in sorted(ecosystems):
            entry = known.get(eco)
            if entry is None:
                ctx.warnings.append(f"the advisory database has no {eco} advisories: {eco} packages were not checked")
            elif entry.age_days(now) > self.max_age_days:
                ctx.warnings.append(
                    f"{eco} advisories are {entry.age_days(now):.0f} days old (limit {self.max_age_days}); "
                    "run 'garrison db update' (or import a fresh mirror)"
                )
        return db


def _environment(table: Options) -> dict[str, str]:
    """``[analyzers.deps] environment``: PEP 508 marker variables of the deployment target, exactly as given.
    ``python_version`` is derived from ``python_full_version`` (exact); never the reverse (a guessed patch
    level could hide a package)."""
    env: dict[str, str] = {}
    for key in table.keys():  # noqa: SIM118 - Options is not a dict
        if key not in MARKER_VARIABLES:
            raise table.error(key, f"unknown marker variable (one of: {', '.join(MARKER_VARIABLES)})")
        value = table.string(key)
        if not value or not value.strip():
            raise table.error(key, "expected a non-empty string")
        env[key] = value.strip()
    full = env.get("python_full_version")
    if full and "python_version" not in env:
        parts = full.split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            env["python_version"] = f"{parts[0]}.{parts[1]}"
    return dict(sorted(env.items()))


def _excluded(marker: str, env: dict[str, str]) -> bool:
    """True only when the marker is decided False for ``env``: every variable it uses is set there (``extra``
    never is). Undecidable or invalid markers keep the package — it is never hidden on a guess."""
    from packaging.markers import Marker

    names = set(_NAME.findall(_QUOTED.sub(" ", marker))) - _OPERATORS
    if not names or not names <= env.keys():
        return False
    try:
        return not Marker(marker).evaluate(dict(env))
    except Exception:  # noqa: BLE001 - an undecidable comparison keeps the package
        return False


def _components(packages: list[tuple[Manifest, Package]]) -> list[dict[str, Any]]:
    out = []
    for m, p in packages:
        if not p.version:
            continue
        out.append(
            {
                "ecosystem": p.ecosystem,
                "name": p.name,
                "version": p.version,
                "purl": purl_for(p.ecosystem, p.name, p.version),
                "manifest": p.manifest or m.path,
                "direct": p.direct,
                "scope": p.scope,
            }
        )
    out.sort(key=lambda c: (str(c["ecosystem"]), str(c["name"]).lower(), str(c["version"]), str(c["manifest"])))
    return out


def _strip(message: str, path: str) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
