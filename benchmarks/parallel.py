"""Does spreading per-file analyzers over worker processes pay? (issue #2: "measure it").

Scans a generated mixed-source tree (~12,000 files, ~60 MB) once with ``--jobs 1`` and once with
``--jobs 0`` (one worker per CPU) for every installed per-file analyzer, median of 3 each, and prints the
speed-up. The engine only forks when there is ≥ 4 MiB or ≥ 256 files of work (see PARALLEL_MIN_* in
src/garrison/scan/engine.py); below that a single process is faster.

Run: ``python benchmarks/parallel.py``
"""

from __future__ import annotations

import random
import shutil
import string

from _common import BUILD, ensure_bytecode, garrison_cmd, machine, median_of, report

N_FILES = 12_000


def make_tree() -> str:
    root = BUILD / "tree-mixed"
    marker = root / ".complete"
    if marker.exists():
        return str(root)
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(42)
    words = ["config", "user", "token", "value", "request", "handler", "password", "api", "client", "cache"]
    for i in range(N_FILES):
        d = root / f"svc{i % 30:02d}" / f"pkg{i % 300:03d}"
        d.mkdir(parents=True, exist_ok=True)
        lines = []
        for _ in range(rng.randint(40, 160)):
            w = rng.sample(words, 3)
            lit = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(8, 40)))
            lines.append(f"    {w[0]}_{w[1]} = compute_{w[2]}('{lit}', {rng.randint(0, 10**6)})")
        (d / f"m{i:05d}.py").write_text("def f():\n" + "\n".join(lines) + "\n")
    (root / "garrison.toml").write_text('[gate]\nfail_on = "none"\n')
    marker.write_text("ok")
    return str(root)


def per_file_analyzers() -> list[str]:
    from garrison.scan import registry

    return [a for a in registry.available() if registry.analyzer_class(a).per_file]


def main() -> None:
    ensure_bytecode()
    print(f"# parallel benchmark — {machine()}")
    tree = make_tree()
    cmd = garrison_cmd()
    for analyzer in per_file_analyzers():
        base = [*cmd, "scan", tree, "--analyzer", analyzer, "--no-progress", "--format", "json"]
        serial, _ = median_of(3, [*base, "--jobs", "1"])
        parallel, _ = median_of(3, [*base, "--jobs", "0"])
        report(f"{analyzer}: --jobs 1 (median of 3)", serial, "s")
        report(f"{analyzer}: --jobs 0 = one per CPU (median of 3)", parallel, "s")
        report(f"{analyzer}: speed-up", serial / parallel, "x")


if __name__ == "__main__":
    main()
