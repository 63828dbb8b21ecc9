"""NuGet: NuGet.Versioning ordering through univers (up to 4 numeric parts, ``1.0`` == ``1.0.0.0``,
pre-release labels compared case-insensitively, metadata ignored). Package ids are case-insensitive.
"""

from __future__ import annotations

from typing import ClassVar

from univers.nuget import InvalidNuGetVersion
from univers.versions import InvalidVersion as _UniversInvalid
from univers.versions import NugetVersion

from garrison.advisories.versions.base import InvalidVersion, VersionScheme


class NugetScheme(VersionScheme):
    ecosystem: ClassVar[str] = "NuGet"
    purl_type: ClassVar[str] = "nuget"

    def parse(self, version: str) -> NugetVersion:
        if len(version) > 128:
            raise InvalidVersion(f"version too long ({len(version)} chars)")
        try:
            return NugetVersion(version.strip())
        except (_UniversInvalid, InvalidNuGetVersion, ValueError, TypeError, AttributeError, IndexError):
            raise InvalidVersion(f"not a NuGet version: {version!r}") from None

    def normalize_name(self, name: str) -> str:
        return name.strip().lower()
