"""The one interface every ecosystem's version comparator implements.

A :class:`VersionScheme` turns a version string into a *key* that orders like the ecosystem's package
manager orders versions (``key(a) < key(b)`` exactly when the ecosystem says ``a`` is older than ``b``).
Keys are cached per scheme; an unparseable version raises :class:`InvalidVersion`, which callers treat
as "this version cannot be decided by ranges" — never as a match.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from functools import lru_cache
from typing import Any, ClassVar


class InvalidVersion(ValueError):
    """The string is not a version of this ecosystem."""


class VersionScheme(ABC):
    #: OSV ecosystem name (``PyPI``, ``npm``, ``Go``, ``crates.io``, ``RubyGems``, ``Packagist``, ``Maven``, ``NuGet``)
    ecosystem: ClassVar[str]
    #: package-url type (``pypi``, ``npm``, ``golang``, ``cargo``, ``gem``, ``composer``, ``maven``, ``nuget``)
    purl_type: ClassVar[str]

    def __init__(self) -> None:
        self._key = lru_cache(maxsize=65536)(self.parse)

    @abstractmethod
    def parse(self, version: str) -> Any:
        """The sort key of ``version``; raise :class:`InvalidVersion` if it is not a version here."""

    def key(self, version: str) -> Any:
        """Cached :meth:`parse`."""
        return self._key(version)

    def valid(self, version: str) -> bool:
        try:
            self.key(version)
        except InvalidVersion:
            return False
        return True

    def compare(self, a: str, b: str) -> int:
        ka, kb = self.key(a), self.key(b)
        return -1 if ka < kb else (1 if ka > kb else 0)

    def normalize_name(self, name: str) -> str:
        """The name as the ecosystem's registry identifies it (used for matching advisories)."""
        return name.strip()

    def major(self, version: str) -> str | None:
        """The leading release component, for "upgrade within the same major" (None if there is none)."""
        m = _LEADING_NUMBER.match(version.lstrip("vV="))
        return str(int(m.group(1))) if m else None


_LEADING_NUMBER = re.compile(r"(\d+)")
