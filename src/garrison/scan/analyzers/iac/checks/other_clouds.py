"""Alibaba Cloud and Oracle Cloud (OCI): object storage, databases, audit trails."""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, check
from garrison.scan.analyzers.iac.checks.dsl import equals, is_true, not_in, present
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource, as_list, is_unknown

NIST = "NIST 800-53 Rev5"
OSS = "alicloud_oss_bucket"
ARDS = "alicloud_db_instance"
OCI_BUCKET = "oci_objectstorage_bucket"


def _c(
    id: str, title: str, sev: str, types: Any, pred: Any, fix: str, fw: list[str], ckv: list[str], platform: str
) -> Any:
    return check(id, title, sev, types, pred, remediation=fix, fw=fw, ckv=ckv, platform=platform)


def _ali_public_ips(r: Resource, g: Graph) -> Outcome:
    ips = r.get("security_ips")
    if is_unknown(ips):
        return UNDECIDED
    return (
        Fail("security_ips admits 0.0.0.0/0") if any(str(i) in ("0.0.0.0", "0.0.0.0/0") for i in as_list(ips)) else PASS
    )


CHECKS = [
    _c(
        "iac.alicloud.oss-public",
        "OSS bucket is public",
        "critical",
        OSS,
        not_in("acl", ["public-read", "public-read-write"]),
        'Set acl = "private".',
        [f"{NIST}:AC-3"],
        ["CKV_ALI_1"],
        "alicloud",
    ),
    _c(
        "iac.alicloud.oss-versioning",
        "OSS bucket versioning is disabled",
        "low",
        OSS,
        equals("versioning.status", "Enabled"),
        'Set versioning { status = "Enabled" }.',
        [f"{NIST}:CP-9"],
        ["CKV_ALI_10"],
        "alicloud",
    ),
    _c(
        "iac.alicloud.oss-logging",
        "OSS bucket access logging is disabled",
        "low",
        OSS,
        present("logging"),
        "Configure logging.",
        [f"{NIST}:AU-12"],
        ["CKV_ALI_12"],
        "alicloud",
    ),
    _c(
        "iac.alicloud.oss-cmk",
        "OSS bucket is not encrypted with a customer key",
        "low",
        OSS,
        lambda r, g: present("server_side_encryption_rule.kms_master_key_id")(r, g),
        "Configure server_side_encryption_rule with KMS.",
        [f"{NIST}:SC-12"],
        ["CKV_ALI_6"],
        "alicloud",
    ),
    _c(
        "iac.alicloud.rds-public",
        "RDS instance admits 0.0.0.0/0",
        "critical",
        ARDS,
        _ali_public_ips,
        "Restrict security_ips.",
        [f"{NIST}:SC-7"],
        ["CKV_ALI_9"],
        "alicloud",
    ),
    _c(
        "iac.alicloud.rds-ssl",
        "RDS instance does not use SSL",
        "medium",
        ARDS,
        equals("ssl_action", "Open"),
        'Set ssl_action = "Open".',
        [f"{NIST}:SC-8"],
        ["CKV_ALI_20"],
        "alicloud",
    ),
    _c(
        "iac.alicloud.rds-minor-upgrade",
        "RDS instance does not auto-upgrade minor versions",
        "low",
        ARDS,
        equals("auto_upgrade_minor_version", "Auto"),
        'Set auto_upgrade_minor_version = "Auto".',
        [f"{NIST}:SI-2"],
        ["CKV_ALI_30"],
        "alicloud",
    ),
    _c(
        "iac.alicloud.trail-all-regions",
        "ActionTrail does not cover all regions",
        "medium",
        "alicloud_actiontrail_trail",
        equals("trail_region", "All"),
        'Set trail_region = "All".',
        [f"{NIST}:AU-12"],
        ["CKV_ALI_4"],
        "alicloud",
    ),
    _c(
        "iac.alicloud.trail-all-events",
        "ActionTrail does not log all events",
        "medium",
        "alicloud_actiontrail_trail",
        equals("event_rw", "All"),
        'Set event_rw = "All".',
        [f"{NIST}:AU-2"],
        ["CKV_ALI_5"],
        "alicloud",
    ),
    _c(
        "iac.oci.bucket-public",
        "OCI bucket is public",
        "critical",
        OCI_BUCKET,
        equals("access_type", "NoPublicAccess", missing=True),
        'Set access_type = "NoPublicAccess".',
        [f"{NIST}:AC-3"],
        ["CKV_OCI_10"],
        "oci",
    ),
    _c(
        "iac.oci.bucket-versioning",
        "OCI bucket versioning is disabled",
        "low",
        OCI_BUCKET,
        equals("versioning", "Enabled"),
        'Set versioning = "Enabled".',
        [f"{NIST}:CP-9"],
        ["CKV_OCI_8"],
        "oci",
    ),
    _c(
        "iac.oci.bucket-cmk",
        "OCI bucket is not encrypted with a customer key",
        "low",
        OCI_BUCKET,
        present("kms_key_id"),
        "Set kms_key_id.",
        [f"{NIST}:SC-12"],
        ["CKV_OCI_9"],
        "oci",
    ),
    _c(
        "iac.oci.bucket-events",
        "OCI bucket does not emit object events",
        "low",
        OCI_BUCKET,
        is_true("object_events_enabled"),
        "Set object_events_enabled = true.",
        [f"{NIST}:SI-4"],
        ["CKV_OCI_7"],
        "oci",
    ),
]
