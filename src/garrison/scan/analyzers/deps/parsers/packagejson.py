"""Direct dependencies named by the ``package.json`` beside an npm/yarn/pnpm lockfile."""

from __future__ import annotations

import json

from garrison.scan.analyzers.deps.parsers.base import Reader, sibling

SECTIONS = {"dependencies": "", "optionalDependencies": "optional", "peerDependencies": "", "devDependencies": "dev"}


def direct_dependencies(lock_path: str, read: Reader) -> dict[str, str] | None:
    """name -> scope ("" / "dev" / "optional"), or None without a readable package.json."""
    text = read(sibling(lock_path, "package.json"))
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    out: dict[str, str] = {}
    for section, scope in SECTIONS.items():
        deps = data.get(section)
        if isinstance(deps, dict):
            for name in deps:
                if isinstance(name, str) and name not in out:
                    out[name] = scope
    return out
