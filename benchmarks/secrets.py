"""Secrets scanning: Garrison vs detect-secrets on gitleaks' data and a generated 300 MB tree; git history.

    python benchmarks/secrets.py                       # everything (detect-secrets goes into build/ once)
    python benchmarks/secrets.py --no-peer             # Garrison figures only
    python benchmarks/secrets.py --size-mb 50          # a smaller generated tree
    python benchmarks/secrets.py --only history        # one part: gitleaks | gitleaks-x50 | tree | history

On gitleaks' own data (0.2 MB) both tools' times are mostly process start-up; the gitleaks-x50 part scans the
same files copied 50 times so the comparison measures scanning, not interpreter start-up.

detect-secrets is never a dependency of Garrison: it is installed into a throwaway venv under build/. Both tools
are timed as whole CLI runs (process start included, as a user or CI experiences them), from the tree's root
(detect-secrets finds nothing when given an absolute path outside its working directory). The generated tree is
deterministic (seeded): real text files (this interpreter's standard library and ../shared/data) copied into
a mixed layout until it reaches the size asked for, with planted credentials at known places so both tools'
recall is printed next to their speed. The 5,000-commit repository is written with `git fast-import`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "secrets-bench"
CORPUS = Path(os.environ.get("GARRISON_CORPUS", ROOT.parent / "shared" / "data"))
GITLEAKS = CORPUS / "secrets" / "gitleaks"
DS_VENV = BUILD / "detect-secrets-venv"
DS_VERSION = "1.5.0"
SEED = 20261123
TEXT_SUFFIXES = (
    ".py", ".txt", ".json", ".cfg", ".toml", ".html", ".js", ".css", ".xml", ".c", ".h", ".rst", ".md",
    ".ini", ".yaml", ".yml", ".sh", ".tf", ".go", ".csv", ".sql",
)  # fmt: skip


def garrison(path: Path, *extra: str) -> list[str]:
    exe = Path(sys.executable).with_name("garrison")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "garrison"]
    return [*base, "scan", str(path), "--analyzer", "secrets", "--no-progress", "--fail-on", "none", *extra]


def timed(cmd: list[str], cwd: Path | None = None, out: Path | None = None) -> float:
    t0 = time.perf_counter()
    with open(out, "wb") if out else open(os.devnull, "wb") as fh:
        proc = subprocess.run(cmd, cwd=cwd, stdout=fh, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def median(cmd: list[str], runs: int, cwd: Path | None = None) -> tuple[float, list[float]]:
    times = [timed(cmd, cwd) for _ in range(runs)]
    return statistics.median(times), times


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


# -- detect-secrets ------------------------------------------------------------------------------------
def detect_secrets() -> list[str]:
    exe = DS_VENV / "bin" / "detect-secrets"
    if not exe.exists():
        print(f"installing detect-secrets {DS_VERSION} into {DS_VENV} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DS_VENV)], check=True)
        subprocess.run(
            [str(DS_VENV / "bin" / "pip"), "install", "-q", f"detect-secrets=={DS_VERSION}"],
            check=True,
        )
    return [str(exe), "scan", "--all-files", "."]


def ds_positions(report: Path) -> set[tuple[str, int]]:
    doc = json.loads(report.read_text())
    return {(path, r["line_number"]) for path, results in doc["results"].items() for r in results}


def garrison_positions(report: Path) -> set[tuple[str, int]]:
    doc = json.loads(report.read_text())
    return {(f["location"]["path"], f["location"]["region"]["start_line"]) for f in doc["findings"]}


# -- the generated tree --------------------------------------------------------------------------------
def _sources() -> list[Path]:
    roots = [
        Path(sysconfig.get_paths()["stdlib"]),
        CORPUS / "sigma",
        CORPUS / "advisories",
        CORPUS / "scan-reports",
        CORPUS / "iac",
    ]
    files: list[Path] = []
    for base in roots:
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in ("site-packages", "__pycache__", ".git"))
            for name in sorted(filenames):
                p = Path(dirpath) / name
                if name.endswith(TEXT_SUFFIXES) and 0 < p.stat().st_size < 2_000_000:
                    files.append(p)
    return files


PLANTS = [
    ("GITHUB_TOKEN = '{}'", "ghp_", 36, "A"),
    ("aws_access_key_id = {}", "AKIA", 16, "B"),
    ("SLACK_BOT_TOKEN: xoxb-{}", "", 0, "slack"),
    ('stripe.api_key = "sk_live_{}"', "", 24, "A"),
    ("Authorization: Basic {}", "", 0, "basic"),
    ("DATABASE_URL=postgres://app:{}@db.internal:5432/app", "", 18, "A"),
    ('client = OpenAI(api_key="sk-proj-{}T3BlbkFJ{}")', "", 0, "openai"),
    ("SENDGRID_API_KEY=SG.{}.{}", "", 0, "sendgrid"),
]


def _rand(rnd: random.Random, n: int, kind: str) -> str:
    alphabet = {
        "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "B": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    }[kind]
    return "".join(rnd.choice(alphabet) for _ in range(n))


def _plant(rnd: random.Random) -> str:
    import base64

    tmpl, prefix, n, kind = rnd.choice(PLANTS)
    if kind == "slack":
        return tmpl.format(f"{rnd.randrange(10**11, 10**12)}-{rnd.randrange(10**12, 10**13)}-{_rand(rnd, 24, 'A')}")
    if kind == "basic":
        return tmpl.format(base64.b64encode(f"svc-{rnd.randrange(999)}:{_rand(rnd, 16, 'A')}".encode()).decode())
    if kind == "openai":
        return tmpl.format(_rand(rnd, 48, "A"), _rand(rnd, 48, "A"))
    if kind == "sendgrid":
        return tmpl.format(_rand(rnd, 22, "A"), _rand(rnd, 43, "A"))
    return tmpl.format(prefix + _rand(rnd, n, kind))


def build_tree(size_mb: int) -> tuple[Path, set[tuple[str, int]]]:
    target = BUILD / f"tree-{size_mb}mb"
    manifest = target / ".planted.json"
    if manifest.is_file():
        return target, {(str(p), int(n)) for p, n in json.loads(manifest.read_text())}
    if target.exists():
        shutil.rmtree(target)
    print(f"generating a {size_mb} MB tree in {target} (seed {SEED}) …", flush=True)
    rnd = random.Random(SEED)
    sources = _sources()
    want = size_mb * 1_000_000
    written = 0
    planted: list[tuple[str, int]] = []
    copy = 0
    while written < want:
        order = list(sources)
        rnd.shuffle(order)
        for i, src in enumerate(order):
            rel = Path(f"svc{copy:02d}") / f"pkg{i % 97:02d}" / src.name
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = src.read_bytes()
            if rnd.random() < 0.01:  # ~1 % of files get a planted credential at their end
                if not data.endswith(b"\n"):
                    data += b"\n"
                line = data.count(b"\n") + 1
                data += _plant(rnd).encode() + b"\n"
                planted.append((rel.as_posix(), line))
            if dest.exists():
                dest = dest.with_name(f"{i}_{dest.name}")
                if planted and planted[-1][0] == rel.as_posix():
                    planted[-1] = (dest.relative_to(target).as_posix(), planted[-1][1])
            dest.write_bytes(data)
            written += len(data)
            if written >= want:
                break
        copy += 1
    manifest.write_text(json.dumps(sorted(planted)))
    return target, set(planted)


# -- the generated git history -------------------------------------------------------------------------
def build_repo(commits: int) -> Path:
    repo = BUILD / f"history-{commits}"
    if (repo / ".git").is_dir() and (repo / ".git" / "garrison-bench-done").exists():
        return repo
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    print(f"generating a {commits}-commit repository in {repo} …", flush=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    rnd = random.Random(SEED)
    sources = [
        p for p in _sources() if p.suffix in (".py", ".yml", ".json", ".md", ".tf") and p.stat().st_size < 40_000
    ]
    files: dict[str, list[bytes]] = {}
    stream = bytearray()
    when = 1_700_000_000
    for n in range(commits):
        touched = rnd.randint(1, 4)
        stream += b"commit refs/heads/main\n"
        stream += f"committer Dev{n % 17} <dev{n % 17}@acme.io> {when + n * 600} +0000\n".encode()
        msg = f"change {n}\n".encode()
        stream += b"data %d\n%s" % (len(msg), msg)
        for _ in range(touched):
            if files and rnd.random() < 0.7:
                path = rnd.choice(sorted(files))
                lines = files[path]
                at = rnd.randrange(len(lines) + 1)
                new = rnd.choice(sources).read_bytes().splitlines()[: rnd.randint(1, 30)]
                if rnd.random() < 0.02:
                    new.append(_plant(rnd).encode())
                lines[at:at] = new
                if len(lines) > 400:
                    del lines[: len(lines) - 400]
            else:
                path = f"src/m{n % 50}/f{n}.{rnd.choice(['py', 'yml', 'json', 'md'])}"
                files[path] = rnd.choice(sources).read_bytes().splitlines()[:200]
            body = b"\n".join(files[path]) + b"\n"
            stream += b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(body), body)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=bytes(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=repo, check=True)
    (repo / ".git" / "garrison-bench-done").write_text("ok\n")
    return repo


# -- the parts -----------------------------------------------------------------------------------------
def part_gitleaks(runs: int, peer: bool) -> None:
    path = GITLEAKS
    size = tree_bytes(path)
    g, gt = median(garrison(Path("."), "-f", "json=/dev/null"), runs, cwd=path)
    print(f"gitleaks data ({size / 1e6:.1f} MB, {sum(1 for p in path.rglob('*') if p.is_file())} files)")
    print(f"  garrison        median {g:7.3f} s   runs {[round(t, 3) for t in gt]}")
    if peer:
        d, dt_ = median(detect_secrets(), runs, cwd=path)
        print(f"  detect-secrets  median {d:7.3f} s   runs {[round(t, 3) for t in dt_]}")
        print(f"  ratio           {d / g:7.1f}×  (goal ≥ 20×)")


def part_gitleaks_replicated(copies: int, runs: int, peer: bool) -> None:
    """The same gitleaks data, copied ``copies`` times, so process start-up no longer hides the scanning speed."""
    root = BUILD / f"gitleaks-x{copies}"
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        for i in range(copies):
            shutil.copytree(GITLEAKS, root / f"copy{i:03d}")
        (root / ".complete").write_text("ok\n")
    size = tree_bytes(root)
    g, gt = median(garrison(Path("."), "-f", "json=/dev/null"), runs, cwd=root)
    print(f"gitleaks data ×{copies} ({size / 1e6:.1f} MB)")
    print(f"  garrison        median {g:7.3f} s   runs {[round(t, 3) for t in gt]}")
    if peer:
        d, dt_ = median(detect_secrets(), max(1, min(runs, 3)), cwd=root)
        print(f"  detect-secrets  median {d:7.3f} s   runs {[round(t, 3) for t in dt_]}")
        print(f"  ratio           {d / g:7.1f}×  (goal ≥ 20×)")


def part_tree(size_mb: int, runs: int, peer: bool) -> None:
    tree, planted = build_tree(size_mb)
    size = tree_bytes(tree)
    out = BUILD / "garrison-tree.json"
    times = []
    for _ in range(runs):
        times.append(timed(garrison(Path("."), "-f", f"json={out}"), cwd=tree))
    g = statistics.median(times)
    found = garrison_positions(out)
    print(f"generated tree ({size / 1e6:.0f} MB, {sum(1 for _ in tree.rglob('*'))} entries, {len(planted)} planted)")
    print(f"  garrison        median {g:7.2f} s   {size / 1e6 / g:7.1f} MB/s   runs {[round(t, 2) for t in times]}")
    print(
        f"                  planted found {len(planted & found)}/{len(planted)}; other findings {len(found - planted)}"
    )
    if peer:
        ds_out = BUILD / "detect-secrets-tree.json"
        d = timed(detect_secrets(), cwd=tree, out=ds_out)
        ds_found = ds_positions(ds_out)
        print(f"  detect-secrets  1 run  {d:7.2f} s   {size / 1e6 / d:7.1f} MB/s")
        print(
            f"                  planted found {len(planted & ds_found)}/{len(planted)}; other findings "
            f"{len(ds_found - planted)}"
        )
        print(f"  ratio           {d / g:7.1f}×  (goal ≥ 20×; Garrison goal ≥ 100 MB/s)")


def part_history(commits: int, runs: int) -> None:
    repo = build_repo(commits)
    out = BUILD / "garrison-history.json"
    times = [timed(garrison(repo, "--git-history", "-f", f"json={out}")) for _ in range(runs)]
    doc = json.loads(out.read_text())
    count = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=repo, capture_output=True, text=True).stdout
    print(f"git history ({count.strip()} commits, {doc['stats']['files_scanned']} file changes scanned)")
    print(
        f"  garrison        median {statistics.median(times):7.2f} s   findings {len(doc['findings'])}   "
        f"runs {[round(t, 2) for t in times]}   (goal ≤ 60 s)"
    )


def main() -> None:
    import _common

    _common.ensure_bytecode()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=300)
    ap.add_argument("--commits", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-peer", action="store_true", help="skip detect-secrets")
    ap.add_argument("--only", choices=["gitleaks", "gitleaks-x50", "tree", "history"])
    args = ap.parse_args()
    BUILD.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, Python {sys.version.split()[0]}")
    if args.only in (None, "gitleaks"):
        part_gitleaks(args.runs, not args.no_peer)
    if args.only in (None, "gitleaks-x50"):
        part_gitleaks_replicated(50, args.runs, not args.no_peer)
    if args.only in (None, "tree"):
        part_tree(args.size_mb, args.runs, not args.no_peer)
    if args.only in (None, "history"):
        part_history(args.commits, args.runs)


if __name__ == "__main__":
    main()
