"""pySigma processing pipelines: field mappings per log family, selectable and extendable by the user.

Each source tags its events with a *variant* (the log family as the rules must see it). A variant names the
built-in pipelines that adapt Sigma-taxonomy rules to that family's field names; ``--pipeline NAME|FILE``
adds pipelines for every variant (e.g. a YAML with ``vars`` for placeholders, or a site's own field names).
Pipelines are plain pySigma YAML (``ProcessingPipeline.from_yaml``), loaded under a policy that forbids
external sources (no file, HTTP or command placeholders).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from garrison.core.errors import ConfigError, UsageError

#: built-in pipeline name -> YAML file in this package
BUILTIN: dict[str, str] = {
    "windows-audit": "windows-audit.yml",
    "ecs-windows": "ecs-windows.yml",
}

#: event variant -> built-in pipelines applied to rules evaluated against it (empty: the Sigma taxonomy as is)
VARIANTS: dict[str, tuple[str, ...]] = {
    "windows": (),
    "windows-security": ("windows-audit",),
    "ecs": ("ecs-windows",),
}

MAX_PIPELINE_FILE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """A pipeline's name (built-in name or file path) and its YAML text."""

    name: str
    text: str

    def digest(self) -> str:
        return hashlib.sha256(self.name.encode() + b"\x00" + self.text.encode()).hexdigest()


def available() -> list[str]:
    return sorted(BUILTIN)


@cache
def builtin_text(name: str) -> str:
    return resources.files(__name__).joinpath(BUILTIN[name]).read_text("utf-8")


def resolve(ref: str) -> PipelineSpec:
    """A built-in pipeline name or a path to a pySigma pipeline YAML file."""
    if ref in BUILTIN:
        return PipelineSpec(ref, builtin_text(ref))
    path = Path(ref)
    if not path.is_file():
        raise UsageError(f"unknown pipeline {ref!r} (built-in: {', '.join(available())}; or give a YAML file)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=ref) from None
    if len(data) > MAX_PIPELINE_FILE:
        raise ConfigError(f"file too large ({len(data)} bytes)", path=ref)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 (byte {exc.start})", path=ref) from None
    spec = PipelineSpec(str(path), text)
    build([spec])  # validate now: a broken pipeline is a user error before any log is read
    return spec


def build(specs: list[PipelineSpec]) -> Any:
    """One pySigma ``ProcessingPipeline`` from specs (ordered by priority, as pySigma's resolver does)."""
    from sigma.exceptions import SigmaError
    from sigma.processing.pipeline import ProcessingPipeline

    from garrison.detect.rules import engine_policy

    pipelines = []
    for spec in specs:
        _refuse_external(spec)
        try:
            p = ProcessingPipeline.from_yaml(spec.text, policy=engine_policy())
        except (SigmaError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ConfigError(f"invalid pipeline: {' '.join(str(exc).split())}", path=spec.name) from None
        except Exception as exc:  # noqa: BLE001 - yaml errors and anything pySigma lets through
            raise ConfigError(f"invalid pipeline: {type(exc).__name__}: {exc}", path=spec.name) from None
        pipelines.append(p)
    pipelines.sort(key=lambda p: p.priority)
    combined = ProcessingPipeline()
    for p in pipelines:
        combined = combined + p
    return combined


#: pySigma transformations that read files, URLs or run commands: never allowed in a pipeline given to hunt
EXTERNAL = frozenset({"file_placeholders", "http_placeholders", "command_placeholders"})


def _refuse_external(spec: PipelineSpec) -> None:
    import yaml

    try:
        doc = yaml.safe_load(spec.text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {' '.join(str(exc).split())[:200]}", path=spec.name) from None
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") in EXTERNAL:
                raise ConfigError(
                    f"transformation {node['type']!r} reads outside data (files, URLs, commands); not allowed",
                    path=spec.name,
                )
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def variant_specs(variant: str, extra: tuple[PipelineSpec, ...]) -> list[PipelineSpec]:
    names = VARIANTS.get(variant, ())
    return [PipelineSpec(n, builtin_text(n)) for n in names] + list(extra)


def variant_digest(variant: str, extra: tuple[PipelineSpec, ...]) -> str:
    specs = variant_specs(variant, extra)
    if not specs:
        return ""
    h = hashlib.sha256()
    for s in specs:
        h.update(s.digest().encode())
    return h.hexdigest()[:16]
