"""``garrison hunt``: Sigma rules over security logs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HUNT_EXAMPLES = """\
examples:
  garrison rules update sigma --sha256 HEX                  install SigmaHQ rules once, then:
  garrison hunt logs/                                       every log under logs/, table output
  garrison hunt --rules sigma/rules/windows Security.evtx Sysmon.evtx
  garrison hunt --rules my-rules/ --format jsonl --output alerts.jsonl 'logs/**/*.json.gz'
  garrison hunt --rules rules.zip --format sarif --output hunt.sarif --attack-layer layer.json logs/
  zcat audit.log.gz | garrison hunt --rules rules/linux --input-format auditd -
  garrison hunt --rules rules/ --coverage --min-level high --fail-level high logs/

exit codes: 0 no alert at or above --fail-level (or none given), 1 alerts at or above it, 2 usage/input error
"""

LEVELS = ("informational", "low", "medium", "high", "critical")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "hunt",
        help="run Sigma rules over log files (EVTX, JSON, syslog, auditd, CloudTrail, ...)",
        epilog=HUNT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("logs", nargs="+", metavar="LOGS", help="log files, directories, globs, or - for stdin")
    p.add_argument(
        "-r",
        "--rules",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help="rule file, directory or .zip (repeatable; default: rules installed by 'garrison rules update sigma')",
    )
    p.add_argument(
        "-p",
        "--pipeline",
        action="append",
        default=[],
        metavar="NAME|FILE",
        help="extra pySigma processing pipeline, built-in name or YAML file (repeatable)",
    )
    p.add_argument(
        "-i",
        "--input-format",
        default="auto",
        metavar="F",
        help="auto (default), evtx, jsonl, json, ecs, cloudtrail, k8s-audit, zeek, suricata, syslog, auditd, weblog",
    )
    p.add_argument(
        "-f",
        "--format",
        action="append",
        default=[],
        metavar="NAME[=FILE]",
        help="table (default), jsonl, csv, sarif; repeatable, each with its own file",
    )
    p.add_argument("-o", "--output", action="append", default=[], metavar="FILE", help="file for the last --format")
    p.add_argument("--min-level", choices=LEVELS, help="show only alerts at or above this level")
    p.add_argument("--fail-level", choices=LEVELS, help="exit 1 when an alert is at or above this level")
    p.add_argument(
        "--coverage",
        nargs="?",
        const="-",
        metavar="FILE",
        help="list every rule as ran / no matching log source / unsupported (stderr, or JSON to FILE)",
    )
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="worker processes (0 = one per CPU)")
    p.add_argument("--attack-layer", metavar="FILE", help="write an ATT&CK Navigator layer of the techniques hit")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the compiled-ruleset cache")
    p.set_defaults(func=run)


def _outputs(formats: list[str], outputs: list[str]) -> list[tuple[str, str | None]]:
    from garrison.core.errors import UsageError
    from garrison.detect.output import EXTENSIONS, available

    pairs: list[tuple[str, str | None]] = []
    for f in formats:
        name, _, path = f.partition("=")
        pairs.append((name.strip(), path or None))
    for o in outputs:
        if pairs and pairs[-1][1] is None:
            pairs[-1] = (pairs[-1][0], o)
        else:
            ext = Path(o).suffix.lower()
            if ext not in EXTENSIONS:
                raise UsageError(f"--output {o}: give --format before it (cannot tell the format from '{ext}')")
            pairs.append((EXTENSIONS[ext], o))
    pairs = pairs or [("table", None)]
    for name, _ in pairs:
        if name not in available():
            raise UsageError(f"unknown format {name!r} for hunt (available: {', '.join(available())})")
    if sum(1 for _, p in pairs if p in (None, "-")) > 1:
        raise UsageError("several formats would go to stdout; give each but one an --output FILE")
    return pairs


def run(args: argparse.Namespace) -> int:
    import json
    import os

    from garrison.cli.common import write_output
    from garrison.core.errors import UsageError
    from garrison.detect.hunt import HuntRequest, run_hunt
    from garrison.detect.output import OutputContext, get_writer, write_chunks
    from garrison.detect.output.attack import write_layer
    from garrison.detect.update import installed_rules

    outputs = _outputs(args.format, args.output)
    rules = list(args.rules)
    if not rules:
        inst = installed_rules()
        if inst is None:
            raise UsageError("no rules: pass --rules PATH or run 'garrison rules update sigma' first")
        rules = [inst]
    jobs = args.jobs if args.jobs and args.jobs > 0 else (os.cpu_count() or 1)
    outcome = run_hunt(
        HuntRequest(
            rules=tuple(rules),
            logs=tuple(args.logs),
            pipelines=tuple(args.pipeline),
            input_format=args.input_format,
            jobs=jobs,
            min_level=args.min_level,
            cache=not args.no_cache,
        )
    )
    summary = summary_lines(outcome)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for name, path in outputs:
        ctx = OutputContext(
            rules=outcome.rules_meta,
            summary=summary if name == "table" and path in (None, "-") else (),
            color=color and path in (None, "-"),
        )
        write_chunks(path, get_writer(name)(outcome.alerts, ctx))
    if not any(name == "table" and path in (None, "-") for name, path in outputs):
        for line in summary:
            print(line, file=sys.stderr)
    if args.attack_layer:
        write_output(args.attack_layer, write_layer(outcome.alerts))
    if args.coverage == "-":
        print(coverage_table(outcome), file=sys.stderr, end="")
    elif args.coverage:
        write_output(args.coverage, (json.dumps(outcome.coverage.to_dict(), indent=2) + "\n").encode())
    if args.fail_level:
        floor = LEVELS.index(args.fail_level)
        if any(LEVELS.index(a.level) >= floor for a in outcome.alerts):
            return 1
    return 0


def summary_lines(outcome: Any) -> list[str]:
    from collections import Counter

    lines: list[str] = [""]
    rate = outcome.events / outcome.seconds if outcome.seconds > 0 else 0.0
    lines.append(
        f"{outcome.events} event(s) from {len(outcome.inputs)} input(s) in {outcome.seconds:.2f}s"
        f" ({rate:,.0f} events/s); rules loaded in {outcome.load.seconds:.2f}s"
        f"{' from cache' if outcome.load.cached else ''}"
    )
    by_level = Counter(a.level for a in outcome.alerts)
    parts = [f"{by_level[lv]} {lv}" for lv in reversed(LEVELS) if by_level[lv]]
    lines.append(f"{len(outcome.alerts)} alert(s)" + (f": {', '.join(parts)}" if parts else ""))
    lines.append("coverage: " + outcome.coverage.summary())
    for s in outcome.inputs:
        if s.error:
            lines.append(f"input {s.origin}: {s.error}")
        if s.corrupt:
            where = ", ".join(f"{pos} ({why})" for pos, why in s.corrupt_samples[:3])
            lines.append(f"input {s.origin}: {s.corrupt} corrupt record(s) skipped, e.g. {where}")
    lines.extend(f"warning: {w}" for w in outcome.warnings)
    return lines


def coverage_table(outcome: Any) -> str:
    rows = sorted(
        outcome.coverage.rules, key=lambda r: ({"unsupported": 0, "no-logsource": 1, "ran": 2}[r.state], r.path)
    )
    out = [f"{'STATE':13}  {'EVENTS':>8}  {'RULE':60}  DETAIL"]
    for r in rows:
        detail = r.reason if r.state == "unsupported" else r.logsource
        title = r.title if len(r.title) <= 60 else r.title[:59] + "…"
        out.append(f"{r.state:13}  {r.events:>8}  {title:60}  {detail}")
    for path, why in outcome.coverage.problems:
        out.append(f"{'unsupported':13}  {0:>8}  {path:60}  {why}")
    out.append(outcome.coverage.summary())
    return "\n".join(out) + "\n"
