"""Analyzers are discovered through the ``garrison.analyzers`` entry-point group (third parties add theirs
the same way). Nothing is imported until a scan or ``rules list`` asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from garrison.core.config import AnalyzersConfig
from garrison.core.errors import AnalyzerFailure, ConfigError, UsageError
from garrison.core.options import Options
from garrison.scan.analyzer import Analyzer

GROUP = "garrison.analyzers"


@cache
def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def available() -> list[str]:
    """Ids of every installed analyzer, sorted."""
    return sorted(_entry_points())


def analyzer_class(analyzer_id: str) -> type[Analyzer]:
    eps = _entry_points()
    if analyzer_id not in eps:
        raise UsageError(f"unknown analyzer {analyzer_id!r} (installed: {', '.join(sorted(eps)) or 'none'})")
    try:
        cls = eps[analyzer_id].load()
    except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the CLI down
        raise AnalyzerFailure(f"analyzer {analyzer_id!r} failed to load: {type(exc).__name__}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Analyzer)):
        raise AnalyzerFailure(f"analyzer {analyzer_id!r} entry point is not a garrison Analyzer class")
    return cls


def selected_ids(config: AnalyzersConfig, only: Sequence[str] = (), skip: Sequence[str] = ()) -> list[str]:
    """Which analyzers run: CLI ``--analyzer`` wins over config ``enabled``; ``disabled``/``--skip`` remove."""
    installed = set(available())
    for name in [*only, *skip, *(config.enabled or ()), *config.disabled]:
        if name not in installed:
            raise UsageError(f"unknown analyzer {name!r} (installed: {', '.join(sorted(installed))})")
    chosen = list(only) if only else list(config.enabled if config.enabled is not None else sorted(installed))
    drop = set(config.disabled) | set(skip)
    return [a for a in dict.fromkeys(chosen) if a not in drop]


def build(
    ids: Sequence[str],
    options: Mapping[str, Mapping[str, Any]],
    *,
    source: str | None = None,
) -> list[Analyzer]:
    """Construct analyzers with their options tables; unknown option keys are config errors."""
    installed = set(available())
    for key in options:
        if key not in installed:
            raise ConfigError(
                f"no such analyzer (installed: {', '.join(sorted(installed))})", path=source, field=f"analyzers.{key}"
            )
    result = []
    for analyzer_id in ids:
        cls = analyzer_class(analyzer_id)
        result.append(cls(Options(options.get(analyzer_id, {}), where=f"analyzers.{analyzer_id}", source=source)))
    return result
