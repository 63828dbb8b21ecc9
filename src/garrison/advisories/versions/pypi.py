"""PyPI: PEP 440 ordering through ``packaging`` (the library pip itself uses)."""

from __future__ import annotations

import re
from typing import ClassVar

from packaging.version import InvalidVersion as _PackagingInvalid
from packaging.version import Version

from garrison.advisories.versions.base import InvalidVersion, VersionScheme

_NAME_SEP = re.compile(r"[-_.]+")


class PypiScheme(VersionScheme):
    ecosystem: ClassVar[str] = "PyPI"
    purl_type: ClassVar[str] = "pypi"

    def parse(self, version: str) -> Version:
        if len(version) > 256:
            raise InvalidVersion(f"version too long ({len(version)} chars)")
        try:
            return Version(version)
        except _PackagingInvalid:
            raise InvalidVersion(f"not a PEP 440 version: {version!r}") from None

    def normalize_name(self, name: str) -> str:
        """PEP 503 normalisation: ``Flask_SQLAlchemy`` == ``flask-sqlalchemy``."""
        return _NAME_SEP.sub("-", name.strip()).lower()

    def major(self, version: str) -> str | None:
        try:
            v = self.key(version)
        except InvalidVersion:
            return None
        return f"{v.epoch}!{v.release[0]}" if v.epoch else str(v.release[0])
