"""RubyGems: ``Gem::Version`` ordering through univers' faithful port (``1.0.0.pre`` < ``1.0.0`` == ``1.0``)."""

from __future__ import annotations

from typing import ClassVar

from univers.versions import InvalidVersion as _UniversInvalid
from univers.versions import RubygemsVersion

from garrison.advisories.versions.base import InvalidVersion, VersionScheme


class RubygemsScheme(VersionScheme):
    ecosystem: ClassVar[str] = "RubyGems"
    purl_type: ClassVar[str] = "gem"

    def parse(self, version: str) -> RubygemsVersion:
        if len(version) > 128:
            raise InvalidVersion(f"version too long ({len(version)} chars)")
        try:
            return RubygemsVersion(version.strip())
        except (_UniversInvalid, ValueError, TypeError, AttributeError, IndexError):
            raise InvalidVersion(f"not a RubyGems version: {version!r}") from None
