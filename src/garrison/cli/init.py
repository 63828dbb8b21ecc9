"""``garrison init``: write a commented starter garrison.toml."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "init",
        help="write a commented starter garrison.toml",
        epilog="example:\n  garrison init . && $EDITOR garrison.toml\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", nargs="?", default=".", help="directory to write garrison.toml in (default: .)")
    p.add_argument("--force", action="store_true", help="overwrite an existing garrison.toml")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from garrison.core.config import CONFIG_NAME, STARTER_CONFIG
    from garrison.core.errors import InputError, UsageError

    root = Path(args.path)
    if not root.is_dir():
        raise InputError("not a directory", path=args.path)
    target = root / CONFIG_NAME
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists (use --force to overwrite)")
    try:
        target.write_text(STARTER_CONFIG, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", path=str(target)) from None
    print(f"garrison: wrote {target}", file=sys.stderr)
    return 0
