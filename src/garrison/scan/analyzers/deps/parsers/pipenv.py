"""Pipfile.lock: ``default`` and ``develop`` sections of ``name -> {"version": "==X", "hashes": […],
"markers": "…"}``.
It records no graph; every package in the ``Pipfile`` beside it is direct.
"""

from __future__ import annotations

import tomllib

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    Reader,
    expect_dict,
    load_json,
    marker_text,
    sibling,
    text_field,
)
from garrison.scan.analyzers.deps.parsers.pyproject import norm

ECOSYSTEM = "PyPI"


def _pipfile_direct(path: str, read: Reader) -> set[str] | None:
    text = read(sibling(path, "Pipfile"))
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    names: set[str] = set()
    for key in ("packages", "dev-packages"):
        if isinstance(data.get(key), dict):
            names |= {norm(n) for n in data[key]}
    return names


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = expect_dict(load_json(text, path), path, "(document)")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="Pipfile.lock")
    direct = _pipfile_direct(path, read)
    for section, scope in (("default", ""), ("develop", "dev")):
        entries = expect_dict(data.get(section, {}), path, section)
        for name, raw in entries.items():
            info = expect_dict(raw, path, f"{section}.{name}")
            spec = text_field(info, "version", path, f"{section}.{name}")
            version = spec[2:] if spec.startswith("==") else ""
            if spec.startswith("==="):
                version = spec[3:]
            manifest.packages.append(
                Package(
                    ECOSYSTEM,
                    name,
                    version,
                    direct=None if direct is None else norm(name) in direct,
                    dependency_path=(norm(name),),
                    scope=scope,
                    spec=spec,
                    locator=f'"{name}": {{',
                    marker=marker_text(info.get("markers")),
                )
            )
    return manifest
