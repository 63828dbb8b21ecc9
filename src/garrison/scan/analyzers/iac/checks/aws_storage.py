"""AWS storage: S3 (inline blocks and the v4 split resources, graph-aware), EBS, EFS, S3 objects, CloudFormation."""

from __future__ import annotations

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, Predicate, all_of, check
from garrison.scan.analyzers.iac.checks.dsl import equals, is_true, present, truth, unset
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource, is_unknown

S3 = "aws_s3_bucket"
CFN_S3 = "AWS::S3::Bucket"
S3_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
CIS = "CIS AWS Foundations 1.5"
NIST = "NIST 800-53 Rev5"


def _related(r: Resource, g: Graph, rtype: str) -> list[Resource]:
    """Split S3 configuration resources (provider v4+) that reference this bucket."""
    return g.referencing(r, rtype)


def _s3_versioning(r: Resource, g: Graph) -> Outcome:
    if r.type == CFN_S3:
        return equals("VersioningConfiguration.Status", "Enabled", message="versioning is not enabled")(r, g)
    v = r.get("versioning.enabled")
    if truth(v) is True:
        return PASS
    for sv in _related(r, g, "aws_s3_bucket_versioning"):
        status = sv.get("versioning_configuration.status")
        if is_unknown(status):
            return UNDECIDED
        if isinstance(status, str) and status.lower() == "enabled":
            return PASS
    if is_unknown(v):
        return UNDECIDED
    return Fail("versioning is not enabled")


def _s3_logging(r: Resource, g: Graph) -> Outcome:
    if r.type == CFN_S3:
        return present("LoggingConfiguration", message="access logging is not configured")(r, g)
    if not unset(r.get("logging")) or _related(r, g, "aws_s3_bucket_logging"):
        return PASS
    return Fail("access logging is not configured")


def _sse_rules(r: Resource, g: Graph) -> list[object]:
    algos = r.all("server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm")
    for cfg in _related(r, g, "aws_s3_bucket_server_side_encryption_configuration"):
        algos += cfg.all("rule.apply_server_side_encryption_by_default.sse_algorithm")
    return algos


def _s3_encryption(r: Resource, g: Graph) -> Outcome:
    if r.type == CFN_S3:
        return present("BucketEncryption", message="default encryption is not configured")(r, g)
    return PASS if _sse_rules(r, g) else Fail("server-side encryption is not configured explicitly")


def _s3_kms(r: Resource, g: Graph) -> Outcome:
    if r.type == CFN_S3:
        algos = r.all("BucketEncryption.ServerSideEncryptionConfiguration.ServerSideEncryptionByDefault.SSEAlgorithm")
    else:
        algos = _sse_rules(r, g)
    if any(isinstance(a, str) and a.startswith("aws:kms") for a in algos):
        return PASS
    if any(is_unknown(a) for a in algos):
        return UNDECIDED
    return Fail("default encryption does not use a KMS key")


_PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read", "PublicRead", "PublicReadWrite"}


def _s3_public_acl(r: Resource, g: Graph) -> Outcome:
    acl = r.get("AccessControl") if r.type == CFN_S3 else r.get("acl")
    acls = [acl] + [a.get("acl") for a in _related(r, g, "aws_s3_bucket_acl")]
    for a in acls:
        if is_unknown(a):
            return UNDECIDED
        if isinstance(a, str) and a in _PUBLIC_ACLS:
            return Fail(f"canned ACL {a!r} grants access to everyone")
    return PASS


_PAB_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
_CFN_PAB = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def _pab_flag(i: int) -> Predicate:
    def run(r: Resource, g: Graph) -> Outcome:
        if r.type == CFN_S3:
            v = r.get(f"PublicAccessBlockConfiguration.{_CFN_PAB[i]}")
            t = truth(v)
            if t is None and not unset(v):
                return UNDECIDED
            return PASS if t else Fail(f"PublicAccessBlockConfiguration.{_CFN_PAB[i]} is not true")
        blocks = _related(r, g, "aws_s3_bucket_public_access_block")
        if not blocks:
            return Fail("no aws_s3_bucket_public_access_block references this bucket")
        for b in blocks:
            t = truth(b.get(_PAB_FLAGS[i]))
            if t is True:
                return PASS
            if t is None and not unset(b.get(_PAB_FLAGS[i])):
                return UNDECIDED
        return Fail(f"the public access block does not set {_PAB_FLAGS[i]}")

    return run


def _has_pab(r: Resource, g: Graph) -> Outcome:
    if _related(r, g, "aws_s3_bucket_public_access_block"):
        return PASS
    return Fail("no aws_s3_bucket_public_access_block references this bucket")


def _s3_policy_secure_transport(r: Resource, g: Graph) -> Outcome:
    from garrison.scan.analyzers.iac.checks.aws_iam import statements

    policies = [p.get("policy") for p in _related(r, g, "aws_s3_bucket_policy")]
    if not unset(r.get("policy")):
        policies.append(r.get("policy"))
    undecided = False
    for pol in policies:
        stmts = statements(pol)
        if stmts is None:
            undecided = True
            continue
        for s in stmts:
            cond = s.get("Condition") or {}
            if str(s.get("Effect", "")).lower() == "deny" and "aws:SecureTransport" in str(cond):
                return PASS
    return UNDECIDED if undecided else Fail("no bucket policy denies requests without TLS (aws:SecureTransport)")


def _s3_lifecycle(r: Resource, g: Graph) -> Outcome:
    if r.type == CFN_S3:
        return present("LifecycleConfiguration", message="no lifecycle configuration")(r, g)
    if not unset(r.get("lifecycle_rule")) or _related(r, g, "aws_s3_bucket_lifecycle_configuration"):
        return PASS
    return Fail("no lifecycle configuration")


def _s3_notifications(r: Resource, g: Graph) -> Outcome:
    if r.type == CFN_S3:
        return present("NotificationConfiguration", message="no event notifications")(r, g)
    return PASS if _related(r, g, "aws_s3_bucket_notification") else Fail("no event notifications")


def _s3_replication(r: Resource, g: Graph) -> Outcome:
    if r.type == CFN_S3:
        return present("ReplicationConfiguration", message="no cross-region replication")(r, g)
    if not unset(r.get("replication_configuration")) or _related(r, g, "aws_s3_bucket_replication_configuration"):
        return PASS
    return Fail("no cross-region replication")


def _cis(*controls: str) -> list[str]:
    return [f"{CIS}:{c}" for c in controls]


CHECKS = [
    check(
        "iac.aws.s3-encryption",
        "S3 bucket default encryption is not configured",
        "high",
        (S3, CFN_S3),
        _s3_encryption,
        description="The bucket does not declare server-side encryption; objects rely on whatever the account "
        "default happens to be and the configuration does not document the key in use.",
        remediation="Add a server_side_encryption_configuration (or aws_s3_bucket_server_side_encryption_configuration"
        " resource / BucketEncryption property), preferably with aws:kms.",
        refs=[S3_DOC + "default-bucket-encryption.html"],
        fw=[*_cis("2.1.1"), f"{NIST}:SC-28"],
        cwe=[311],
        platform="aws",
        ckv=["CKV_AWS_19"],
    ),
    check(
        "iac.aws.s3-kms-encryption",
        "S3 bucket is not encrypted with a KMS key",
        "medium",
        (S3, CFN_S3),
        _s3_kms,
        remediation='Set sse_algorithm = "aws:kms" with a customer managed kms_master_key_id.',
        refs=[S3_DOC + "UsingKMSEncryption.html"],
        fw=[f"{NIST}:SC-12", f"{NIST}:SC-28"],
        cwe=[311],
        platform="aws",
        ckv=["CKV_AWS_145"],
    ),
    check(
        "iac.aws.s3-versioning",
        "S3 bucket versioning is not enabled",
        "medium",
        (S3, CFN_S3),
        _s3_versioning,
        description="Without versioning an overwritten or deleted object (ransomware, mistakes) cannot be recovered.",
        remediation="Enable versioning (versioning { enabled = true } or an aws_s3_bucket_versioning resource).",
        refs=[S3_DOC + "Versioning.html"],
        fw=[f"{NIST}:CP-9", f"{NIST}:SI-12"],
        platform="aws",
        ckv=["CKV_AWS_21"],
    ),
    check(
        "iac.aws.s3-access-logging",
        "S3 bucket access logging is not enabled",
        "medium",
        (S3, CFN_S3),
        _s3_logging,
        remediation="Configure server access logging to a dedicated log bucket.",
        refs=[S3_DOC + "ServerLogs.html"],
        fw=[*_cis("3.6"), f"{NIST}:AU-2", f"{NIST}:AU-12"],
        cwe=[778],
        platform="aws",
        ckv=["CKV_AWS_18"],
    ),
    check(
        "iac.aws.s3-public-acl",
        "S3 bucket ACL grants public access",
        "critical",
        (S3, CFN_S3),
        _s3_public_acl,
        description="A public-read / public-read-write / authenticated-read canned ACL exposes the bucket's objects "
        "to anyone on the internet (or any AWS account).",
        remediation='Use acl = "private" and grant access through bucket policies scoped to principals.',
        refs=[S3_DOC + "acl-overview.html#canned-acl"],
        fw=[*_cis("2.1.5"), f"{NIST}:AC-3", f"{NIST}:AC-21"],
        cwe=[732],
        platform="aws",
        ckv=["CKV_AWS_20", "CKV_AWS_57"],
    ),
    check(
        "iac.aws.s3-public-access-block",
        "S3 bucket has no public access block",
        "high",
        S3,
        _has_pab,
        description="No aws_s3_bucket_public_access_block references the bucket, so a later ACL or policy change "
        "can make it public.",
        remediation="Add an aws_s3_bucket_public_access_block with all four flags true referencing the bucket.",
        refs=[S3_DOC + "access-control-block-public-access.html"],
        fw=[*_cis("2.1.5"), f"{NIST}:AC-3"],
        platform="aws",
        ckv=["CKV2_AWS_6"],
    ),
    check(
        "iac.aws.s3-block-public-acls",
        "S3 bucket does not block public ACLs",
        "high",
        CFN_S3,
        _pab_flag(0),
        remediation="Set PublicAccessBlockConfiguration.BlockPublicAcls: true.",
        refs=[S3_DOC + "access-control-block-public-access.html"],
        fw=[*_cis("2.1.5"), f"{NIST}:AC-3"],
        platform="aws",
        ckv=["CKV_AWS_53"],
    ),
    check(
        "iac.aws.s3-block-public-policy",
        "S3 bucket does not block public policies",
        "high",
        CFN_S3,
        _pab_flag(1),
        remediation="Set PublicAccessBlockConfiguration.BlockPublicPolicy: true.",
        refs=[S3_DOC + "access-control-block-public-access.html"],
        fw=[*_cis("2.1.5"), f"{NIST}:AC-3"],
        platform="aws",
        ckv=["CKV_AWS_54"],
    ),
    check(
        "iac.aws.s3-ignore-public-acls",
        "S3 bucket does not ignore public ACLs",
        "high",
        CFN_S3,
        _pab_flag(2),
        remediation="Set PublicAccessBlockConfiguration.IgnorePublicAcls: true.",
        refs=[S3_DOC + "access-control-block-public-access.html"],
        fw=[*_cis("2.1.5"), f"{NIST}:AC-3"],
        platform="aws",
        ckv=["CKV_AWS_55"],
    ),
    check(
        "iac.aws.s3-restrict-public-buckets",
        "S3 bucket does not restrict public bucket policies",
        "high",
        CFN_S3,
        _pab_flag(3),
        remediation="Set PublicAccessBlockConfiguration.RestrictPublicBuckets: true.",
        refs=[S3_DOC + "access-control-block-public-access.html"],
        fw=[*_cis("2.1.5"), f"{NIST}:AC-3"],
        platform="aws",
        ckv=["CKV_AWS_56"],
    ),
    check(
        "iac.aws.s3-pab-all-flags",
        "S3 public access block leaves a flag disabled",
        "high",
        "aws_s3_bucket_public_access_block",
        all_of(*(is_true(f, message=f"{f} is not true") for f in _PAB_FLAGS)),
        remediation="Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets "
        "to true.",
        refs=[S3_DOC + "access-control-block-public-access.html"],
        fw=[*_cis("2.1.5"), f"{NIST}:AC-3"],
        platform="aws",
    ),
    check(
        "iac.aws.s3-secure-transport",
        "S3 bucket policy does not deny plain-HTTP requests",
        "medium",
        S3,
        _s3_policy_secure_transport,
        remediation="Attach a bucket policy with a Deny statement conditioned on aws:SecureTransport = false.",
        refs=[S3_DOC + "security-best-practices.html"],
        fw=[*_cis("2.1.2"), f"{NIST}:SC-8"],
        cwe=[319],
        platform="aws",
    ),
    check(
        "iac.aws.s3-lifecycle",
        "S3 bucket has no lifecycle configuration",
        "low",
        (S3, CFN_S3),
        _s3_lifecycle,
        remediation="Add lifecycle rules that expire or transition objects (and abort incomplete uploads).",
        refs=[S3_DOC + "object-lifecycle-mgmt.html"],
        fw=[f"{NIST}:SI-12"],
        platform="aws",
        ckv=["CKV2_AWS_61"],
    ),
    check(
        "iac.aws.s3-event-notifications",
        "S3 bucket has no event notifications",
        "low",
        (S3, CFN_S3),
        _s3_notifications,
        remediation="Configure aws_s3_bucket_notification so object changes reach monitoring.",
        refs=[S3_DOC + "EventNotifications.html"],
        fw=[f"{NIST}:SI-4"],
        platform="aws",
        ckv=["CKV2_AWS_62"],
    ),
    check(
        "iac.aws.s3-replication",
        "S3 bucket has no cross-region replication",
        "low",
        (S3, CFN_S3),
        _s3_replication,
        remediation="Configure replication to a bucket in another region for critical data.",
        refs=[S3_DOC + "replication.html"],
        fw=[f"{NIST}:CP-9", f"{NIST}:CP-6"],
        platform="aws",
        ckv=["CKV_AWS_144"],
    ),
    check(
        "iac.aws.s3-object-kms",
        "S3 object is not encrypted with a customer managed KMS key",
        "low",
        ("aws_s3_bucket_object", "aws_s3_object"),
        present("kms_key_id", message="kms_key_id is not set"),
        remediation="Set kms_key_id to a customer managed key.",
        refs=[S3_DOC + "UsingKMSEncryption.html"],
        fw=[f"{NIST}:SC-28"],
        platform="aws",
        ckv=["CKV_AWS_186"],
    ),
    check(
        "iac.aws.ebs-encryption",
        "EBS volume is not encrypted",
        "high",
        ("aws_ebs_volume", "AWS::EC2::Volume"),
        lambda r, g: is_true(
            "Encrypted" if r.platform == "cloudformation" else "encrypted", message="the volume is not encrypted"
        )(r, g),
        description="Unencrypted volumes and their snapshots expose data to anyone who can read the snapshot or "
        "the underlying storage.",
        remediation="Set encrypted = true (Encrypted: true) and preferably a kms_key_id.",
        refs=["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
        fw=[*_cis("2.2.1"), f"{NIST}:SC-28"],
        cwe=[311],
        platform="aws",
        ckv=["CKV_AWS_3"],
    ),
    check(
        "iac.aws.ebs-cmk",
        "EBS volume is not encrypted with a customer managed KMS key",
        "low",
        "aws_ebs_volume",
        present("kms_key_id", message="kms_key_id is not set"),
        remediation="Set kms_key_id to a customer managed key.",
        refs=["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
        fw=[f"{NIST}:SC-12"],
        platform="aws",
        ckv=["CKV_AWS_189"],
    ),
    check(
        "iac.aws.ebs-default-encryption",
        "Account-level EBS encryption by default is disabled",
        "medium",
        "aws_ebs_encryption_by_default",
        is_true("enabled", missing=True),
        remediation="Set enabled = true.",
        refs=["https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"],
        fw=[*_cis("2.2.1"), f"{NIST}:SC-28"],
        platform="aws",
        ckv=["CKV_AWS_106"],
    ),
    check(
        "iac.aws.ebs-snapshot-encryption",
        "EBS snapshot is not encrypted",
        "medium",
        ("aws_ebs_snapshot_copy", "aws_ebs_snapshot"),
        lambda r, g: is_true("encrypted")(r, g) if r.type == "aws_ebs_snapshot_copy" else _snapshot_of_volume(r, g),
        description="A snapshot of an unencrypted volume is unencrypted, and anyone it is shared with can read it.",
        remediation="Snapshot only encrypted volumes; copy with encrypted = true.",
        fw=[f"{NIST}:SC-28"],
        platform="aws",
    ),
    check(
        "iac.aws.efs-encryption",
        "EFS file system is not encrypted",
        "high",
        ("aws_efs_file_system", "AWS::EFS::FileSystem"),
        lambda r, g: is_true("Encrypted" if r.platform == "cloudformation" else "encrypted")(r, g),
        remediation="Set encrypted = true (Encrypted: true).",
        refs=["https://docs.aws.amazon.com/efs/latest/ug/encryption.html"],
        fw=[*_cis("2.4.1"), f"{NIST}:SC-28"],
        cwe=[311],
        platform="aws",
        ckv=["CKV_AWS_42"],
    ),
    check(
        "iac.aws.ebs-attached-unencrypted",
        "Unencrypted EBS volume is attached to an instance",
        "high",
        "aws_volume_attachment",
        lambda r, g: _attached_volume(r, g),
        remediation="Attach only encrypted volumes.",
        fw=[f"{NIST}:SC-28"],
        platform="aws",
    ),
]


def _snapshot_of_volume(r: Resource, g: Graph) -> Outcome:
    """aws_ebs_snapshot inherits the encryption of its volume (graph); a volume outside the scan is undecided."""
    vols = g.resolve(r, r.get("volume_id"), "aws_ebs_volume")
    if not vols:
        return UNDECIDED
    t = truth(vols[0].get("encrypted"))
    if t is None and not unset(vols[0].get("encrypted")):
        return UNDECIDED
    return PASS if t else Fail(f"the snapshot of {vols[0].address} (unencrypted) is unencrypted")


def _attached_volume(r: Resource, g: Graph) -> Outcome:
    vols = g.referenced(r, "aws_ebs_volume")
    if not vols:
        return UNDECIDED
    for v in vols:
        t = truth(v.get("encrypted"))
        if t is None and not unset(v.get("encrypted")):
            return UNDECIDED
        if not t:
            return Fail(f"{v.address} is not encrypted")
    return PASS
