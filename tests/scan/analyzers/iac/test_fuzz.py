"""Hostile and malformed input to every IaC parser: a recorded error or a result, never a crash or a hang.

Seeds are real files (terragoat, cfngoat, the demo project); hypothesis mutates them.
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.scan.analyzers.iac.parsers.load import load_resources

REPO = Path(__file__).resolve().parents[4]
CORPUS = REPO.parent / "shared" / "data" / "iac"


def _seed(path: Path, limit: int = 6000) -> str:
    return path.read_text(errors="replace")[:limit] if path.exists() else ""


SEEDS = {
    "main.tf": [
        _seed(CORPUS / "terragoat/terraform/aws/s3.tf"),
        _seed(CORPUS / "terragoat/terraform/aws/db-app.tf"),
        _seed(REPO / "examples/insecure-app/infra/main.tf"),
    ],
    "template.yaml": [_seed(CORPUS / "cfngoat/cfngoat.yaml"), _seed(CORPUS / "cfngoat/eks.yaml")],
    "k8s.yaml": [_seed(REPO / "examples/insecure-app/k8s/deployment.yaml")],
    "Dockerfile": [
        _seed(REPO / "examples/insecure-app/Dockerfile"),
        _seed(CORPUS / "terragoat/terraform/aws/resources/Dockerfile"),
    ],
    "docker-compose.yml": [_seed(REPO / "examples/insecure-app/docker-compose.yml")],
    "tfplan.json": ['{"format_version": "1.2", "planned_values": {"root_module": {"resources": []}}}'],
}

HOSTILE = [
    "a = " + "[" * 5000 + "]" * 5000 + "\n",
    'locals { x = range(100000000) }\nresource "aws_s3_bucket" "b" { count = 100000000 }\n',
    "a: &a [" + ",".join(["*a"] * 5) + "]\nb: &b [" + ",".join(["*a"] * 50) + "]\nc: [" + ",".join(["*b"] * 50) + "]\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "FROM x\nRUN " + "\\\n" * 10000 + "echo\n",
    'locals {\n  a = local.b\n  b = local.a\n}\nresource "aws_ebs_volume" "v" { encrypted = local.a }\n',
]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    base = draw(st.sampled_from([s for s in SEEDS[name] if s] or [""]))
    ops = draw(st.lists(st.tuples(st.integers(0, max(len(base), 1)), st.text(max_size=12)), max_size=6))
    text = base
    for pos, ins in ops:
        cut = draw(st.integers(0, 8))
        text = text[:pos] + ins + text[pos + cut :]
    return name, text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_real_files_never_crash(case: tuple[str, str]) -> None:
    name, text = case
    errors: list[tuple[str | None, str]] = []
    result = load_resources({name: text}, lambda p, m: errors.append((p, m)))
    for path, message in errors:
        assert path is not None and "\n" not in message
    assert isinstance(result.resources, list)


def test_hostile_inputs_are_bounded() -> None:
    for i, text in enumerate(HOSTILE):
        name = ["main.tf", "main.tf", "k8s.yaml", "k8s.yaml", "Dockerfile", "main.tf"][i]
        errors: list[tuple[str | None, str]] = []
        t0 = time.perf_counter()
        load_resources({name: text}, lambda p, m: errors.append((p, m)))
        assert time.perf_counter() - t0 < 20, name
