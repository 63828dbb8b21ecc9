"""Load Sigma rules with pySigma: files, directories and ``.zip`` archives (a SigmaHQ release).

YAML goes through pySigma's own C-accelerated safe loader (duplicate keys rejected) with size limits; archives
are read in memory with member-count, member-size and total-size limits (no extraction, so no zip-slip).
Every file or rule pySigma refuses is kept as a :class:`RuleProblem` with its reason: nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from garrison.core.errors import InputError
from garrison.core.yamldepth import c_loader_safe

MAX_RULE_FILE = 1024 * 1024
MAX_ZIP_MEMBERS = 50_000
MAX_ZIP_TOTAL = 512 * 1024 * 1024
RULE_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One rule file's bytes and the name it is shown under (``archive.zip!path/in/zip.yml`` for members)."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class RuleProblem:
    path: str
    reason: str
    rule_id: str = ""
    title: str = ""


@dataclass
class RuleFiles:
    files: list[RuleFile] = field(default_factory=list)
    problems: list[RuleProblem] = field(default_factory=list)

    def digest(self) -> str:
        h = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f.name):
            h.update(f.name.encode("utf-8", "surrogatepass") + b"\x00")
            h.update(hashlib.sha256(f.data).digest())
        return h.hexdigest()


def collect(paths: Sequence[Path]) -> RuleFiles:
    """Read every rule file under ``paths``. A path that does not exist is a user error (exit 2)."""
    out = RuleFiles()
    for path in paths:
        if not path.exists():
            raise InputError("rules path not found", path=str(path))
        if path.is_dir():
            for p in sorted(_walk(path)):
                _read_file(p, out)
        elif path.suffix.lower() == ".zip":
            _read_zip(path, out)
        else:
            _read_file(path, out)
    return out


def _walk(root: Path) -> Iterator[Path]:
    for p in root.rglob("*"):
        if p.suffix.lower() in RULE_SUFFIXES and p.is_file() and not p.is_symlink():
            yield p


def _read_file(path: Path, out: RuleFiles) -> None:
    try:
        size = path.stat().st_size
        if size > MAX_RULE_FILE:
            out.problems.append(RuleProblem(str(path), f"file too large ({size} bytes, limit {MAX_RULE_FILE})"))
            return
        out.files.append(RuleFile(str(path), path.read_bytes()))
    except OSError as exc:
        out.problems.append(RuleProblem(str(path), f"cannot read: {exc.strerror or exc}"))


def _read_zip(path: Path, out: RuleFiles) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"not a readable zip archive: {exc}", path=str(path)) from None
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InputError(f"archive has {len(infos)} members (limit {MAX_ZIP_MEMBERS})", path=str(path))
        for info in sorted(infos, key=lambda i: i.filename):
            if info.is_dir() or not info.filename.lower().endswith(RULE_SUFFIXES):
                continue
            name = f"{path}!{info.filename}"
            if info.file_size > MAX_RULE_FILE:
                out.problems.append(RuleProblem(name, f"member too large ({info.file_size} bytes)"))
                continue
            total += info.file_size
            if total > MAX_ZIP_TOTAL:
                raise InputError(f"archive expands to more than {MAX_ZIP_TOTAL} bytes", path=str(path))
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_RULE_FILE + 1)  # never trust the declared size
            except (OSError, zipfile.BadZipFile, RuntimeError, EOFError) as exc:
                out.problems.append(RuleProblem(name, f"cannot read archive member: {exc}"))
                continue
            if len(data) > MAX_RULE_FILE:
                out.problems.append(RuleProblem(name, "member too large"))
                continue
            out.files.append(RuleFile(name, data))


@dataclass
class Parsed:
    """The pySigma collection of every loadable rule plus the problems of the rest."""

    collection: Any  # sigma.collection.SigmaCollection
    problems: list[RuleProblem]


def parse(files: Iterable[RuleFile]) -> Parsed:
    """Parse rule files into one pySigma ``SigmaCollection`` (filters applied, correlation references resolved)."""
    import yaml
    from sigma.collection import SigmaCollection
    from sigma.correlations import SigmaCorrelationRule
    from sigma.exceptions import SigmaError, SigmaRuleLocation
    from sigma.filters import SigmaFilter
    from sigma.rule import SigmaRule
    from sigma.rule.base import SigmaYAMLLoader

    problems: list[RuleProblem] = []
    rules: list[Any] = []
    filters: list[Any] = []
    for rf in files:
        try:
            text = rf.data.decode("utf-8-sig")
            # libyaml recurses in C per nesting level: a hostile file goes to the pure-Python twin, where too deep
            # a nesting is a RecursionError (reported below), never a crash
            loader = SigmaYAMLLoader if c_loader_safe(text) else _python_loader()
            docs = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
        except UnicodeDecodeError as exc:
            problems.append(RuleProblem(rf.name, f"not valid UTF-8 (byte {exc.start})"))
            continue
        except yaml.YAMLError as exc:
            problems.append(RuleProblem(rf.name, f"invalid YAML: {_one_line(exc)}"))
            continue
        except RecursionError:
            problems.append(RuleProblem(rf.name, "invalid YAML: nesting too deep"))
            continue
        if not docs:
            continue
        if not all(isinstance(d, dict) for d in docs):
            problems.append(RuleProblem(rf.name, "not a Sigma rule (expected a YAML mapping)"))
            continue
        try:
            coll = SigmaCollection.from_dicts(
                docs,
                collect_errors=True,
                source=SigmaRuleLocation(Path(rf.name)),
                collect_filters=True,
                resolve_references=False,
                policy=engine_policy(),
            )
        except (SigmaError, ValueError, TypeError, KeyError, AttributeError) as exc:
            problems.append(RuleProblem(rf.name, f"invalid rule: {_one_line(exc)}"))
            continue
        for err in coll.errors:
            problems.append(RuleProblem(rf.name, f"invalid rule: {_one_line(err)}"))
        for rule in coll.rules:
            if rule.errors:
                problems.append(
                    RuleProblem(rf.name, f"invalid rule: {_one_line(rule.errors[0])}", str(rule.id or ""), rule.title)
                )
                continue
            rules.append(rule)
        filters.extend(coll.filters)
    collection = SigmaCollection(rules, resolve_references=False)
    by_ref: dict[str, Any] = {}
    for r in collection.rules:
        if r.id is not None:
            by_ref[str(r.id)] = r
        if r.name:
            by_ref[r.name] = r
    # resolve correlations one at a time, so one dangling reference does not sink the whole collection
    good: list[Any] = []
    for r in collection.rules:
        if isinstance(r, SigmaCorrelationRule):
            try:
                r.resolve_rule_references(collection)
            except (SigmaError, KeyError, ValueError, AttributeError) as exc:
                loc = str(r.source.path) if r.source is not None else ""
                problems.append(RuleProblem(loc, f"correlation: {_one_line(exc)}", str(r.id or ""), r.title))
                continue
        good.append(r)
    collection.rules = SigmaCollection._referenced_first(good)
    if filters:
        applied: list[Any] = []
        for rule in collection.rules:
            if isinstance(rule, SigmaRule):
                for flt in filters:
                    try:
                        rule = flt.apply_on_rule(rule)
                    except (SigmaError, ValueError, KeyError) as exc:
                        loc = str(flt.source.path) if flt.source is not None else ""
                        problems.append(RuleProblem(loc, f"filter: {_one_line(exc)}", str(flt.id or ""), flt.title))
            applied.append(rule)
        collection.rules = applied
    _ = SigmaFilter
    return Parsed(collection, problems)


@cache
def _python_loader() -> Any:
    import yaml

    class PySigmaLoader(yaml.SafeLoader):
        """Pure-Python twin of pySigma's loader: safe types only, duplicate keys rejected."""

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            keys = set()
            for k, _v in node.value:
                key = self.construct_object(k, deep=deep)
                if key in keys:
                    raise yaml.YAMLError(f"Duplicate key '{key}'")
                keys.add(key)
            return super().construct_mapping(node, deep)

    return PySigmaLoader


def engine_policy() -> Any:
    """pySigma policy: Python's regex engine only for *validation* (the matcher picks RE2 or a bounded
    engine itself), and no external placeholder sources (no file, HTTP or command lookups from rule files)."""
    from sigma.policy import SigmaPolicy
    from sigma.policy.regex_engine import PythonRegexEngine

    return SigmaPolicy(regex_engine=PythonRegexEngine(), allow_external_sources=False, allow_template_vars=False)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] if text else type(exc).__name__
