"""Ordered severities and confidences."""

from __future__ import annotations

from enum import IntEnum

from garrison.core.errors import InputError


class Severity(IntEnum):
    """info < low < medium < high < critical."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    def __str__(self) -> str:
        return self.label

    @classmethod
    def parse(cls, value: str | int | Severity, *, where: str | None = None) -> Severity:
        """Parse a severity name (case-insensitive; a few common synonyms accepted)."""
        if isinstance(value, Severity):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return cls(value)
            except ValueError:
                pass
        elif isinstance(value, str):
            key = value.strip().lower()
            found = _SYNONYMS.get(key)
            if found is not None:
                return found
        names = ", ".join(s.label for s in cls)
        raise InputError(f"unknown severity {value!r} (expected one of: {names})", field=where)

    @classmethod
    def from_cvss(cls, score: float) -> Severity:
        """Map a CVSS base score to a severity (CVSS v3/v4 qualitative rating)."""
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        if score > 0.0:
            return cls.LOW
        return cls.INFO


_SYNONYMS: dict[str, Severity] = {
    "info": Severity.INFO,
    "informational": Severity.INFO,
    "information": Severity.INFO,
    "note": Severity.INFO,
    "none": Severity.INFO,
    "unknown": Severity.INFO,
    "low": Severity.LOW,
    "minor": Severity.LOW,
    "medium": Severity.MEDIUM,
    "moderate": Severity.MEDIUM,
    "warning": Severity.MEDIUM,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "error": Severity.HIGH,
    "critical": Severity.CRITICAL,
    "blocker": Severity.CRITICAL,
}


class Confidence(IntEnum):
    """How sure the analyzer is that the finding is real."""

    LOW = 0
    MEDIUM = 1
    HIGH = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    def __str__(self) -> str:
        return self.label

    @classmethod
    def parse(cls, value: str | Confidence, *, where: str | None = None) -> Confidence:
        if isinstance(value, Confidence):
            return value
        try:
            return cls[value.strip().upper()]
        except (KeyError, AttributeError):
            raise InputError(f"unknown confidence {value!r} (expected low, medium or high)", field=where) from None
