"""``garrison scan PATH``: find problems, apply waivers/baseline, decide with the gate, write reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from garrison.cli.common import (
    SCAN_EXAMPLES,
    FormatAction,
    OutputAction,
    add_scan_options,
    progress_printer,
    resolve_outputs,
    write_output,
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "scan",
        help="scan a directory: secrets, dependencies, IaC and more; decide with the gate",
        description="Walk PATH (honouring .gitignore and .garrisonignore), run every enabled analyzer, apply "
        "waivers and the baseline, and evaluate the gate.",
        epilog=SCAN_EXAMPLES + "\nexit codes: 0 passed, 1 gate failed, 2 usage or input error, 3 internal error\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scan_options(p)
    add_target_options(p)
    out = p.add_argument_group("output")
    out.add_argument(
        "-f",
        "--format",
        action=FormatAction,
        metavar="NAME[=FILE]",
        help="table, json, sarif, junit, markdown, html, cyclonedx, spdx (repeatable; default: table)",
    )
    out.add_argument("-o", "--output", action=OutputAction, metavar="FILE", help="file for the preceding --format")
    out.add_argument("--timings", action="store_true", help="include analyzer durations in JSON")
    out.add_argument("--timestamps", action="store_true", help="include the scan start time in JSON")
    out.add_argument("--limit", type=int, default=0, metavar="N", help="table: at most N findings per severity")
    gate = p.add_argument_group("gate")
    gate.add_argument("--fail-on", metavar="SEVERITY", help="fail at or above: info, low, medium, high, critical, none")
    gate.add_argument(
        "--condition",
        action="append",
        default=[],
        metavar="CEL",
        help="CEL expression over `finding` that fails the gate",
    )
    gate.add_argument("--waivers", type=Path, metavar="FILE", help="waivers file (default: .garrison/waivers.yaml)")
    gate.add_argument("--baseline", type=Path, metavar="FILE", help="only findings not in this baseline fail the gate")
    from garrison.cli.push import add_push_options

    add_push_options(p, required_project=False)
    p.add_argument("--push", action="store_true", help="upload the report to the service (needs --project)")
    # one --branch for both uses: with --git-history the branch whose commits are scanned, with --push the
    # branch the upload is recorded for (scanning a branch's history and pushing it under that name agree)
    for action in p._actions:
        if "--branch" in action.option_strings:
            action.help = "with --git-history: only commits reachable from NAME; with --push: the scope branch"
            action.metavar = "NAME"
    p.set_defaults(func=run, outputs=None)


def add_target_options(p: argparse.ArgumentParser) -> None:
    tg = p.add_argument_group("what to scan (default: the working tree under PATH)")
    tg.add_argument("--staged", action="store_true", help="only what is staged for commit (pre-commit hooks)")
    tg.add_argument(
        "--git-history", action="store_true", help="every commit's added lines (all branches unless --branch)"
    )
    tg.add_argument("--since", metavar="REV", help="with --git-history: only commits after REV")
    # --branch NAME (with --git-history: only commits reachable from NAME) is shared with the push options
    sec = p.add_argument_group("secrets")
    sec.add_argument(
        "--secrets-config", type=Path, metavar="FILE", help="gitleaks TOML rules instead of the built-in catalogue"
    )
    sec.add_argument("--verify", action="store_true", help="check found credentials live with their provider")


def _target_and_options(args: argparse.Namespace, path: Path, config: Any) -> tuple[Any, dict[str, dict[str, Any]]]:
    from garrison.core.errors import InputError
    from garrison.scan.targets.git import git_target

    history = getattr(args, "git_history", False)
    target = git_target(
        path,
        config.scan,
        staged=getattr(args, "staged", False),
        history=history,
        since=getattr(args, "since", None),
        branch=getattr(args, "branch", None) if history else None,  # without --git-history it is --push's
    )
    secrets: dict[str, Any] = {}
    cfg_file = getattr(args, "secrets_config", None)
    if cfg_file is not None:
        if not cfg_file.is_file():
            raise InputError("no such file", path=str(cfg_file), field="--secrets-config")
        secrets["config"] = str(cfg_file)
    if getattr(args, "verify", False):
        secrets["verify"] = True
    return target, ({"secrets": secrets} if secrets else {})


def build_request(args: argparse.Namespace, **extra: Any) -> Any:
    from garrison.core.config import load_config
    from garrison.core.errors import InputError
    from garrison.core.severity import Severity
    from garrison.pipeline import ScanRequest

    path = Path(args.path)
    if not path.exists():
        raise InputError("no such file or directory", path=args.path)
    config = load_config(args.config, root=path)
    kwargs: dict[str, Any] = {
        "path": path,
        "config": config,
        "analyzers": tuple(args.analyzer),
        "skip": tuple(args.skip),
        "jobs": args.jobs,
        "show_secrets": args.show_secrets,
        "progress": progress_printer(not args.no_progress),
    }
    if getattr(args, "fail_on", None) is not None:
        value = args.fail_on.strip().lower()
        kwargs["fail_on"] = None if value in ("none", "never", "off") else Severity.parse(value, where="--fail-on")
    for key in ("conditions", "waivers", "baseline", "timestamps"):
        src = "condition" if key == "conditions" else key
        if getattr(args, src, None):
            kwargs[key] = tuple(args.condition) if key == "conditions" else getattr(args, src)
    if getattr(args, "db", None):
        kwargs["options"] = {"deps": {"db": str(Path(args.db).resolve())}}
    kwargs.update(extra)
    if args.jobs is not None and args.jobs < 0:
        raise InputError("must be ≥ 0", field="--jobs")
    target, options = _target_and_options(args, path, config)
    if target is not None:
        kwargs.setdefault("target", target)
    for analyzer_id, opts in options.items():
        kwargs.setdefault("options", {}).setdefault(analyzer_id, {}).update(opts)
    return ScanRequest(**kwargs)


def run(args: argparse.Namespace) -> int:
    from garrison.cli.main import EXIT_FAIL, EXIT_INTERNAL, EXIT_OK
    from garrison.formats.base import WriteOptions, get_writer
    from garrison.formats.table import summary_line
    from garrison.pipeline import run_scan

    if getattr(args, "push", False) and not args.project:
        from garrison.core.errors import UsageError

        raise UsageError("--push needs --project NAME")
    outputs = resolve_outputs(args.outputs)  # validate formats before scanning
    writers = [(get_writer(name), path) for name, path in outputs]
    outcome = run_scan(build_request(args))
    report, decision = outcome.report, outcome.decision
    color = sys.stdout.isatty()
    for writer, path in writers:
        opts = WriteOptions(color=color and path is None, timings=args.timings, limit=args.limit)
        write_output(path, writer.write(report, decision, opts))
        if path is not None and path != "-":
            print(f"garrison: wrote {writer.name} report to {path}", file=sys.stderr)
    if all(path not in (None, "-") for _, path in writers):
        print(summary_line(report, decision), file=sys.stderr)
    if args.push:
        from garrison.cli.push import push_bytes, summary

        body = get_writer("json").write(report, decision, WriteOptions())
        pushed = push_bytes(
            body,
            project=args.project,
            server=args.server,
            token=args.token,
            branch=args.branch,
            commit=args.commit,
            partial=args.partial,
        )
        print(summary(pushed), file=sys.stderr)
    if report.failed_analyzers and not args.keep_going:
        names = ", ".join(a.id for a in report.failed_analyzers)
        print(f"garrison: analyzer failure ({names}); exit 3 (use --keep-going to decide on the rest)", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK if decision.passed else EXIT_FAIL
