"""The peer side of benchmarks/hunt.py: pySigma's SQLite backend + SQLite, the approach Zircolite takes.

Runs *inside the throwaway venv* benchmarks/hunt.py creates (pySigma, pysigma-backend-sqlite and the Sysmon /
Windows pipelines); imports nothing from Garrison. Usage::

    python hunt_sqlite_peer.py RULES_DIR... --events EVENTS.jsonl --out RESULT.json

Every Windows rule is converted with the Sysmon pipeline (log source category -> Sysmon EventID) and the
Windows log source pipeline (service -> Channel), as Zircolite does; the events go into one table whose columns
are ``TEXT COLLATE NOCASE`` (Zircolite's layout); REGEXP is Python's ``re.search``. Each rule's query is run
and the matching row ids (= 1-based JSONL line numbers) recorded.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("rules", nargs="+")
    ap.add_argument("--events", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    # these live only in the throwaway peer venv (not in Garrison's own environment)
    from sigma.backends.sqlite import sqliteBackend  # type: ignore[import-not-found,unused-ignore]
    from sigma.collection import SigmaCollection
    from sigma.pipelines.sysmon import sysmon_pipeline  # type: ignore[import-not-found,unused-ignore]
    from sigma.pipelines.windows import windows_logsource_pipeline  # type: ignore[import-not-found,unused-ignore]

    t0 = time.perf_counter()
    files: list[str | Path] = [p for r in args.rules for p in sorted(Path(r).rglob("*.yml"))]
    coll = SigmaCollection.load_ruleset(files, collect_errors=True)
    load_rules = time.perf_counter() - t0
    backend = sqliteBackend(processing_pipeline=sysmon_pipeline() + windows_logsource_pipeline(), collect_errors=True)
    queries: dict[str, list[str]] = {}
    failed: dict[str, str] = {}
    t0 = time.perf_counter()
    for rule in coll.rules:
        ls = getattr(rule, "logsource", None)
        if ls is None or ls.product != "windows" or rule.errors:
            continue
        rid = str(rule.id)
        try:
            out = backend.convert_rule(rule)
        except Exception as exc:
            failed[rid] = f"{type(exc).__name__}: {exc}"[:300]
            continue
        if rule.errors:
            failed[rid] = str(rule.errors[0])[:300]
            continue
        queries[rid] = [q for q in out if isinstance(q, str)]
    convert = time.perf_counter() - t0

    t0 = time.perf_counter()
    conn = sqlite3.connect(":memory:")
    conn.create_function("regexp", 2, _regexp, deterministic=True)
    columns: dict[str, None] = {}
    rows: list[dict[str, Any]] = []
    with open(args.events, encoding="utf-8") as fh:
        for line in fh:
            ev = json.loads(line)
            rows.append(ev)
            for k in ev:
                columns.setdefault(k, None)
    cols = list(columns)
    conn.execute(
        "CREATE TABLE logs (row_id INTEGER PRIMARY KEY, " + ", ".join(f'"{c}" TEXT COLLATE NOCASE' for c in cols) + ")"
    )
    placeholders = ", ".join("?" for _ in range(len(cols) + 1))
    conn.executemany(
        f"INSERT INTO logs VALUES ({placeholders})",
        ([i + 1, *(_cell(ev.get(c)) for c in cols)] for i, ev in enumerate(rows)),
    )
    conn.commit()
    del rows
    load_events = time.perf_counter() - t0

    t0 = time.perf_counter()
    matches: list[list[Any]] = []
    query_failed: dict[str, str] = {}
    known = {c.lower() for c in cols}
    for rid, qs in queries.items():
        got: set[int] = set()
        for q in qs:
            sql = q.replace("SELECT *", "SELECT row_id", 1)
            try:
                got.update(r[0] for r in conn.execute(sql))
            except sqlite3.OperationalError as exc:
                msg = str(exc)
                # a rule naming a field no event has: SQLite refuses the query; such a rule cannot match
                if msg.startswith("no such column") and msg.split(":")[-1].strip().strip('"').lower() not in known:
                    continue
                query_failed[rid] = msg[:300]
        matches.extend([rid, n] for n in sorted(got))
    run_queries = time.perf_counter() - t0
    Path(args.out).write_text(
        json.dumps(
            {
                "pysigma": _version("pysigma"),
                "backend": _version("pysigma-backend-sqlite"),
                "rules_converted": len(queries),
                "converted_ids": sorted(queries),
                "conversion_failed": failed,
                "query_failed": query_failed,
                "seconds": {
                    "load_rules": load_rules,
                    "convert": convert,
                    "load_events": load_events,
                    "queries": run_queries,
                },
                "matches": matches,
            }
        )
    )
    return 0


def _cell(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None or isinstance(v, str | int | float):
        return v
    return json.dumps(v)


def _regexp(pattern: str, value: Any) -> bool:
    if value is None:
        return False
    try:
        return re.search(pattern, str(value)) is not None
    except re.error:
        return False


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    sys.exit(main())
