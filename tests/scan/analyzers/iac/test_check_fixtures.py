"""Every built-in check, on every platform it applies to, has a failing and a passing fixture.

Layout: ``tests/fixtures/iac/checks/<platform>/<provider>/<name>.<fail|pass>.<ext>`` holds the fixtures of check
``iac.<provider>.<name>`` — a small, realistic Terraform file, CloudFormation template, Kubernetes manifest,
Dockerfile or Compose file. A fail fixture lists the findings it must produce, one ``# expect: <address>`` line per
finding (repeat the line when the check fails several times on one resource). The assertions:

* the fail fixture yields exactly the expected findings of its check (as a multiset of resource addresses);
* the pass fixture yields no finding of its check, and the check *decides* PASS on every resource of the
  fixture it applies to (an undecided check would also yield nothing, which proves nothing);
* every fixture parses without analyzer errors, and every check has both fixtures on each of its platforms.

All fixtures are scanned in one analyzer run; each fixture is its own project (its own directory), so fixtures
cannot vouch for each other through the reference graph.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from garrison.core.finding import Finding
from garrison.core.options import Options
from garrison.scan.analyzer import ScanContext
from garrison.scan.analyzers.iac.analyzer import IacAnalyzer
from garrison.scan.analyzers.iac.checks import builtin_checks
from garrison.scan.analyzers.iac.checks.base import Check, normalise
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource
from garrison.scan.analyzers.iac.parsers.load import load_resources
from garrison.scan.source import BytesOrigin, SourceFile

ROOT = Path(__file__).resolve().parents[3] / "fixtures" / "iac" / "checks"

#: platform -> (fixture file extension, the file name the fixture is scanned as)
PLATFORMS = {
    "terraform": ("tf", "main.tf"),
    "cloudformation": ("yaml", "template.yaml"),
    "kubernetes": ("yaml", "manifest.yaml"),
    "dockerfile": ("Dockerfile", "Dockerfile"),
    "compose": ("yaml", "compose.yaml"),
}
#: checks for which the resource itself is the finding; their pass fixture shows the alternative configuration
PRESENCE_ONLY = frozenset({"iac.aws.iam-user"})
_EXPECT = re.compile(r"^\s*#\s*expect:\s*(\S+)\s*$", re.M)


def platforms_of(check: Check) -> set[str]:
    out = set()
    for t in check.applies_to:
        if t.startswith("AWS::"):
            out.add("cloudformation")
        elif t == "dockerfile_stage":
            out.add("dockerfile")
        elif t == "compose_service":
            out.add("compose")
        elif t[:1].isupper():
            out.add("kubernetes")
        else:
            out.add("terraform")
    return out


@dataclass(frozen=True)
class Fixture:
    check_id: str
    platform: str
    outcome: str  # fail | pass
    file: Path

    @property
    def key(self) -> str:
        return f"{self.platform}/{self.check_id.removeprefix('iac.')}.{self.outcome}"

    @property
    def virtual_path(self) -> str:
        """Where the analyzer sees it: a directory of its own (a Terraform module of its own)."""
        return f"{self.platform}/{self.check_id}/{self.outcome}/{PLATFORMS[self.platform][1]}"

    def text(self) -> str:
        return self.file.read_text()

    def expected(self) -> list[str]:
        return sorted(_EXPECT.findall(self.text()))


def discover() -> list[Fixture]:
    out = []
    for platform, (ext, _) in PLATFORMS.items():
        for f in sorted((ROOT / platform).glob(f"*/*.*.{ext}")):
            name, _, rest = f.name.partition(".")
            outcome = rest.removesuffix(f".{ext}")
            out.append(Fixture(f"iac.{f.parent.name}.{name}", platform, outcome, f))
    return out


FIXTURES = discover()


@dataclass
class Scanned:
    findings: dict[str, list[Finding]]  # virtual path -> findings
    resources: dict[str, list[Resource]]  # virtual path -> resources
    graph: Graph
    errors: list[str]


@cache
def scanned() -> Scanned:
    analyzer = IacAnalyzer(Options({}, where="analyzers.iac"))
    files = []
    texts = {}
    for fx in FIXTURES:
        data = fx.file.read_bytes()
        files.append(SourceFile(path=fx.virtual_path, size=len(data), origin=BytesOrigin(data)))
        texts[fx.virtual_path] = data.decode()
    assert all(analyzer.wants(f) for f in files)
    ctx = ScanContext(root=ROOT)
    findings: dict[str, list[Finding]] = defaultdict(list)
    for f in analyzer.analyze(files, ctx):
        assert isinstance(f, Finding), f  # no fixture suppresses anything
        findings[f.location.path or ""].append(f)
    errors = [f"{e.path}: {e.message}" for e in ctx.errors]
    loaded = load_resources(texts, lambda p, m: errors.append(f"{p}: {m}"))
    resources: dict[str, list[Resource]] = defaultdict(list)
    for r in loaded.resources:
        resources[r.path].append(r)
    return Scanned(findings, resources, Graph(loaded.resources), errors)


CHECKS = {c.id: c for c in builtin_checks()}


def test_every_check_has_a_fail_and_a_pass_fixture_on_each_platform() -> None:
    required = {
        f"{p}/{c.id.removeprefix('iac.')}.{o}"
        for c in CHECKS.values()
        for p in platforms_of(c)
        for o in ("fail", "pass")
    }
    present = {fx.key for fx in FIXTURES}
    assert sorted(required - present) == []
    assert sorted(present - required) == []  # no fixture for an unknown check, platform or outcome


def test_fixtures_parse_without_errors() -> None:
    assert scanned().errors == []


@pytest.mark.parametrize("fx", [f for f in FIXTURES if f.outcome == "fail"], ids=lambda f: f.key)
def test_fail_fixture_yields_exactly_the_expected_findings(fx: Fixture) -> None:
    expected = fx.expected()
    assert expected, f"{fx.file} lists no '# expect: <address>' line"
    got = sorted(
        f.location.resource or "" for f in scanned().findings.get(fx.virtual_path, []) if f.rule.id == fx.check_id
    )
    assert got == expected


@pytest.mark.parametrize("fx", [f for f in FIXTURES if f.outcome == "pass"], ids=lambda f: f.key)
def test_pass_fixture_is_decided_pass(fx: Fixture) -> None:
    assert fx.expected() == [], f"{fx.file}: a pass fixture expects nothing"
    s = scanned()
    assert [f.message for f in s.findings.get(fx.virtual_path, []) if f.rule.id == fx.check_id] == []
    check = CHECKS[fx.check_id]
    applicable = [r for r in s.resources.get(fx.virtual_path, []) if check.applies(r)]
    if fx.check_id in PRESENCE_ONLY:
        assert applicable == [], f"{fx.file}: the compliant form of {fx.check_id} has no such resource"
        return
    assert applicable, f"{fx.file} has no resource {fx.check_id} applies to"
    for r in applicable:
        fails, undecided = normalise(check.predicate(r, s.graph))
        assert (fails, undecided) == ([], False), f"{r.address}: {'undecided' if undecided else fails}"
