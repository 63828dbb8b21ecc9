"""``garrison db update|import|status``: the local advisory database (the only network use is ``update``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

DB_EXAMPLES = """\
examples:
  garrison db update                              download every supported ecosystem from OSV
  garrison db update --ecosystem PyPI --ecosystem npm
  garrison db import osv-mirror/                  air-gapped: a directory of OSV .json/.yaml files
  garrison db import PyPI-all.zip --db build/advisories.db
  garrison db status
database location: --db PATH, else $GARRISON_DB, else [analyzers.deps] db in garrison.toml,
else $XDG_CACHE_HOME/garrison/advisories.db (~/.cache/garrison/advisories.db)
"""


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="advisory database file (see 'garrison db --help')")
    p.add_argument("-c", "--config", metavar="FILE", help="garrison.toml to read [analyzers.deps] db from")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "db",
        help="manage the offline advisory database (update, import, status)",
        description="The deps analyzer matches lockfiles against a local SQLite index of OSV advisories. "
        "Scans never touch the network; 'db update' is the one command that does.",
        epilog=DB_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", parser_class=type(p))
    u = dsub.add_parser(
        "update",
        help="download OSV all.zip archives, verify and import them",
        epilog="example:\n  garrison db update --ecosystem PyPI --base-url https://mirror.example/osv\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(u)
    u.add_argument(
        "-e", "--ecosystem", action="append", default=[], metavar="NAME", help="only this ecosystem (repeatable)"
    )
    u.add_argument("--base-url", metavar="URL", help="where <ECOSYSTEM>/all.zip live (default: OSV's public bucket)")
    u.add_argument("--strict", action="store_true", help="abort (import nothing) if any document is invalid")
    u.set_defaults(func=run_update)
    i = dsub.add_parser(
        "import",
        help="import OSV advisories from a directory, a zip or a file (offline)",
        epilog="example:\n  garrison db import ./advisory-database/advisories --db build/advisories.db\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(i)
    i.add_argument("paths", nargs="+", metavar="PATH", help="directory, .zip or OSV .json/.yaml file")
    i.add_argument("--strict", action="store_true", help="abort (import nothing) if any document is invalid")
    i.set_defaults(func=run_import)
    s = dsub.add_parser("status", help="show ecosystems, advisory counts and age")
    _add_common(s)
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=run_status)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


def _db_path(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from garrison.advisories.location import resolve_db_path
    from garrison.core.config import load_config

    configured = None
    config = load_config(Path(args.config) if args.config else None, root=Path.cwd())
    deps = config.analyzers.options.get("deps", {})
    value = deps.get("db")
    if isinstance(value, str) and value:
        configured = str(Path(config.source).parent / value) if config.source else value
    return resolve_db_path(args.db, configured)


def _report(results: Any, db: Any) -> None:
    for r in results:
        print(
            f"garrison: {r.source}: {len(r.advisories)} advisories imported, {len(r.withdrawn)} withdrawn, "
            f"{len(r.errors)} invalid",
            file=sys.stderr,
        )
        for e in r.errors[:20]:
            print(f"garrison: warning: skipped {e}", file=sys.stderr)
        if len(r.errors) > 20:
            print(f"garrison: warning: … and {len(r.errors) - 20} more invalid documents", file=sys.stderr)
    if results:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(results[-1].counts.items()))
        print(f"garrison: database {db}: {counts}", file=sys.stderr)


def run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from garrison.advisories.ingest import import_path

    db = _db_path(args)
    results = [import_path(db, Path(p), strict=args.strict) for p in args.paths]
    _report(results, db)
    return 0


def run_update(args: argparse.Namespace, transport: Any = None) -> int:
    from garrison.advisories.ingest import DEFAULT_BASE_URL, update
    from garrison.advisories.transport import UrllibTransport

    db = _db_path(args)
    results = update(
        db,
        args.ecosystem,
        transport=transport or UrllibTransport(),
        base_url=args.base_url or DEFAULT_BASE_URL,
        strict=args.strict,
        log=lambda msg: print(f"garrison: {msg}", file=sys.stderr),
    )
    _report(results, db)
    return 0


def run_status(args: argparse.Namespace) -> int:
    import json

    from garrison.advisories.store import AdvisoryDB

    db_path = _db_path(args)
    with AdvisoryDB.open_readonly(db_path) as db:
        status = db.status()
    if args.json:
        doc = {
            "path": status.path,
            "schema_version": status.schema_version,
            "advisories": status.advisories,
            "updated_at": status.updated_at,
            "ecosystems": [
                {
                    "ecosystem": e.ecosystem,
                    "advisories": e.advisories,
                    "snapshot": e.snapshot,
                    "age_days": round(e.age_days(), 1),
                    "imported_at": e.imported_at,
                    "source": e.source,
                }
                for e in status.ecosystems
            ],
        }
        print(json.dumps(doc, indent=2))
        return 0
    print(f"database: {status.path}")
    print(f"advisories: {status.advisories} (last import {status.updated_at or 'never'})")
    if not status.ecosystems:
        print("no ecosystems imported yet")
    width = max((len(e.ecosystem) for e in status.ecosystems), default=9)
    for e in status.ecosystems:
        print(
            f"  {e.ecosystem:<{width}}  {e.advisories:>6} advisories  data as of {e.snapshot}  "
            f"({e.age_days():.0f} days old)  from {e.source}"
        )
    return 0
