"""Terraform JSON syntax (``*.tf.json``): the same configuration in HCL and in JSON yields the same resources
and the same findings; bad JSON is a recorded error naming the file; the reader is fuzzed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.scan.analyzers.iac.parsers.load import classify, load_resources

from .helpers import scan_dir, scan_files

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "iac" / "tfjson"


def _scan(root: Path) -> tuple[set[tuple[str, str]], int, list[str]]:
    findings, _, ctx = scan_dir(root)
    pairs = {(f.rule.id, f.location.resource or "") for f in findings}
    return pairs, ctx.metadata["resources"], [e.message for e in ctx.errors]


@pytest.mark.parametrize("scenario", ["storage", "network", "modules"])
def test_json_and_hcl_spellings_give_the_same_findings(scenario: str) -> None:
    hcl_pairs, hcl_count, hcl_errors = _scan(FIXTURES / scenario / "hcl")
    json_pairs, json_count, json_errors = _scan(FIXTURES / scenario / "json")
    assert hcl_errors == [] and json_errors == []
    assert len(hcl_pairs) >= 5
    assert (json_pairs, json_count) == (hcl_pairs, hcl_count)


def test_the_scenarios_exercise_what_they_claim() -> None:
    pairs, _, _ = _scan(FIXTURES / "network" / "json")
    # dynamic blocks over a variable, count and for_each instances, the subnet graph, conditionals in templates
    assert ("iac.aws.sg-ssh-open", "aws_security_group.web") in pairs
    assert ("iac.aws.sg-rdp-open", "aws_security_group.web") in pairs
    assert {r for rid, r in pairs if rid == "iac.aws.subnet-public-ip"} == {
        "aws_subnet.public[0]",
        "aws_subnet.public[1]",
    }
    assert {r for rid, r in pairs if rid == "iac.aws.ec2-imdsv2"} == {'aws_instance.web["b"]'}
    assert ("iac.aws.ec2-public-ip", 'aws_instance.web["a"]') in pairs
    pairs, _, _ = _scan(FIXTURES / "modules" / "json")
    assert {r for rid, r in pairs if rid == "iac.aws.rds-public"} == {"module.orders_db.aws_db_instance.this"}
    pairs, _, _ = _scan(FIXTURES / "storage" / "json")
    assert ("iac.aws.s3-pab-all-flags", "aws_s3_bucket_public_access_block.data") in pairs
    assert ("iac.aws.s3-secure-transport", "aws_s3_bucket.data") not in pairs  # the jsonencode() policy counts
    assert ("iac.aws.iam-service-wildcard", "aws_iam_policy.reader") in pairs  # a JSON-escaped policy string


def test_findings_point_at_the_resource_lines_in_the_json_file() -> None:
    findings, _, _ = scan_dir(FIXTURES / "modules" / "json")
    f = next(x for x in findings if x.rule.id == "iac.aws.rds-public")
    assert f.location.path == "modules/db/main.tf.json"
    assert f.location.region is not None
    assert (f.location.region.start_line, f.location.region.end_line) == (4, 11)


def test_tf_json_is_terraform_and_other_json_is_not() -> None:
    assert classify("infra/main.tf.json") == "terraform"
    assert classify("infra/override.tf.json") == "terraform"
    assert classify("infra/terraform.tfvars.json") == "tfvars"
    assert classify("infra/template.json") == "json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}', "invalid Terraform JSON"),
        ('["not", "an", "object"]', "must be one JSON object"),
        ('{"resource": {"aws_s3_bucket": ["oops"]}}', "must be an object, found str"),
        ('{"resource": {"aws_s3_bucket": {"b": {"bucket": "${unterminated"}}}}', "unterminated interpolation"),
        ('{"resource": {"aws_s3_bucket": {"b": {"bucket": "${var.}"}}}}', "invalid HCL"),
    ],
)
def test_bad_json_is_a_recorded_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    _, _, ctx = scan_files(tmp_path, {"main.tf.json": text, "ok.tf": 'resource "aws_s3_bucket" "ok" {}\n'})
    assert [(e.path, e.kind) for e in ctx.errors] == [("main.tf.json", "input")]
    assert message in ctx.errors[0].message and "\n" not in ctx.errors[0].message
    assert ctx.metadata["resources"] == 1  # the other file of the module is still read


SEED = (FIXTURES / "network" / "json" / "main.tf.json").read_text()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SEED)), st.integers(0, 6), st.text(max_size=8)), max_size=5))
def test_mutated_tf_json_never_crashes(edits: list[tuple[int, int, str]]) -> None:
    text = SEED
    for pos, cut, ins in edits:
        text = text[:pos] + ins + text[pos + cut :]
    errors: list[tuple[str | None, str]] = []
    result = load_resources({"main.tf.json": text}, lambda p, m: errors.append((p, m)))
    assert all(p == "main.tf.json" and "\n" not in m for p, m in errors)
    assert isinstance(result.resources, list)


def test_hostile_tf_json_is_bounded(tmp_path: Path) -> None:
    deep = '{"locals": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"
    _, _, ctx = scan_files(tmp_path, {"main.tf.json": deep})
    assert ctx.errors and "nested too deeply" in ctx.errors[0].message
