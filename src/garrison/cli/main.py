"""``garrison`` — entry point. Command modules register their sub-parsers; heavy imports happen in ``run``.

Exit codes: 0 ok / gate passed, 1 gate failed, 2 usage or input error, 3 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from garrison import __version__

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

#: (command, module) — each module defines ``register(subparsers)`` and sets ``func`` on its parser
COMMANDS: tuple[tuple[str, str], ...] = (
    ("scan", "garrison.cli.scan"),
    ("baseline", "garrison.cli.baseline"),
    ("init", "garrison.cli.init"),
    ("rules", "garrison.cli.rules"),
    ("db", "garrison.cli.db"),
    ("serve", "garrison.cli.serve"),
    ("server", "garrison.cli.server"),
    ("push", "garrison.cli.push"),
)

EPILOG = """\
exit codes: 0 passed, 1 gate failed, 2 usage or input error, 3 internal error

examples:
  garrison scan .                                 scan the working tree, table output, fail on high+
  garrison scan . --format sarif --output garrison.sarif --format html --output report.html
  garrison baseline create . && garrison scan . --baseline .garrison/baseline.json
  garrison rules list
"""


class _Parser(argparse.ArgumentParser):
    """argparse that exits with code 2 and a one-line message (no usage dump on every typo)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"garrison: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="garrison",
        description="Garrison — find, decide, track, watch, act, prove: a SecOps engineer's job as code.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"garrison {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for _name, module in COMMANDS:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):  # the fast path: no command modules imported
        print(f"garrison {__version__}")
        return EXIT_OK
    parser = build_parser()
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr if args.command is None else sys.stdout)
        return EXIT_USAGE if args.command is None else EXIT_OK
    return run_guarded(args.func, args)


def run_guarded(func: object, args: argparse.Namespace) -> int:
    """Run a command: GarrisonError → one line + its exit code; anything else → one line + exit 3."""
    from garrison.core.errors import GarrisonError

    try:
        code = func(args)  # type: ignore[operator]
        return int(code)
    except GarrisonError as exc:
        print(f"garrison: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("garrison: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stdout closed early (e.g. `| head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("GARRISON_DEBUG"):
            raise
        print(
            f"garrison: internal error: {type(exc).__name__}: {exc} (set GARRISON_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
