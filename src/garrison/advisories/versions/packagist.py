"""Packagist (Composer): ``VersionParser::normalize`` + PHP ``version_compare`` stability order.

Written here because univers' ComposerVersion orders pre-releases by ASCII (``1.0.0-beta2`` > ``1.0.0-RC1``),
while Composer orders ``dev < alpha = a < beta = b < RC = rc < stable < patch = pl = p``.
Branch versions (``dev-main``, ``1.x-dev``) are not orderable and raise :class:`InvalidVersion`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from garrison.advisories.versions.base import InvalidVersion, VersionScheme

_VERSION = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?"
    r"(?:[._-]?(stable|beta|b|rc|alpha|a|patch|pl|p)(?:[.-]?(\d+))?)?"
    r"([.-]?dev)?$",
    re.IGNORECASE,
)
_STABILITY = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "rc": 3, "stable": 4, "": 4, "patch": 5, "pl": 5, "p": 5}

ComposerKey = tuple[int, int, int, int, int, int, int]


class PackagistScheme(VersionScheme):
    ecosystem: ClassVar[str] = "Packagist"
    purl_type: ClassVar[str] = "composer"

    def parse(self, version: str) -> ComposerKey:
        text = version.strip()
        m = _VERSION.match(text) if len(text) <= 128 else None
        if not m:
            raise InvalidVersion(f"not a Composer version: {version!r}")
        nums = [int(g) if g else 0 for g in m.group(1, 2, 3, 4)]
        stability = _STABILITY[(m.group(5) or "").lower()]
        number = int(m.group(6)) if m.group(6) else 0
        dev = 0 if m.group(7) else 1  # "1.0.0-beta1-dev" precedes "1.0.0-beta1"
        if stability == 4 and m.group(7):
            stability, dev = 0, 1  # "1.0.0-dev" is the dev stability of 1.0.0
        return (nums[0], nums[1], nums[2], nums[3], stability, number, dev)

    def normalize_name(self, name: str) -> str:
        return name.strip().lower()
