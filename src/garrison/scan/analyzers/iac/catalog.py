"""Print the check catalogue and the Checkov mapping as Markdown: ``python -m garrison.scan.analyzers.iac.catalog``."""

from __future__ import annotations

import sys

from garrison.scan.analyzers.iac.checkov_map import checkov_to_garrison
from garrison.scan.analyzers.iac.checks import builtin_checks


def catalogue() -> str:
    lines = ["| Check | Severity | Applies to | Frameworks | Checkov |", "|---|---|---|---|---|"]
    for c in sorted(builtin_checks(), key=lambda c: c.id):
        fws = ", ".join(f"{f.framework} {f.control}" for f in c.frameworks)
        lines.append(
            f"| `{c.id}` {c.title} | {c.severity.label} | {', '.join(sorted(c.applies_to))} | {fws} "
            f"| {', '.join(c.checkov)} |"
        )
    return "\n".join(lines) + "\n"


def mapping() -> str:
    lines = ["| Checkov id | Garrison check(s) |", "|---|---|"]
    for ckv, ids in checkov_to_garrison().items():
        lines.append(f"| {ckv} | {', '.join(f'`{i}`' for i in ids)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(mapping() if "--mapping" in sys.argv else catalogue())
