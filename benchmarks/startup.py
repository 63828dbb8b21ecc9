"""Foundation performance claims (issue #2).

1. ``garrison --version`` ≤ 0.3 s wall, median of 10 (heavy imports are lazy).
2. Walking a 100,000-file tree with all analyzers disabled ≤ 3 s (full CLI run, median of 5).

Run: ``python benchmarks/startup.py`` (uses the ``garrison`` installed next to this Python).
"""

from __future__ import annotations

import json
import random
import shutil
import sys

from _common import BUILD, ensure_bytecode, garrison_cmd, machine, median_of, report

N_FILES = 100_000
PER_DIR = 100


def make_tree() -> str:
    root = BUILD / "tree-100k"
    marker = root / ".complete"
    if marker.exists():
        return str(root)
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(100_000)
    exts = [".py", ".js", ".go", ".tf", ".yaml", ".json", ".md", ".txt", ".java", ".rb"]
    for i in range(N_FILES // PER_DIR):
        d = root / f"pkg{i % 40:02d}" / f"mod{i:04d}"
        d.mkdir(parents=True, exist_ok=True)
        for j in range(PER_DIR):
            (d / f"file{j:03d}{rng.choice(exts)}").write_text(f"# {i}/{j}\nvalue = {rng.random()}\n")
    (root / ".gitignore").write_text("*.log\nnode_modules/\n!keep.log\n")
    (root / "pkg00" / ".gitignore").write_text("*.tmp\n")
    (root / "garrison.toml").write_text('[analyzers]\nenabled = []\n[gate]\nfail_on = "none"\n')
    marker.write_text("ok")
    return str(root)


def main() -> None:
    ensure_bytecode()
    print(f"# startup benchmark — {machine()}")
    cmd = garrison_cmd()
    med, _ = median_of(10, [*cmd, "--version"])
    report("garrison --version (median of 10)", med, "s", "≤ 0.3 s")
    tree = make_tree()
    med, _ = median_of(
        5, [*cmd, "scan", tree, "--no-progress", "--format", "json", "--output", str(BUILD / "walk.json")]
    )
    report("scan of 100k-file tree, analyzers disabled (median of 5)", med, "s", "≤ 3 s")
    stats = json.loads((BUILD / "walk.json").read_text())["stats"]
    print(f"  files seen by the walk: {stats['files_seen']} (ignored {stats['skipped_ignored']})")
    if stats["files_seen"] < N_FILES:
        sys.exit("the walk saw fewer files than were generated")


if __name__ == "__main__":
    main()
