"""Typed reading of option tables (garrison.toml sections, analyzer options) with exact error messages.

Every error names the file and the dotted key, e.g. ``garrison.toml: gate.fail_on: unknown severity 'hgh'``.
Unknown keys are errors: :meth:`Options.finish` reports the first one left unread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from garrison.core.errors import ConfigError, InputError
from garrison.core.severity import Severity

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}


def parse_size(value: object, *, source: str | None = None, field: str | None = None) -> int:
    """``1048576``, ``"512KB"``, ``"10MiB"``, ``"1.5GB"`` → bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m:
            unit = (m.group(2) or "").lower().rstrip("b")
            return int(float(m.group(1)) * _UNITS[unit])
    raise ConfigError(f"invalid size {value!r} (e.g. 1048576, '512KB', '10MiB')", path=source, field=field)


class Options:
    """A view over one table that consumes keys as they are read."""

    def __init__(self, data: Mapping[str, Any] | None, *, where: str = "", source: str | None = None) -> None:
        self._data = dict(data or {})
        self._seen: set[str] = set()
        self.where = where
        self.source = source

    def _field(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.source, field=self._field(key))

    def has(self, key: str) -> bool:
        return key in self._data

    def raw(self, key: str, default: Any = None) -> Any:
        self._seen.add(key)
        return self._data.get(key, default)

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self.raw(key, default)
        if value is not None and not isinstance(value, str):
            raise self.error(key, f"expected a string, got {_type(value)}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_type(value)}")
        return value

    def integer(self, key: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"expected an integer, got {_type(value)}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be ≥ {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise self.error(key, f"must be ≤ {maximum}, got {value}")
        return value

    def number(self, key: str, default: float) -> float:
        value = self.raw(key, default)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise self.error(key, f"expected a number, got {_type(value)}")
        return float(value)

    def strings(self, key: str, default: list[str] | None = None) -> list[str]:
        value = self.raw(key, [] if default is None else default)
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of strings, got {_type(value)}")
        return list(value)

    def size(self, key: str, default: int) -> int:
        value = self.raw(key, default)
        return parse_size(value, source=self.source, field=self._field(key))

    def severity(self, key: str, default: Severity | None) -> Severity | None:
        value = self.raw(key, None)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().lower() in ("none", "never", "off"):
            return None
        if not isinstance(value, str):
            raise self.error(key, f"expected a severity name, got {_type(value)}")
        try:
            return Severity.parse(value)
        except InputError as exc:
            raise self.error(key, str(exc)) from None

    def table(self, key: str) -> Options:
        value = self.raw(key, {})
        if not isinstance(value, Mapping):
            raise self.error(key, f"expected a table, got {_type(value)}")
        return Options(value, where=self._field(key), source=self.source)

    def keys(self) -> list[str]:
        return list(self._data)

    def finish(self) -> None:
        """Raise on the first key nobody read: misspelt keys must not be silently ignored."""
        for key in self._data:
            if key not in self._seen:
                raise ConfigError("unknown key", path=self.source, field=self._field(key))


def _type(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
