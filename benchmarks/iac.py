# ruff: noqa: E501 - the generator writes HCL templates line by line
"""IaC scanning: Garrison vs Checkov on terragoat and cfngoat, a generated 700-file Terraform tree, peak memory.

    python benchmarks/iac.py                      # everything (installs Checkov into build/checkov-venv once)
    python benchmarks/iac.py --no-checkov         # Garrison figures only
    python benchmarks/iac.py --refresh-fixtures   # re-run Checkov and rewrite tests/fixtures/iac/checkov/*.json

Checkov is never a dependency of Garrison: it is installed into a throwaway venv under build/ and run with
BC_SKIP_MAPPING=TRUE (no network mapping download). Timings are wall-clock medians of whole CLI runs (process
start included, as a user experiences them). The generated tree is deterministic (seeded) and lives in build/.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
CHECKOV_VENV = BUILD / "checkov-venv"
CHECKOV_VERSION = "3.3.30"
CORPUS = Path(os.environ.get("GARRISON_CORPUS", ROOT.parent / "shared" / "data"))
TERRAGOAT = CORPUS / "iac" / "terragoat" / "terraform"
CFNGOAT = CORPUS / "iac" / "cfngoat"
FIXTURES = ROOT / "tests" / "fixtures" / "iac" / "checkov"
GARRISON = [sys.executable, "-m", "garrison"]


def timed(cmd: list[str], runs: int, env: dict[str, str] | None = None, cwd: Path | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False)
        out.append(time.perf_counter() - t0)
    return out


def garrison_cmd(path: Path) -> list[str]:
    return [
        *GARRISON,
        "scan",
        str(path),
        "--analyzer",
        "iac",
        "--format",
        "json=/dev/null",
        "--no-progress",
        "--fail-on",
        "none",
    ]


def ensure_checkov() -> Path:
    exe = CHECKOV_VENV / "bin" / "checkov"
    if not exe.exists():
        print(f"installing checkov=={CHECKOV_VERSION} into {CHECKOV_VENV} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run([str(CHECKOV_VENV / "bin" / "pip"), "install", "-q", f"checkov=={CHECKOV_VERSION}"], check=True)
    return exe


def checkov_env() -> dict[str, str]:
    return {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}


def checkov_cmd(exe: Path, target: Path, framework: str) -> list[str]:
    return [str(exe), "-d", str(target), "--framework", framework, "--quiet", "--compact", "-o", "json"]


def refresh_fixtures(exe: Path) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, target, framework in (("terragoat", TERRAGOAT, "terraform"), ("cfngoat", CFNGOAT, "cloudformation")):
        cmd = checkov_cmd(exe, Path("."), framework)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=checkov_env(), cwd=target, check=False)
        data = json.loads(proc.stdout)
        reports = data if isinstance(data, list) else [data]
        failures = []
        version = ""
        for rep in reports:
            version = rep.get("summary", {}).get("checkov_version", version)
            for f in rep["results"]["failed_checks"]:
                failures.append(
                    {
                        "check_id": f["check_id"],
                        "resource": f["resource"],
                        "file": f["file_path"].lstrip("/"),
                        "lines": f["file_line_range"],
                    }
                )
        failures.sort(key=lambda x: (x["file"], x["resource"], x["check_id"]))
        doc = {
            "checkov_version": version,
            "command": f"cd {target.relative_to(CORPUS.parent) if target.is_relative_to(CORPUS.parent) else target} && "
            f"BC_SKIP_MAPPING=TRUE checkov -d . --framework {framework} --quiet --compact -o json",
            "failed": failures,
        }
        (FIXTURES / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {FIXTURES / (name + '.json')} ({len(failures)} failures, checkov {version})")


def generate_tree(root: Path, files: int = 700, seed: int = 7) -> int:
    """A deterministic Terraform tree: a root with nested local modules, count/for_each, ~50k lines."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(seed)
    lines = 0
    per_module = 10
    modules = files // per_module
    for m in range(modules):
        d = root / "modules" / f"m{m:03d}"
        d.mkdir(parents=True)
        for f in range(per_module - 1):
            body = [f'variable "v{f}" {{\n  default = "{rng.randint(0, 9999)}"\n}}\n']
            for r in range(9):
                n = f"b{f}_{r}"
                kind = rng.choice(["s3", "sg", "db", "inst"])
                if kind == "s3":
                    body.append(
                        f'resource "aws_s3_bucket" "{n}" {{\n  count  = 2\n  bucket = "${{var.prefix}}-{n}-${{count.index}}"\n'
                        f'  acl    = "{rng.choice(["private", "public-read"])}"\n  versioning {{\n    enabled = {rng.choice(["true", "false"])}\n  }}\n'
                        f'  tags = merge(local.tags, {{ Name = "{n}" }})\n}}\n'
                    )
                elif kind == "sg":
                    body.append(
                        f'resource "aws_security_group" "{n}" {{\n  name        = "{n}"\n  description = "generated"\n'
                        f'  dynamic "ingress" {{\n    for_each = local.ports\n    content {{\n      from_port   = ingress.value\n'
                        f'      to_port     = ingress.value\n      protocol    = "tcp"\n      cidr_blocks = ["{rng.choice(["0.0.0.0/0", "10.0.0.0/8"])}"]\n'
                        f"    }}\n  }}\n}}\n"
                    )
                elif kind == "db":
                    body.append(
                        f'resource "aws_db_instance" "{n}" {{\n  for_each            = toset(["a", "b"])\n  identifier          = "{n}-${{each.key}}"\n'
                        f'  engine              = "postgres"\n  instance_class      = "db.t3.micro"\n'
                        f"  storage_encrypted   = {rng.choice(['true', 'false'])}\n  publicly_accessible = false\n}}\n"
                    )
                else:
                    body.append(
                        f'resource "aws_instance" "{n}" {{\n  ami           = "ami-{rng.randint(10**7, 10**8)}"\n  instance_type = "t3.micro"\n'
                        f'  metadata_options {{\n    http_tokens = "{rng.choice(["required", "optional"])}"\n  }}\n'
                        f"  root_block_device {{\n    encrypted = true\n  }}\n}}\n"
                    )
            text = "\n".join(body)
            (d / f"r{f}.tf").write_text(text)
            lines += text.count("\n")
        vars_tf = (
            'variable "prefix" {\n  default = "gen"\n}\n\nlocals {\n  ports = [22, 443, 8080]\n'
            '  tags  = { Owner = "bench", Module = "m" }\n}\n'
        )
        if m + 1 < modules and m % 2 == 0:
            vars_tf += f'\nmodule "child" {{\n  source = "../m{m + 1:03d}"\n  prefix = "${{var.prefix}}-c"\n}}\n'
        (d / "variables.tf").write_text(vars_tf)
        lines += vars_tf.count("\n")
    main = "\n".join(
        f'module "m{m:03d}" {{\n  source = "./modules/m{m:03d}"\n  prefix = "root{m}"\n}}\n'
        for m in range(0, modules, 2)
    )
    (root / "main.tf").write_text(main)
    return lines + main.count("\n")


def subset(tree: Path, fraction: float, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    mods = sorted((tree / "modules").iterdir())
    keep = mods[: max(2, int(len(mods) * fraction)) // 2 * 2]
    (dest / "modules").mkdir(parents=True)
    for m in keep:
        shutil.copytree(m, dest / "modules" / m.name)
    last = keep[-1].name
    # a chain must not point past the subset
    text = (dest / "modules" / last / "variables.tf").read_text()
    (dest / "modules" / last / "variables.tf").write_text(text.split('\nmodule "child"')[0])
    main = "\n".join(
        f'module "{m.name}" {{\n  source = "./modules/{m.name}"\n  prefix = "root"\n}}\n'
        for i, m in enumerate(keep)
        if i % 2 == 0
    )
    (dest / "main.tf").write_text(main)


def peak_memory(path: Path) -> float:
    code = (
        "import resource, sys\n"
        "from garrison.cli.main import main\n"
        f"main(['scan', {str(path)!r}, '--analyzer', 'iac', '--format', 'json=/dev/null', '--no-progress', '--fail-on', 'none'])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return int(out[-1]) / 1024.0


def main() -> int:
    import _common

    _common.ensure_bytecode()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-checkov", action="store_true")
    ap.add_argument("--refresh-fixtures", action="store_true")
    args = ap.parse_args()

    if args.refresh_fixtures:
        refresh_fixtures(ensure_checkov())
        return 0

    # An installed Garrison has compiled bytecode (pip compiles at install time, as it did for Checkov's venv);
    # an editable checkout under PYTHONDONTWRITEBYTECODE=1 would recompile every module on every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "garrison")], check=True)
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} (shared; figures are noisy)")
    results: dict[str, float] = {}
    for name, target, framework in (
        ("terragoat/terraform", TERRAGOAT, "terraform"),
        ("cfngoat", CFNGOAT, "cloudformation"),
    ):
        g = statistics.median(timed(garrison_cmd(target), args.runs))
        results[name] = g
        line = f"{name:22s} garrison median {g:6.3f} s"
        if not args.no_checkov:
            exe = ensure_checkov()
            c = statistics.median(
                timed(checkov_cmd(exe, target, framework), max(1, min(args.runs, 3)), env=checkov_env())
            )
            line += f" | checkov {CHECKOV_VERSION} median {c:6.3f} s | garrison is {c / g:5.1f}x faster"
        print(line, flush=True)

    mem = peak_memory(TERRAGOAT)
    print(f"peak RSS scanning terragoat (subprocess): {mem:.1f} MB")

    tree = BUILD / "iac-bench-tree"
    lines = generate_tree(tree)
    nfiles = sum(1 for _ in tree.rglob("*.tf"))
    print(f"generated tree: {nfiles} files, {lines} lines, nested modules, count/for_each/dynamic")
    for frac in (0.25, 0.5, 1.0):
        target = tree if frac == 1.0 else BUILD / f"iac-bench-tree-{int(frac * 100)}"
        if frac != 1.0:
            subset(tree, frac, target)
        n = sum(1 for _ in target.rglob("*.tf"))
        runs = timed(garrison_cmd(target), max(1, args.runs // 2))
        print(f"  {int(frac * 100):3d}% ({n:4d} files): garrison median {statistics.median(runs):6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
