"""The event every source yields: flat fields, their pre-lowered string forms, and where it came from.

Matchers never walk nested JSON: each source flattens a record once into ``fields`` (Sigma field name ->
scalar or list of scalars), and :class:`Event` computes the lowered string form of the scalars (``low``)
because Sigma string matching is case-insensitive by default — once per event, and only for the fields the
rules of the event's route test (``prepare``). List values (JSON arrays) are kept in ``multi``;
a matcher on such a field is true when it holds for any element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Scalar = str | int | float | bool


def scalar_text(value: Scalar) -> str:
    """The string form Sigma compares against: JSON-style booleans, plain ints and floats."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class LogSource:
    """What kind of log an event is, in Sigma's logsource terms (a rule applies when its attributes match)."""

    product: str | None = None
    services: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    def key(self) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
        return (self.product, tuple(sorted(self.services)), tuple(sorted(self.categories)))

    def describe(self) -> str:
        parts = [f"product={self.product}"] if self.product else []
        if self.services:
            parts.append("service=" + "|".join(sorted(self.services)))
        if self.categories:
            parts.append("category=" + "|".join(sorted(self.categories)))
        return ",".join(parts) or "any"


UNKNOWN_SOURCE = LogSource()


class Event:
    """One log record, normalised for matching. Mutable only while a source builds it."""

    __slots__ = (
        "_blob",
        "_ts_raw",
        "family",
        "fields",
        "logsource",
        "low",
        "multi",
        "origin",
        "position",
        "timestamp",
        "variant",
    )
    low: dict[str, str]
    multi: dict[str, list[str]]
    _blob: str

    def __init__(
        self,
        fields: dict[str, Any],
        *,
        origin: str,
        position: str,
        family: str,
        logsource: LogSource = UNKNOWN_SOURCE,
        timestamp: float | None = None,
        variant: str = "",
        ts_raw: Any = None,
    ) -> None:
        self.fields = fields
        self.origin = origin
        self.position = position
        self.family = family
        self.logsource = logsource
        if timestamp is not None or ts_raw is None:
            self.timestamp = timestamp
        else:
            self._ts_raw = ts_raw  # parsed on first use (alerts and correlations need it; most events never do)
        self.variant = variant or family

    def prepare(self, plan: frozenset[str] | None = None) -> None:
        """Compute the lowered values (``low``/``multi``) and the prefilter text (``blob()``) in one pass, for the
        fields in ``plan`` only (the fields the rules of this event's route test), or for every field (None).

        The detector calls this once per event with its route's plan; anything that reads ``low``, ``multi`` or
        ``blob()`` first gets every field (see ``__getattr__``)."""
        low: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        parts: list[str] = []
        add = parts.append
        affixes = _AFFIXES
        rest: list[str] = []
        for k, v in self.fields.items():
            if plan is not None and k not in plan:
                if type(v) is str:
                    rest.append(v)
                elif isinstance(v, list):
                    rest.extend(scalar_text(x) for x in v if x is not None and not isinstance(x, dict | list))
                elif v is not None and not isinstance(v, dict):
                    rest.append(scalar_text(v))
                continue
            t = type(v)
            numeric_text = False
            if t is str:
                lv = v.lower()
                numeric_text = bool(lv) and lv[0] in _NUM_START
            elif v is None or t is dict:
                continue
            elif t is list:
                items = [scalar_text(x).lower() for x in v if x is not None and not isinstance(x, dict | list)]
                multi[k] = items
                ps = affixes.get(k) or _affixes(k)
                for x in items:
                    _blob_line(add, ps, x)
                continue
            else:
                lv = scalar_text(v).lower()
            low[k] = lv
            ps = affixes.get(k) or _affixes(k)
            if "\n" in lv or "\x01" in lv:
                add(ps[0] + lv.replace("\n", " ").replace("\x01", " ") + ps[1])
            else:
                add(ps[0])
                add(lv)
                add(ps[1])
            # numbers from JSON are written canonically already; only numeric-looking *strings* may not be
            if numeric_text and len(lv) < 40 and not _canonical_int(lv):
                c = _canonical_memo(lv)
                if c is not None:
                    add(ps[0] + c + ps[1])
        add("\n")
        if rest:
            # values of the fields no rule tests by name, in one block: keyword literals must still be found in
            # them. Separated by STX, with newlines and SOH blanked as in every value (literals are blanked the
            # same way), so the block can neither hide a keyword nor imitate a field-anchored line.
            block = "\x02".join(rest).lower()
            if "\n" in block or "\x01" in block:
                block = block.replace("\n", " ").replace("\x01", " ")
            add(block)
            add("\n")
        self.low = low
        self.multi = multi
        self._blob = "".join(parts)

    def __getattr__(self, name: str) -> Any:
        # only reached while a lazily computed slot is still unset: compute them for every field
        if name in ("low", "multi", "_blob"):
            self.prepare(None)
            return object.__getattribute__(self, name)
        if name == "timestamp":
            ts = parse_timestamp(object.__getattribute__(self, "_ts_raw"))
            self.timestamp = ts
            return ts
        raise AttributeError(name)

    def text(self, name: str) -> str | None:
        """The original-case string of a scalar field (for cased and regex matching)."""
        v = self.fields.get(name)
        if v is None or isinstance(v, list | dict):
            return None
        return scalar_text(v)

    def texts(self, name: str) -> list[str]:
        v = self.fields.get(name)
        if isinstance(v, list):
            return [scalar_text(x) for x in v if x is not None and not isinstance(x, dict | list)]
        return []

    def blob(self) -> str:
        """The text the literal prefilter scans: one line per value, ``field<SOH>value<SOH>field``, lowered, with
        newlines and SOH inside values blanked, plus a line with the canonical form of non-canonical numbers
        (``0x10``, ``010``, ``16.0`` -> ``16``) so numeric tests can be prefiltered too (see prefilter.py).
        Built together with ``low`` by ``prepare``."""
        return self._blob

    def all_low(self) -> Iterator[str]:
        """Every value, lowered (keyword detections; ``low`` may hold only the route's fields)."""
        for t in self.all_text():
            yield t.lower()

    def all_text(self) -> Iterator[str]:
        for v in self.fields.values():
            if v is None or isinstance(v, dict):
                continue
            if isinstance(v, list):
                yield from (scalar_text(x) for x in v if x is not None and not isinstance(x, dict | list))
            else:
                yield scalar_text(v)

    def ref(self) -> str:
        return f"{self.origin}:{self.position}"


_AFFIXES: dict[str, tuple[str, str]] = {}
_NUM_START = frozenset("0123456789-+.")
#: what float() or int(x, 16) could accept (lowered): the blob only asks canonical_number about these
_NUMERIC = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|0x[0-9a-f]+|inf|nan)\Z")


def _affixes(k: str) -> tuple[str, str]:
    """(``\\n<field>\\x01``, ``\\x01<field>``) for a field name, lowered and cleaned, memoised."""
    got = _AFFIXES.get(k)
    if got is None:
        lk = clean_text(k.lower())
        got = (f"\n{lk}\x01", f"\x01{lk}")
        if len(_AFFIXES) < 100_000:
            _AFFIXES[k] = got
    return got


def canonical_number(v: str) -> str | None:
    """The canonical text of a numeric string (integers without leading zeros or ``.0``; hex ``0x..`` as
    decimal; other floats as ``repr``), or None when ``v`` is not a number. Numeric Sigma values compare
    against this form."""
    try:
        f = float(v)
    except ValueError:
        if v.startswith(("0x", "-0x")):
            try:
                return str(int(v, 16))
            except ValueError:
                return None
        return None
    if f != f or f in (float("inf"), float("-inf")):
        return None
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


_CANONICAL: dict[str, str | None] = {}


def _canonical_memo(lv: str) -> str | None:
    """The canonical form of a numeric-looking lowered text when it differs from the text (memoised: the same
    hex ids and padded numbers recur in every event of a log)."""
    try:
        return _CANONICAL[lv]
    except KeyError:
        pass
    c = canonical_number(lv) if _NUMERIC.match(lv) else None
    got = c if c is not None and c != lv else None
    if len(_CANONICAL) < 100_000:
        _CANONICAL[lv] = got
    return got


def _canonical_int(v: str) -> bool:
    return v.isdigit() and (v[0] != "0" or len(v) == 1)


def _blob_line(add: Any, ps: tuple[str, str], v: str) -> None:
    add(ps[0] + _clean(v) + ps[1])
    if v and v[0] in _NUM_START and _NUMERIC.match(v):
        c = canonical_number(v)
        if c is not None and c != v:
            add(ps[0] + c + ps[1])


def _clean(v: str) -> str:
    return v.replace("\n", " ").replace("\x01", " ") if ("\n" in v or "\x01" in v) else v


def clean_text(v: str) -> str:
    """Blank the prefilter's separators (newline, SOH) in a lowered text."""
    return _clean(v)


def flatten(
    obj: Mapping[str, Any], *, prefix: str = "", out: dict[str, Any] | None = None, depth: int = 0
) -> dict[str, Any]:
    """Nested JSON objects to dotted keys (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``); arrays of scalars stay lists,
    arrays of objects are flattened with the same dotted keys collecting list values. Depth is bounded."""
    if out is None:
        out = {}
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            if depth < 16:
                flatten(v, prefix=key + ".", out=out, depth=depth + 1)
        elif isinstance(v, list):
            scalars = [x for x in v if not isinstance(x, dict | list)]
            if scalars or not v:
                out[key] = scalars
            for item in v:
                if isinstance(item, dict) and depth < 16:
                    sub = flatten(item, prefix=key + ".", depth=depth + 1)
                    for sk, sv in sub.items():
                        prev = out.get(sk)
                        vals = sv if isinstance(sv, list) else [sv]
                        out[sk] = (prev if isinstance(prev, list) else ([] if prev is None else [prev])) + vals
        else:
            out[key] = v
    return out


_TS_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
)


def parse_timestamp(value: Any) -> float | None:
    """ISO 8601 / RFC 3339 strings (with or without zone, Z, up to nanoseconds) or epoch numbers -> epoch seconds.
    Naive times are taken as UTC."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        v = float(value)
        if v > 1e14:  # epoch microseconds / nanoseconds
            while v > 1e11:
                v /= 1000.0
        elif v > 1e11:  # epoch milliseconds
            v /= 1000.0
        return v
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    s = value.strip()
    dt: datetime | None
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    except ValueError:
        dt = _parse_slow(s)
        if dt is None:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _parse_slow(s: str) -> datetime | None:
    # trim sub-microsecond digits (evtx and Zeek write nanoseconds) and retry
    t = s.replace("Z", "+00:00")
    if "." in t:
        head, _, frac = t.partition(".")
        digits = "".join(ch for ch in frac[:12] if ch.isdigit())
        rest = frac[len(digits) :]
        t = f"{head}.{digits[:6]}{rest}"
    for fmt in _TS_FORMATS:
        try:
            return datetime.strptime(t, fmt)
        except ValueError:
            continue
    return None


def format_timestamp(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
