"""``garrison push REPORT``: upload a Garrison JSON report or a SARIF log to the service (for CI)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

#: transport seam: tests put an httpx transport here (None = the network)
TRANSPORT: Any = None


def register(sub: Any) -> None:
    p = sub.add_parser(
        "push",
        help="upload a report (Garrison JSON or SARIF) to a Garrison service",
        description="Upload REPORT to SERVER/api/v1/projects/PROJECT/scans. The token comes from --token or "
        "GARRISON_TOKEN; the server from --server or GARRISON_SERVER.",
        epilog="examples:\n"
        "  garrison push garrison.json --project web-app --server https://garrison.example --token $TOKEN\n"
        "  garrison push semgrep.sarif --project web-app --branch main --commit $GITHUB_SHA\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("report", type=Path, help="a Garrison JSON report or a SARIF 2.1.0 file")
    add_push_options(p, required_project=True)
    p.set_defaults(func=run)


def add_push_options(p: argparse.ArgumentParser, *, required_project: bool) -> None:
    g = p.add_argument_group("push to a Garrison service")
    g.add_argument("--project", required=required_project, help="project name on the server")
    g.add_argument("--server", help="service URL (default: $GARRISON_SERVER)")
    g.add_argument("--token", help="API token (default: $GARRISON_TOKEN)")
    g.add_argument("--branch", help="scope branch (default: the server's 'default')")
    g.add_argument("--commit", help="commit SHA recorded with the scan")
    g.add_argument("--partial", action="store_true", help="a partial scan: closes no findings")


def push_bytes(
    body: bytes,
    *,
    project: str,
    server: str | None,
    token: str | None,
    branch: str | None = None,
    commit: str | None = None,
    partial: bool = False,
    transport: Any = None,
    timeout: float = 300.0,
) -> dict[str, Any]:
    """POST the report; returns the server's summary or raises a one-line error."""
    import httpx

    from garrison.core.errors import InputError, UsageError

    server = server or os.environ.get("GARRISON_SERVER")
    token = token or os.environ.get("GARRISON_TOKEN")
    if not server:
        raise UsageError("no server: give --server URL or set GARRISON_SERVER")
    if not token:
        raise UsageError("no token: give --token or set GARRISON_TOKEN")
    if not server.startswith(("http://", "https://")):
        raise UsageError(f"--server must be an http(s) URL, got {server!r}")
    params: dict[str, str] = {}
    if branch:
        params["branch"] = branch
    if commit:
        params["commit"] = commit
    if partial:
        params["partial"] = "true"
    url = f"{server.rstrip('/')}/api/v1/projects/{project}/scans"
    try:
        with httpx.Client(transport=transport or TRANSPORT, timeout=timeout) as client:
            resp = client.post(
                url,
                content=body,
                params=params,
                headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
            )
    except httpx.HTTPError as exc:
        raise InputError(f"cannot reach {server}: {exc}") from None
    try:
        data = resp.json()
    except ValueError:
        data = {"error": resp.text[:200]}
    if resp.status_code >= 400:
        detail = data.get("error") if isinstance(data, dict) else None
        raise InputError(f"server refused the upload ({resp.status_code}): {detail or data}")
    if not isinstance(data, dict):
        raise InputError("unexpected answer from the server")
    return data


def summary(data: dict[str, Any]) -> str:
    return (
        f"garrison: pushed to {data.get('project')} (scan {data.get('scan_id')}, branch {data.get('branch')}): "
        f"{data.get('new', 0)} new, {data.get('fixed', 0)} fixed, {data.get('reopened', 0)} reopened, "
        f"{data.get('updated', 0)} updated, {data.get('unchanged', 0)} unchanged; {data.get('open', 0)} open"
    )


def run(args: argparse.Namespace, transport: Any = None) -> int:
    from garrison.core.errors import InputError

    try:
        body = args.report.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(args.report)) from None
    data = push_bytes(
        body,
        project=args.project,
        server=args.server,
        token=args.token,
        branch=args.branch,
        commit=args.commit,
        partial=args.partial,
        transport=transport or TRANSPORT,
    )
    print(summary(data), file=sys.stderr)
    return 0
