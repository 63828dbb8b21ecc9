"""Regular expressions from rule files: RE2 when the pattern is RE2-compatible (linear time), otherwise the
``regex`` module with a per-call timeout. A rule can never hang a hunt."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

#: seconds one backtracking match may take before it counts as "no match" (and is recorded)
BACKTRACK_TIMEOUT = 0.05
#: values longer than this are cut before a backtracking regex sees them (RE2 takes any length)
BACKTRACK_MAX_INPUT = 64 * 1024

Search = Callable[[str], bool]


class RegexTimeouts:
    """Counts regex evaluations that hit the time bound (reported in the run's warnings)."""

    count = 0


def _flags_prefix(flags: str) -> str:
    return f"(?{flags})" if flags else ""


def _fast(compiled: Any, *, anchored: bool) -> Search:
    """Call RE2's matcher on UTF-8 bytes directly: the Python wrapper's span bookkeeping (character offsets
    for match objects we never use) costs more than the match itself. Falls back to the public API."""
    low = getattr(compiled, "_regexp", None)
    import re2

    anchor_enum = getattr(re2, "_Anchor", None)
    if low is None or anchor_enum is None or not hasattr(low, "Match"):
        public = compiled.fullmatch if anchored else compiled.search
        return lambda text: public(text) is not None
    anchor = anchor_enum.ANCHOR_BOTH if anchored else anchor_enum.UNANCHORED
    match = low.Match

    def run(text: str) -> bool:
        data = text.encode("utf-8", "replace")
        return bool(match(anchor, data, 0, len(data))[0][0] >= 0)

    return run


@lru_cache(maxsize=4096)
def compile_search(pattern: str, flags: str = "") -> tuple[Search, str]:
    """Return ``(search, engine)``: ``search(text)`` is true when the pattern matches anywhere in ``text``.

    Raises ``ValueError`` when neither engine accepts the pattern.
    """
    full = _flags_prefix(flags) + pattern
    try:
        import re2

        opts = re2.Options()
        opts.log_errors = False
        compiled = re2.compile(full, options=opts)
        return _fast(compiled, anchored=False), "re2"
    except Exception:  # noqa: BLE001 - re2.error: the pattern uses look-around/back-references
        pass
    import regex

    try:
        rx = regex.compile(full, regex.VERSION0)
    except Exception as exc:  # noqa: BLE001 - regex.error and friends
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    rx_search = rx.search

    def search_bounded(text: str) -> bool:
        if len(text) > BACKTRACK_MAX_INPUT:
            text = text[:BACKTRACK_MAX_INPUT]
        try:
            return rx_search(text, timeout=BACKTRACK_TIMEOUT) is not None
        except TimeoutError:
            RegexTimeouts.count += 1
            return False

    return search_bounded, "regex"


@lru_cache(maxsize=8192)
def compile_fullmatch(pattern: str) -> Search:
    """An anchored match for wildcard patterns (only ``.*``, ``.`` and escaped literals: always RE2-compatible)."""
    try:
        import re2

        opts = re2.Options()
        opts.log_errors = False
        opts.dot_nl = True
        rx2 = re2.compile(pattern, options=opts)
        return _fast(rx2, anchored=True)
    except Exception:  # noqa: BLE001 - google-re2 missing or refusing: Python's re
        import re

        rx = re.compile(pattern, re.DOTALL)
        fm2 = rx.fullmatch

        def full_re(text: str) -> bool:
            return fm2(text) is not None

        return full_re
