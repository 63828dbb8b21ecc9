"""The one interface every analyzer implements (secrets, deps, iac, files, third-party plugins).

An analyzer is registered under the ``garrison.analyzers`` entry-point group. It is constructed from its
options table (``[analyzers.<id>]`` in garrison.toml, plus CLI flags), says which files it wants by path,
and turns those files into findings. Per-file analyzers (:class:`FileAnalyzer`) are spread across worker
processes by the engine; whole-project analyzers (IaC graphs, lockfile sets) see all their files at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from garrison.core.errors import FileSkipped, GarrisonError
from garrison.core.finding import Finding, Rule, SuppressedFinding
from garrison.core.options import Options
from garrison.core.report import AnalyzerError
from garrison.scan.source import BINARY_SNIFF, SourceFile, looks_binary

Emitted = Finding | SuppressedFinding


@dataclass(slots=True)
class ScanContext:
    """What an analyzer may know about the scan besides its files. One per analyzer run (per worker)."""

    root: Path | None = None
    show_secrets: bool = False
    offline: bool = True
    errors: list[AnalyzerError] = field(default_factory=list)
    skipped_binary: set[str] = field(default_factory=set)
    #: facts for the report (e.g. advisory database age), merged into ``Report.metadata[<analyzer id>]``
    metadata: dict[str, Any] = field(default_factory=dict)
    #: one-line warnings for the user (e.g. "advisory database is 12 days old")
    warnings: list[str] = field(default_factory=list)

    def record_input_error(self, path: str | None, message: str) -> None:
        self.errors.append(AnalyzerError(message=message, path=path, kind="input"))

    def record_internal_error(self, path: str | None, message: str) -> None:
        self.errors.append(AnalyzerError(message=message, path=path, kind="internal"))


class Analyzer(ABC):
    """Base class. Subclasses set the class attributes and implement :meth:`rules` and :meth:`analyze`."""

    id: ClassVar[str]
    version: ClassVar[str]
    title: ClassVar[str]
    #: per-file analyzers may be run in worker processes over chunks of files
    per_file: ClassVar[bool] = False
    #: extra inline-suppression markers honoured on a finding's line (``garrison:ignore`` always is)
    inline_markers: ClassVar[tuple[str, ...]] = ()
    #: whether it can analyze fragments (only the added lines of a commit or of the staged diff); analyzers
    #: that need whole files (parsers of lockfiles, IaC) leave this False and are not given fragments
    accepts_fragments: ClassVar[bool] = False

    def __init__(self, options: Options | None = None) -> None:
        opts = options if options is not None else Options({}, where=f"analyzers.{self.id}")
        self.configure(opts)
        opts.finish()

    def configure(self, options: Options) -> None:  # noqa: B027 - optional hook
        """Read options; unread keys are reported as unknown after this returns."""

    @abstractmethod
    def rules(self) -> Sequence[Rule]:
        """Every rule/check this analyzer can report (for ``garrison rules list`` and SARIF)."""

    @abstractmethod
    def wants(self, file: SourceFile) -> bool:
        """Whether this file is for this analyzer. Decide from ``file.path``/``mode``/``size``; never read it."""

    @abstractmethod
    def analyze(self, files: Sequence[SourceFile], ctx: ScanContext) -> Iterable[Emitted]:
        """Turn the wanted files into findings. Record per-file problems on ``ctx``; never raise for bad input."""


class FileAnalyzer(Analyzer):
    """An analyzer that looks at one file at a time. The engine may run it in several processes."""

    per_file: ClassVar[bool] = True
    #: binary files (NUL in the first 8 KiB) are skipped unless this is True
    reads_binary: ClassVar[bool] = False

    @abstractmethod
    def analyze_file(self, file: SourceFile, ctx: ScanContext) -> Iterable[Emitted]:
        """Findings of one file. Raise :class:`FileSkipped` for input that cannot be analyzed."""

    def analyze(self, files: Sequence[SourceFile], ctx: ScanContext) -> Iterator[Emitted]:
        for file in files:
            yield from isolate(self, file, ctx)


def isolate(analyzer: FileAnalyzer, file: SourceFile, ctx: ScanContext) -> list[Emitted]:
    """Run one analyzer on one file; a failure is recorded against the file and the scan goes on."""
    try:
        if not analyzer.reads_binary and file.size:
            file = file.loaded()
            if looks_binary(file.read_bytes()[:BINARY_SNIFF]):
                ctx.skipped_binary.add(file.path)
                return []
        return list(analyzer.analyze_file(file, ctx))
    except FileSkipped as exc:
        ctx.record_input_error(file.path, _strip_path(exc.message, file.path))
    except GarrisonError as exc:
        ctx.record_input_error(file.path, exc.message)
    except RecursionError:
        ctx.record_input_error(file.path, "input nested too deeply")
    except MemoryError:
        ctx.record_input_error(file.path, "input too large to analyze")
    except Exception as exc:  # noqa: BLE001 - per-file isolation is the point
        ctx.record_internal_error(file.path, f"{type(exc).__name__}: {exc}")
    return []


def _strip_path(message: str, path: str) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
