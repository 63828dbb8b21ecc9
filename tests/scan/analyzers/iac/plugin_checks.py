"""Python checks as a third-party distribution would ship them (used by test_plugins.py through entry points)."""

from __future__ import annotations

from garrison.scan.analyzers.iac.checks.base import PASS, Check, Fail, Outcome, check
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource


def _owner_tag(r: Resource, g: Graph) -> Outcome:
    tags = r.get("tags")
    return PASS if isinstance(tags, dict) and "Owner" in tags else Fail("the bucket has no Owner tag")


OWNER_TAG = check(
    "acme.s3-owner-tag",
    "S3 bucket has no Owner tag",
    "medium",
    "aws_s3_bucket",
    _owner_tag,
    remediation="Tag every bucket with its owning team.",
    platform="aws",
)


def factory() -> list[Check]:
    """An entry point may also be a callable returning the checks."""
    return [
        check(
            "acme.ebs-size-cap",
            "EBS volume larger than 1 TiB",
            "low",
            "aws_ebs_volume",
            lambda r, g: Fail("over 1 TiB") if isinstance(r.get("size"), int) and r.get("size") > 1024 else PASS,
            platform="aws",
        )
    ]


def _explode(r: Resource, g: Graph) -> Outcome:
    raise RuntimeError("plugin bug")


CHECKS = [OWNER_TAG]
NOT_CHECKS = ["iac.aws.s3-versioning", OWNER_TAG]
DUPLICATE = [check("iac.aws.s3-versioning", "shadowing a built-in", "low", "aws_s3_bucket", lambda r, g: PASS)]
EXPLODING = [check("acme.explodes", "raises on every resource", "low", "aws_s3_bucket", _explode)]


def broken_factory() -> list[Check]:
    raise ValueError("cannot reach the policy server")
