"""``garrison server``: administer the service's database (migrations, users, tokens, EPSS/KEV data)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "server",
        help="administer the service: migrate, create-user, create-token, import-epss, import-kev",
        description="Administer the vulnerability-management service's database (GARRISON_DATABASE_URL).",
        epilog="examples:\n"
        "  garrison server migrate\n"
        "  garrison server create-token --name ci --role writer --project web-app\n"
        "  GARRISON_PASSWORD=… garrison server create-user --name alice --role admin\n"
        "  garrison server import-epss epss_scores-current.csv.gz\n"
        "  garrison server import-kev known_exploited_vulnerabilities.json\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    m = actions.add_parser("migrate", help="apply pending database migrations")
    m.set_defaults(func=run_migrate)
    u = actions.add_parser("create-user", help="create a web UI user (password from GARRISON_PASSWORD or a prompt)")
    u.add_argument("--name", required=True)
    u.add_argument("--role", required=True, choices=("reader", "writer", "admin"))
    u.add_argument("--project", action="append", default=[], help="limit to this project (repeatable)")
    u.set_defaults(func=run_create_user)
    t = actions.add_parser("create-token", help="create an API token; prints only the token")
    t.add_argument("--name", required=True)
    t.add_argument("--role", required=True, choices=("reader", "writer", "admin"))
    t.add_argument("--project", action="append", default=[], help="limit to this project (repeatable)")
    t.set_defaults(func=run_create_token)
    for name, helptext in (("import-epss", "a FIRST EPSS CSV file"), ("import-kev", "the CISA KEV JSON catalog")):
        i = actions.add_parser(name, help=f"replace the stored data with {helptext}")
        i.add_argument("file", type=Path)
        i.set_defaults(func=run_import, kind=name)
    p.set_defaults(func=lambda _a: (p.print_help(), 2)[1])


def _engine(*, migrate: bool = True) -> Any:
    from garrison.server.db import ensure_schema, make_engine
    from garrison.server.settings import default_database_url

    url = os.environ.get("GARRISON_DATABASE_URL") or default_database_url()
    engine = make_engine(url)
    if migrate:
        ensure_schema(engine)
    return engine


def run_migrate(_args: argparse.Namespace) -> int:
    from garrison.server.db import migrate, schema_state

    engine = _engine(migrate=False)
    before = schema_state(engine)
    migrate(engine)
    print(
        f"garrison: database {'created' if before == 'new' else 'migrated' if before == 'behind' else 'up to date'}",
        file=sys.stderr,
    )
    return 0


def run_create_user(args: argparse.Namespace) -> int:
    from garrison.core.errors import UsageError
    from garrison.server.auth.service import create_user
    from garrison.server.db import session_factory, transaction

    password = os.environ.get("GARRISON_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise UsageError("set GARRISON_PASSWORD or run in a terminal to be asked for the password")
        password = getpass.getpass("password: ")
    with transaction(session_factory(_engine())) as session:
        create_user(session, name=args.name, password=password, role=args.role, projects=args.project)
    print(f"garrison: created user {args.name!r} ({args.role})", file=sys.stderr)
    return 0


def run_create_token(args: argparse.Namespace) -> int:
    from garrison.server.auth.service import create_token
    from garrison.server.db import session_factory, transaction

    with transaction(session_factory(_engine())) as session:
        token = create_token(session, name=args.name, role=args.role, projects=args.project)
    print(token)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from garrison.core.errors import InputError
    from garrison.server.db import session_factory, transaction
    from garrison.server.errors import ServiceError
    from garrison.server.intel import service

    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(args.file)) from None
    importer = service.import_epss if args.kind == "import-epss" else service.import_kev
    try:
        with transaction(session_factory(_engine())) as session:
            n = importer(session, raw, source=str(args.file))
    except ServiceError as exc:
        raise InputError(exc.message) from None
    print(f"garrison: imported {n} {'EPSS scores' if args.kind == 'import-epss' else 'KEV entries'}", file=sys.stderr)
    return 0
