"""Safe YAML loading for user files: no tags, bounded size, errors as one line naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from garrison.core.errors import ConfigError
from garrison.core.yamldepth import c_loader_safe

MAX_POLICY_FILE = 16 * 1024 * 1024


def read_text(path: Path, *, limit: int = MAX_POLICY_FILE) -> str:
    try:
        if path.is_dir():
            raise ConfigError("is a directory, expected a file", path=str(path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except PermissionError:
        raise ConfigError("permission denied", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    if len(data) > limit:
        raise ConfigError(f"file too large ({len(data)} bytes, limit {limit})", path=str(path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 (byte {exc.start})", path=str(path)) from None


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Return the data and its node tree (for line numbers)."""
    text = read_text(path)
    if not c_loader_safe(text):
        raise ConfigError("YAML nested too deeply", path=str(path))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"invalid YAML{where}: {problem}", path=str(path)) from None
    except RecursionError:
        raise ConfigError("YAML nested too deeply", path=str(path)) from None
    return data, node
