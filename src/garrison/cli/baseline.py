"""``garrison baseline create``: record today's findings so the gate fails only on new ones."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from garrison.cli.common import add_scan_options, write_output

DEFAULT_BASELINE = ".garrison/baseline.json"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "baseline",
        help="create a baseline of current findings",
        description="Baselines let a team adopt Garrison on an existing codebase: the gate fails only on "
        "findings that are not in the baseline.",
        epilog="examples:\n  garrison baseline create .\n  garrison scan . --baseline .garrison/baseline.json\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bsub = p.add_subparsers(dest="baseline_command", metavar="ACTION", parser_class=type(p))
    c = bsub.add_parser(
        "create",
        help="scan PATH and write the fingerprints of every unsuppressed finding",
        epilog="example:\n  garrison baseline create . --output .garrison/baseline.json\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scan_options(c, with_gate=False)
    c.add_argument("-o", "--output", help=f"where to write it (default: PATH/{DEFAULT_BASELINE}; '-' for stdout)")
    c.set_defaults(func=create)


def create(args: argparse.Namespace) -> int:
    from pathlib import Path

    from garrison.cli.scan import build_request
    from garrison.pipeline import run_scan
    from garrison.policy.baseline import render_baseline

    req = build_request(args, use_baseline=False, fail_on=None)
    outcome = run_scan(req)
    root = Path(args.path)
    out = args.output or str((root if root.is_dir() else root.parent) / DEFAULT_BASELINE)
    write_output(out, render_baseline(outcome.report.findings).encode())
    if out != "-":
        print(f"garrison: baseline of {len(outcome.report.findings)} findings written to {out}", file=sys.stderr)
    return 0
