"""Compiling rule regexes safely.

Every pattern is compiled with RE2 (google-re2): linear time, so no rule — built-in or from a user's gitleaks
config — can hang a scan. Go's ``regexp`` (gitleaks) *is* RE2 syntax, so gitleaks rules compile unchanged.
Only a pattern RE2 cannot express (look-around, back-references) falls back to the ``regex`` module, which
runs every search with a time bound; such patterns are recorded (:attr:`Pattern.engine`) so the report can
say which rules run on the backtracking engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, Protocol

import re2

from garrison.core.errors import ConfigError

#: time bound for one search of a fallback (backtracking) pattern over one window
FALLBACK_TIMEOUT = 0.25
#: RE2 program memory per pattern (gitleaks' larger rules need more than the 8 MiB default)
RE2_MAX_MEM = 64 << 20

Engine = Literal["re2", "regex"]


class MatchLike(Protocol):
    def start(self, group: int | str = 0) -> int: ...
    def end(self, group: int | str = 0) -> int: ...
    def group(self, group: int | str = 0) -> Any: ...
    def span(self, group: int | str = 0) -> tuple[int, int]: ...


class PatternTimeout(Exception):
    """A fallback pattern exceeded its time bound on one window."""


class Pattern:
    """One compiled pattern over bytes (UTF-8), with the engine that runs it.

    Built-in rules are compiled on first use (``lazy``): a pre-commit scan of three staged lines should not
    pay for compiling 250 regexes it never runs. Their validity is proven by the catalogue tests."""

    __slots__ = ("_compiled", "_groups", "_names", "engine", "source")

    def __init__(self, source: str, engine: Engine, compiled: Any = None, groups: int = -1, names: Any = None):
        self.source = source
        self.engine: Engine = engine
        self._compiled = compiled
        self._groups = groups
        self._names: dict[str, int] | None = names

    def __repr__(self) -> str:
        return f"Pattern({self.source!r}, {self.engine})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and (self.source, self.engine) == (other.source, other.engine)

    def __hash__(self) -> int:
        return hash((self.source, self.engine))

    def _load(self) -> Any:
        if self._compiled is None:
            rx = re2.compile(self.source.encode("utf-8"), _re2_options())
            self._compiled = rx
            self._groups = rx.groups
            self._names = {(k.decode() if isinstance(k, bytes) else k): v for k, v in rx.groupindex.items()}
        return self._compiled

    @property
    def compiled(self) -> Any:
        return self._load()

    @property
    def groups(self) -> int:
        self._load()
        return self._groups

    @property
    def group_names(self) -> dict[str, int]:
        self._load()
        return self._names or {}

    def finditer(self, data: bytes, pos: int = 0, endpos: int | None = None) -> Iterator[MatchLike]:
        end = len(data) if endpos is None else endpos
        if self.engine == "re2":
            return self._load().finditer(data, pos, end)  # type: ignore[no-any-return]
        return self._bounded(data, pos, end)

    def _bounded(self, data: bytes, pos: int, end: int) -> Iterator[MatchLike]:
        try:
            yield from self._compiled.finditer(data, pos, end, timeout=FALLBACK_TIMEOUT)
        except TimeoutError:
            raise PatternTimeout(self.source) from None

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> MatchLike | None:
        end = len(data) if endpos is None else endpos
        if self.engine == "re2":
            return self._load().search(data, pos, end)  # type: ignore[no-any-return]
        try:
            return self._compiled.search(data, pos, end, timeout=FALLBACK_TIMEOUT)  # type: ignore[no-any-return]
        except TimeoutError:
            raise PatternTimeout(self.source) from None

    def matches(self, text: bytes) -> bool:
        return self.search(text) is not None


def lazy_pattern(source: str) -> Pattern:
    """A trusted RE2 pattern (the built-in catalogue), compiled on first use."""
    return Pattern(source, "re2")


def _re2_options() -> Any:
    opts = re2.Options()
    opts.max_mem = RE2_MAX_MEM
    opts.log_errors = False
    return opts


def compile_pattern(source: str, *, where: str = "", path: str | None = None, fallback: bool = True) -> Pattern:
    """Compile ``source`` (RE2/Go syntax) for matching bytes; a one-line :class:`ConfigError` if invalid."""
    raw = source.encode("utf-8")
    try:
        rx = re2.compile(raw, _re2_options())
        names = {(k.decode() if isinstance(k, bytes) else k): v for k, v in rx.groupindex.items()}
        return Pattern(source, "re2", rx, rx.groups, names)
    except re2.error as exc:
        re2_error = str(exc) or "invalid pattern"
    if fallback:
        try:
            import regex  # the backtracking engine, only for what RE2 cannot express

            rx2 = regex.compile(raw, regex.VERSION0)
            return Pattern(source, "regex", rx2, rx2.groups, dict(rx2.groupindex))
        except Exception:  # noqa: BLE001 - any failure here means the pattern is invalid in both engines
            pass
    raise ConfigError(f"invalid regular expression {_short(source)!r}: {re2_error}", path=path, field=where or None)


def _short(source: str, limit: int = 80) -> str:
    return source if len(source) <= limit else source[: limit - 1] + "…"
