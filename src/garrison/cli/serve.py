"""``garrison serve``: the vulnerability-management service (FastAPI on uvicorn)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="run the vulnerability-management service (API + web UI)",
        description="Serve the REST API (/docs) and the web UI (/ui/) on an SQLite database in the data dir, or on "
        "PostgreSQL with GARRISON_DATABASE_URL=postgresql+psycopg://…. A new database is migrated on start.",
        epilog="examples:\n  GARRISON_SECRET_KEY=$(openssl rand -hex 32) garrison serve\n"
        "  garrison serve --dev --port 8080\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--dev", action="store_true", help="development mode: allows the built-in secret key")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from garrison.core.errors import UsageError
    from garrison.server.app import create_app
    from garrison.server.settings import load_settings

    if not 0 < args.port < 65536:
        raise UsageError("--port must be 1–65535")
    settings = load_settings(dev=args.dev)
    app = create_app(settings, background=True)
    print(f"garrison: serving on http://{args.host}:{args.port}/ (API docs at /docs, UI at /ui/)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info" if args.dev else "warning")
    return 0
