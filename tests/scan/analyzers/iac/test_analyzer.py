"""The iac analyzer end to end: the demo project, evaluation semantics, graph checks, suppression, custom checks,
bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from garrison.core.errors import ConfigError
from garrison.core.finding import Finding
from garrison.scan.analyzers.iac.checks import builtin_checks

from .helpers import scan_dir, scan_files

REPO = Path(__file__).resolve().parents[4]


def _pairs(findings: list[Finding]) -> set[tuple[str, str | None]]:
    return {(f.rule.id, f.location.resource) for f in findings}


def test_catalogue_has_at_least_200_checks_with_metadata() -> None:
    checks = builtin_checks()
    assert len(checks) >= 200
    for c in checks:
        assert c.id.startswith("iac.") and c.title and c.remediation, c.id
        assert c.applies_to, c.id


def test_demo_project_deliberate_problems_are_found() -> None:
    findings, _, ctx = scan_dir(REPO / "examples" / "insecure-app")
    got = _pairs(findings)
    for expected in [
        ("iac.aws.s3-public-acl", "aws_s3_bucket.orders_exports"),
        ("iac.aws.sg-ssh-open", "aws_security_group.admin"),
        ("iac.aws.rds-public", "aws_db_instance.orders"),
        ("iac.aws.rds-encryption", "aws_db_instance.orders"),
        ("iac.aws.iam-admin-policy", "aws_iam_policy.orders_admin"),
        ("iac.docker.root-user", "stage:0"),
        ("iac.docker.base-latest", "stage:0"),
        ("iac.docker.secret-in-env", "stage:0"),
        ("iac.docker.curl-pipe-shell", "stage:0"),
        ("iac.docker.add-instead-of-copy", "stage:0"),
        ("iac.compose.privileged", "services.web"),
        ("iac.compose.host-network", "services.web"),
        ("iac.compose.docker-socket", "services.web"),
        ("iac.k8s.privileged", "Deployment/orders"),
        ("iac.k8s.host-network", "Deployment/orders"),
        ("iac.k8s.host-path-sensitive", "Deployment/orders"),
        ("iac.k8s.rbac-wildcard", "ClusterRole/orders-admin"),
    ]:
        assert expected in got
    assert not ctx.errors
    sg = next(f for f in findings if f.rule.id == "iac.aws.sg-ssh-open")
    assert sg.location.path == "infra/main.tf" and sg.location.region is not None
    assert (sg.location.region.start_line, sg.location.region.end_line) == (18, 35)


TF_MODULES = {
    "main.tf": """
variable "open" { default = true }
locals { cidr = var.open ? "0.0.0.0/0" : "10.0.0.0/8" }
module "net" {
  source = "./modules/net"
  cidr   = local.cidr
  ports  = [22, 443]
}
module "safe" {
  source = "./modules/net"
  cidr   = "10.1.0.0/16"
  ports  = [22]
}
""",
    "modules/net/main.tf": """
variable "cidr" {}
variable "ports" { type = list(number) }
resource "aws_security_group" "sg" {
  description = "per-port"
  dynamic "ingress" {
    for_each = var.ports
    content {
      description = "port ${ingress.value}"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [var.cidr]
    }
  }
}
resource "aws_ebs_volume" "v" {
  for_each          = toset(["a", "b"])
  availability_zone = "eu-west-1${each.key}"
  size              = 10
  encrypted         = each.key == "a"
}
""",
}


def test_modules_locals_conditionals_dynamic_and_for_each(tmp_path: Path) -> None:
    findings, _, ctx = scan_files(tmp_path, TF_MODULES)
    got = _pairs(findings)
    assert ("iac.aws.sg-ssh-open", "module.net.aws_security_group.sg") in got
    assert ("iac.aws.sg-ssh-open", "module.safe.aws_security_group.sg") not in got
    ebs = {r for rid, r in got if rid == "iac.aws.ebs-encryption"}
    assert ebs == {'module.net.aws_ebs_volume.v["b"]', 'module.safe.aws_ebs_volume.v["b"]'}
    f = next(x for x in findings if x.location.resource == "module.net.aws_security_group.sg")
    assert f.location.path == "modules/net/main.tf"
    assert ctx.metadata["resources"] == 6


def test_tfvars_override_defaults_and_unknown_is_never_guessed(tmp_path: Path) -> None:
    files = {
        "main.tf": """
variable "acl" { default = "private" }
variable "enc" {}
resource "aws_s3_bucket" "a" { acl = var.acl }
resource "aws_ebs_volume" "b" {
  availability_zone = "x"
  encrypted         = var.enc
}
""",
        "terraform.tfvars": 'acl = "public-read"\n',
    }
    findings, _, ctx = scan_files(tmp_path, files)
    got = _pairs(findings)
    assert ("iac.aws.s3-public-acl", "aws_s3_bucket.a") in got
    # var.enc has no value: neither a pass nor a failure, but counted as undecidable
    assert ("iac.aws.ebs-encryption", "aws_ebs_volume.b") not in got
    assert ctx.metadata["undecidable_evaluations"] >= 1


def test_graph_public_access_block_and_split_versioning(tmp_path: Path) -> None:
    files = {
        "s3.tf": """
resource "aws_s3_bucket" "guarded" { bucket = "g" }
resource "aws_s3_bucket_public_access_block" "g" {
  bucket                  = aws_s3_bucket.guarded.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_versioning" "g" {
  bucket = aws_s3_bucket.guarded.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket" "naked" { bucket = "n" }
"""
    }
    got = _pairs(scan_files(tmp_path, files)[0])
    assert ("iac.aws.s3-public-access-block", "aws_s3_bucket.naked") in got
    assert ("iac.aws.s3-public-access-block", "aws_s3_bucket.guarded") not in got
    assert ("iac.aws.s3-versioning", "aws_s3_bucket.naked") in got
    assert ("iac.aws.s3-versioning", "aws_s3_bucket.guarded") not in got


def test_security_group_findings_name_what_they_are_attached_to(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "aws_security_group" "ssh" {
  description = "ssh"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
"""
    }
    f = next(x for x in scan_files(tmp_path, files)[0] if x.rule.id == "iac.aws.sg-ssh-open")
    assert "attached to aws_instance.web" in f.message


def test_inline_suppressions_garrison_and_checkov(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "aws_ebs_volume" "a" {
  # garrison:ignore iac.aws.ebs-encryption scratch volume, wiped nightly
  availability_zone = "x"
}
resource "aws_ebs_volume" "b" {
  #checkov:skip=CKV_AWS_3:migrated from checkov
  availability_zone = "x"
}
resource "aws_ebs_volume" "c" {
  availability_zone = "x"
}
"""
    }
    findings, suppressed, _ = scan_files(tmp_path, files)
    enc = {f.location.resource for f in findings if f.rule.id == "iac.aws.ebs-encryption"}
    assert enc == {"aws_ebs_volume.c"}
    by = {
        s.finding.location.resource: s.suppression for s in suppressed if s.finding.rule.id == "iac.aws.ebs-encryption"
    }
    assert by["aws_ebs_volume.a"].reason == "scratch volume, wiped nightly"
    assert by["aws_ebs_volume.a"].source == "main.tf:3"
    assert by["aws_ebs_volume.b"].reason == "migrated from checkov"


def test_cloudformation_intrinsics_and_conditions(tmp_path: Path) -> None:
    files = {
        "template.yaml": """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Encrypt:
    Type: String
    Default: "false"
  Unknown:
    Type: String
Conditions:
  DoEncrypt: !Equals [!Ref Encrypt, "true"]
  Never: !Equals ["a", "b"]
Resources:
  Vol:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: !Select [0, !GetAZs ""]
      Encrypted: !If [DoEncrypt, true, false]
  Vol2:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: x
      Encrypted: !Ref Unknown
  Skipped:
    Type: AWS::EC2::Volume
    Condition: Never
    Properties:
      AvailabilityZone: x
"""
    }
    findings, _, ctx = scan_files(tmp_path, files)
    enc = {f.location.resource for f in findings if f.rule.id == "iac.aws.ebs-encryption"}
    assert enc == {"AWS::EC2::Volume.Vol"}
    assert not ctx.errors


def test_kubernetes_every_workload_kind_reaches_the_pod_spec(tmp_path: Path) -> None:
    pod = "containers: [{name: c, image: 'nginx:1.25', securityContext: {privileged: true}}]"
    docs = [
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {{{pod}}}",
        f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: s}}\nspec: {{template: {{spec: {{{pod}}}}}}}",
        f"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: d}}\nspec: {{template: {{spec: {{{pod}}}}}}}",
        f"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j}}\nspec: {{template: {{spec: {{{pod}}}}}}}",
        f"apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: c}}\nspec: {{jobTemplate: {{spec: {{template: {{spec: {{{pod}}}}}}}}}}}",
        f"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: r}}\nspec: {{template: {{spec: {{{pod}}}}}}}",
    ]
    findings, _, _ = scan_files(tmp_path, {"all.yaml": "\n---\n".join(docs)})
    priv = {f.location.resource for f in findings if f.rule.id == "iac.k8s.privileged"}
    assert priv == {"Pod/p", "StatefulSet/s", "DaemonSet/d", "Job/j", "CronJob/c", "ReplicaSet/r"}


def test_terraform_plan_json(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_ebs_volume.a",
                        "mode": "managed",
                        "type": "aws_ebs_volume",
                        "name": "a",
                        "values": {"encrypted": False},
                    },
                    {
                        "address": "aws_ebs_volume.b",
                        "mode": "managed",
                        "type": "aws_ebs_volume",
                        "name": "b",
                        "values": {"encrypted": None},
                    },
                ]
            }
        },
        "resource_changes": [{"address": "aws_ebs_volume.b", "change": {"after_unknown": {"encrypted": True}}}],
    }
    findings, _, ctx = scan_files(tmp_path, {"tfplan.json": json.dumps(plan, indent=1)})
    enc = {f.location.resource for f in findings if f.rule.id == "iac.aws.ebs-encryption"}
    assert enc == {"aws_ebs_volume.a"}
    assert ctx.metadata["undecidable_evaluations"] >= 1


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.tf", 'resource "a" "b" {\n  x = \n}\n', "invalid HCL"),
        ("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n", "invalid YAML"),
        ("t.yaml", "AWSTemplateFormatVersion: x\nResources:\n  A: !Bogus x\n", "unsupported tag"),
        ("tfplan.json", "{not json", "invalid JSON"),
    ],
)
def test_bad_input_is_a_recorded_error_naming_the_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    findings, _, ctx = scan_files(
        tmp_path, {name: text, "ok.tf": 'resource "aws_ebs_volume" "v" { availability_zone = "x" }\n'}
    )
    assert [(e.path, e.kind) for e in ctx.errors] == [(name, "input")]
    assert message in ctx.errors[0].message and "\n" not in ctx.errors[0].message
    assert any(f.location.resource == "aws_ebs_volume.v" for f in findings)  # the rest of the scan went on


CUSTOM = """
checks:
  - id: acme.s3-owner-tag
    title: S3 buckets carry an Owner tag
    severity: medium
    resource_types: [aws_s3_bucket]
    condition:
      and:
        - {attribute: tags.Owner, operator: exists}
        - not: {attribute: acl, operator: in, value: [public-read, public-read-write]}
  - id: acme.bucket-name
    title: Bucket names follow the convention
    severity: low
    resource_types: [aws_s3_bucket]
    condition: {attribute: bucket, operator: matches, value: "^acme-[a-z]+$"}
  - id: acme.cel-versioning
    title: Versioning via CEL
    severity: low
    resource_types: [aws_s3_bucket]
    cel: 'has(resource.attributes.versioning) && resource.attributes.versioning[0].enabled == true'
"""


def test_custom_yaml_and_cel_checks(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "acme.yaml").write_text(CUSTOM)
    src = tmp_path / "src"
    files = {
        "main.tf": """
variable "name" {}
resource "aws_s3_bucket" "good" {
  bucket = "acme-good"
  acl    = "private"
  tags   = { Owner = "team" }
  versioning { enabled = true }
}
resource "aws_s3_bucket" "bad" {
  bucket = "Bad_Name"
  acl    = "public-read"
}
resource "aws_s3_bucket" "unknown" {
  bucket = var.name
  tags   = { Owner = "x" }
  versioning { enabled = var.name == "x" }
}
"""
    }
    findings, _, _ = scan_files(src, files, {"custom_checks": str(tmp_path / "checks")})
    got = {p for p in _pairs(findings) if p[0].startswith("acme.")}
    assert got == {
        ("acme.s3-owner-tag", "aws_s3_bucket.bad"),
        ("acme.bucket-name", "aws_s3_bucket.bad"),
        ("acme.cel-versioning", "aws_s3_bucket.bad"),
    }


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (
            "id: x\ntitle: t\nseverity: high\nresource_types: [a]\ncondition: {attribute: a, operator: bogus}\n",
            "condition.operator",
        ),
        (
            "id: x\ntitle: t\nseverity: huge\nresource_types: [a]\ncondition: {attribute: a, operator: exists}\n",
            "severity",
        ),
        ("id: x\ntitle: t\nseverity: high\nresource_types: [a]\ncel: 'resource.('\n", "cel"),
        (
            "id: x\ntitle: t\nseverity: high\nresource_types: [a]\ncondition: {attribute: a, operator: matches, value: '(('}\n",
            "condition.value",
        ),
        ("id: x\ntitle: t\nseverity: high\nresource_types: [a]\n", None),
    ],
)
def test_invalid_custom_checks_are_config_errors(tmp_path: Path, doc: str, field: str | None) -> None:
    (tmp_path / "c.yaml").write_text(doc)
    with pytest.raises(ConfigError) as err:
        scan_files(tmp_path / "src", {}, {"custom_checks": str(tmp_path)})
    assert "c.yaml" in err.value.message
    if field:
        assert field in err.value.message


def test_cli_scan_reports_iac_findings_and_exit_code(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "main.tf").write_text('resource "aws_db_instance" "d" {\n  publicly_accessible = true\n}\n')
    r = cli("scan", str(tmp_path), "--analyzer", "iac", "--format", "json", "--no-progress")
    assert r.code == 1
    data = json.loads(r.out)
    f = next(x for x in data["findings"] if x["rule"]["id"] == "iac.aws.rds-public")
    assert f["kind"] == "misconfiguration" and f["location"]["resource"] == "aws_db_instance.d"


def test_unknown_option_is_a_config_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "garrison.toml").write_text('[analyzers.iac]\ncustom_check = "x"\n')
    r = cli("scan", str(tmp_path), "--analyzer", "iac", "--no-progress")
    assert r.code == 2 and "analyzers.iac.custom_check" in r.err
