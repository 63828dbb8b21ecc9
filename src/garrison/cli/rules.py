"""``garrison rules list``: every rule/check of every installed analyzer."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "rules",
        help="list the rules and checks of the installed analyzers",
        epilog="examples:\n  garrison rules list\n  garrison rules list --analyzer files --format json\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rsub = p.add_subparsers(dest="rules_command", metavar="ACTION", parser_class=type(p))
    ls = rsub.add_parser("list", help="id, severity and title of every rule")
    ls.add_argument("-a", "--analyzer", action="append", default=[], metavar="ID", help="only this analyzer")
    ls.add_argument("-f", "--format", choices=("table", "json"), default="table")
    ls.set_defaults(func=list_rules)
    up = rsub.add_parser(
        "update",
        help="download, verify and install a rule pack (sigma: a SigmaHQ release archive)",
        epilog="examples:\n  garrison rules update sigma --sha256 HEX\n"
        "  garrison rules update sigma --url https://mirror.example/sigma_core.zip --checksum-url URL\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    up.add_argument("pack", choices=("sigma",), help="which rule pack")
    up.add_argument("--url", help="archive URL (default: $GARRISON_SIGMA_URL or the latest SigmaHQ release)")
    up.add_argument("--sha256", metavar="HEX", help="expected SHA-256 of the archive")
    up.add_argument("--checksum-url", metavar="URL", help="file with the archive's SHA-256 (default: URL.sha256)")
    up.set_defaults(func=update_rules)


def list_rules(args: argparse.Namespace) -> int:
    import json
    import sys

    from garrison.core.serialize import rule_to_dict
    from garrison.scan import registry

    ids = args.analyzer or registry.available()
    for i in ids:
        registry.analyzer_class(i)  # unknown ids are a usage error
    rows = []
    for analyzer in registry.build(ids, {}):
        for rule in sorted(analyzer.rules(), key=lambda r: r.id):
            rows.append((analyzer.id, rule))
    if args.format == "json":
        doc = [{"analyzer": a, **rule_to_dict(r)} for a, r in rows]
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return 0
    w_id = max((len(r.id) for _, r in rows), default=2)
    w_an = max((len(a) for a, _ in rows), default=8)
    print(f"{'ANALYZER'.ljust(w_an)}  {'ID'.ljust(w_id)}  {'SEVERITY':8}  TITLE")
    for a, r in rows:
        print(f"{a.ljust(w_an)}  {r.id.ljust(w_id)}  {r.severity.label:8}  {r.title}")
    print(f"\n{len(rows)} rules from {len(ids)} analyzer(s)", file=sys.stderr)
    return 0


def update_rules(args: argparse.Namespace) -> int:
    import os

    from garrison.detect.update import DEFAULT_URL, update_sigma

    url = args.url or os.environ.get("GARRISON_SIGMA_URL") or DEFAULT_URL
    got = update_sigma(url=url, sha256=args.sha256, checksum_url=args.checksum_url)
    print(f"installed {got.rules} Sigma rule files from {got.url} (sha256 {got.sha256}) at {got.path}")
    return 0
