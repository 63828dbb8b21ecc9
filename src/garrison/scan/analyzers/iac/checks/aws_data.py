"""AWS data services: RDS/Aurora, DynamoDB, OpenSearch/Elasticsearch, Neptune, Redshift, ElastiCache, DocumentDB,
SQS, SNS, Kinesis."""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, check
from garrison.scan.analyzers.iac.checks.dsl import at_least, equals, is_false, is_true, present, truth, unset
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource, as_list, is_unknown

NIST = "NIST 800-53 Rev5"
CIS = "CIS AWS Foundations 1.5"
RDS = ("aws_db_instance", "AWS::RDS::DBInstance")
CLUSTER = ("aws_rds_cluster", "AWS::RDS::DBCluster")
ES = (
    "aws_elasticsearch_domain",
    "aws_opensearch_domain",
    "AWS::Elasticsearch::Domain",
    "AWS::OpenSearchService::Domain",
)


def _c(
    id: str,
    title: str,
    sev: str,
    types: Any,
    pred: Any,
    fix: str,
    fw: list[str],
    ckv: list[str] | None = None,
    cwe: list[int] | None = None,
) -> Any:
    return check(id, title, sev, types, pred, remediation=fix, fw=fw, ckv=ckv or [], cwe=cwe or [], platform="aws")


def by_platform(tf: Any, cfn: Any) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        pred = cfn if r.platform == "cloudformation" else tf
        return pred(r, g) if pred is not None else PASS

    return run


def _aurora(r: Resource) -> bool:
    eng = r.get("engine") if r.platform == "terraform" else r.get("Engine")
    return isinstance(eng, str) and eng.startswith("aurora")


def _rds_instance_encrypted(r: Resource, g: Graph) -> Outcome:
    if r.platform == "terraform" and (_aurora(r) or not unset(r.get("replicate_source_db"))):
        return PASS  # Aurora instances inherit the cluster's encryption
    path = "StorageEncrypted" if r.platform == "cloudformation" else "storage_encrypted"
    return is_true(path, message="storage is not encrypted")(r, g)


def _log_exports(r: Resource, g: Graph) -> Outcome:
    v = r.get("enabled_cloudwatch_logs_exports") if r.platform == "terraform" else r.get("EnableCloudwatchLogsExports")
    if is_unknown(v):
        return UNDECIDED
    return PASS if as_list(v) else Fail("no database logs are exported to CloudWatch")


def _audit_log(r: Resource, g: Graph) -> Outcome:
    eng = r.get("engine", "aurora")  # the provider default engine "aurora" is MySQL-compatible
    if not (isinstance(eng, str) and eng in ("aurora", "aurora-mysql", "mysql")):
        return PASS if not is_unknown(eng) else UNDECIDED
    v = r.get("enabled_cloudwatch_logs_exports")
    if is_unknown(v):
        return UNDECIDED
    return PASS if "audit" in as_list(v) else Fail("the MySQL audit log is not exported")


def _backtrack(r: Resource, g: Graph) -> Outcome:
    eng = r.get("engine", "aurora")
    if eng not in ("aurora", "aurora-mysql"):
        return PASS if not is_unknown(eng) else UNDECIDED
    return at_least("backtrack_window", 1)(r, g)


def _redis_transit(r: Resource, g: Graph) -> Outcome:
    return is_true("transit_encryption_enabled")(r, g)


def _es_node_tls(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        return is_true("NodeToNodeEncryptionOptions.Enabled")(r, g)
    return is_true("node_to_node_encryption.enabled")(r, g)


def _es_https(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        return is_true("DomainEndpointOptions.EnforceHTTPS")(r, g)
    return is_true("domain_endpoint_options.enforce_https")(r, g)


def _es_tls_policy(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        return equals(
            "DomainEndpointOptions.TLSSecurityPolicy", "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10"
        )(r, g)
    return equals(
        "domain_endpoint_options.tls_security_policy", "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10"
    )(r, g)


def _es_logs(r: Resource, g: Graph) -> Outcome:
    opts = r.all("log_publishing_options")
    if any(is_unknown(o) for o in opts):
        return UNDECIDED
    return (
        PASS
        if any(isinstance(o, dict) and o.get("enabled", True) is not False for o in opts)
        else Fail("no log publishing configured")
    )


def _es_audit(r: Resource, g: Graph) -> Outcome:
    types = [o.get("log_type") for o in r.all("log_publishing_options") if isinstance(o, dict)]
    return PASS if "AUDIT_LOGS" in types else Fail("audit logs are not published")


def _sqs_encrypted(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        if not unset(r.get("KmsMasterKeyId")) or truth(r.get("SqsManagedSseEnabled")) is True:
            return PASS
        return Fail("the queue is not encrypted")
    if not unset(r.get("kms_master_key_id")) or truth(r.get("sqs_managed_sse_enabled")) is True:
        return PASS
    if is_unknown(r.get("sqs_managed_sse_enabled")):
        return UNDECIDED
    return Fail("the queue is not encrypted")


def _dynamo_pitr(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        return is_true("PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled")(r, g)
    return is_true("point_in_time_recovery.enabled")(r, g)


def _hardcoded_password(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        path = "MasterUserPassword"
    else:
        path = "master_password" if r.type == "aws_rds_cluster" else "password"
    pw = r.get(path)
    if not isinstance(pw, str) or not pw:
        return PASS  # unset, managed, or a variable/reference without a literal value
    if pw.startswith("{{resolve:"):
        return PASS  # a CloudFormation dynamic reference to Secrets Manager / SSM
    return Fail("the master password is a literal in the configuration")


def _retention(path: str) -> Any:
    """At least a year; unset (CloudFormation) or 0 (Terraform) means events never expire."""

    def run(r: Resource, g: Graph) -> Outcome:
        v = r.get(path)
        if unset(v) or v == 0:
            return PASS
        return at_least(path, 365)(r, g)

    return run


def _neptune_snapshot(r: Resource, g: Graph) -> Outcome:
    """A cluster snapshot is encrypted exactly when its cluster is (storage_encrypted is an output of the
    snapshot, not an argument): follow db_cluster_identifier through the graph."""
    clusters = g.resolve(r, r.get("db_cluster_identifier"), "aws_neptune_cluster")
    if not clusters:
        return UNDECIDED
    t = truth(clusters[0].get("storage_encrypted"))
    if t is None and not unset(clusters[0].get("storage_encrypted")):
        return UNDECIDED
    return PASS if t else Fail(f"the snapshot of {clusters[0].address} (unencrypted) is unencrypted")


def _rds_public(r: Resource, g: Graph) -> Outcome:
    path = "PubliclyAccessible" if r.platform == "cloudformation" else "publicly_accessible"
    return is_false(path, message="the database is publicly accessible")(r, g)


CHECKS = [
    _c(
        "iac.aws.rds-encryption",
        "RDS instance storage is not encrypted",
        "high",
        RDS,
        _rds_instance_encrypted,
        "Set storage_encrypted = true (StorageEncrypted: true).",
        [f"{CIS}:2.3.1", f"{NIST}:SC-28"],
        ["CKV_AWS_16"],
        [311],
    ),
    _c(
        "iac.aws.rds-public",
        "RDS instance is publicly accessible",
        "critical",
        RDS,
        _rds_public,
        "Set publicly_accessible = false and reach the database from private subnets.",
        [f"{CIS}:2.3.3", f"{NIST}:SC-7", f"{NIST}:AC-3"],
        ["CKV_AWS_17"],
        [284],
    ),
    _c(
        "iac.aws.rds-iam-auth",
        "RDS instance IAM authentication is disabled",
        "medium",
        ("aws_db_instance",),
        lambda r, g: PASS if _aurora(r) else is_true("iam_database_authentication_enabled")(r, g),
        "Set iam_database_authentication_enabled = true.",
        [f"{NIST}:IA-2"],
        ["CKV_AWS_161"],
    ),
    _c(
        "iac.aws.rds-multi-az",
        "RDS instance is not Multi-AZ",
        "low",
        RDS,
        by_platform(lambda r, g: PASS if _aurora(r) else is_true("multi_az")(r, g), is_true("MultiAZ")),
        "Set multi_az = true.",
        [f"{NIST}:CP-10"],
        ["CKV_AWS_157"],
    ),
    _c(
        "iac.aws.rds-backup-retention",
        "RDS backups are disabled or kept less than 7 days",
        "medium",
        RDS + CLUSTER,
        by_platform(
            at_least("backup_retention_period", 7, missing=False), at_least("BackupRetentionPeriod", 7, missing=False)
        ),
        "Set backup_retention_period >= 7.",
        [f"{NIST}:CP-9"],
        ["CKV_AWS_133"],
    ),
    _c(
        "iac.aws.rds-deletion-protection",
        "RDS deletion protection is disabled",
        "low",
        RDS + CLUSTER,
        by_platform(is_true("deletion_protection"), is_true("DeletionProtection")),
        "Set deletion_protection = true.",
        [f"{NIST}:CP-9"],
        ["CKV_AWS_293", "CKV_AWS_139"],
    ),
    _c(
        "iac.aws.rds-minor-upgrades",
        "RDS automatic minor version upgrades are disabled",
        "low",
        RDS,
        by_platform(
            is_true("auto_minor_version_upgrade", missing=True), is_true("AutoMinorVersionUpgrade", missing=True)
        ),
        "Set auto_minor_version_upgrade = true.",
        [f"{NIST}:SI-2"],
        [],
    ),
    _c(
        "iac.aws.rds-enhanced-monitoring",
        "RDS enhanced monitoring is disabled",
        "low",
        RDS,
        by_platform(at_least("monitoring_interval", 1), at_least("MonitoringInterval", 1)),
        "Set monitoring_interval (e.g. 60) and monitoring_role_arn.",
        [f"{NIST}:SI-4"],
        ["CKV_AWS_118"],
    ),
    _c(
        "iac.aws.rds-log-exports",
        "RDS instance exports no logs to CloudWatch",
        "low",
        RDS,
        _log_exports,
        "Set enabled_cloudwatch_logs_exports.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_129"],
    ),
    _c(
        "iac.aws.rds-copy-tags",
        "RDS does not copy tags to snapshots",
        "low",
        RDS + CLUSTER,
        by_platform(
            lambda r, g: PASS if r.type == "aws_db_instance" and _aurora(r) else is_true("copy_tags_to_snapshot")(r, g),
            is_true("CopyTagsToSnapshot"),
        ),
        "Set copy_tags_to_snapshot = true.",
        [f"{NIST}:CM-8"],
        ["CKV2_AWS_60", "CKV_AWS_313"],
    ),
    _c(
        "iac.aws.rds-hardcoded-password",
        "RDS master password is hard-coded",
        "high",
        RDS + CLUSTER,
        _hardcoded_password,
        "Use manage_master_user_password = true or a secret reference.",
        [f"{NIST}:IA-5"],
        [],
        [798],
    ),
    _c(
        "iac.aws.aurora-encryption",
        "Aurora/RDS cluster storage is not encrypted",
        "high",
        CLUSTER,
        by_platform(is_true("storage_encrypted"), is_true("StorageEncrypted")),
        "Set storage_encrypted = true.",
        [f"{CIS}:2.3.1", f"{NIST}:SC-28"],
        ["CKV_AWS_96"],
        [311],
    ),
    _c(
        "iac.aws.aurora-cmk",
        "RDS cluster is not encrypted with a customer managed key",
        "low",
        CLUSTER,
        by_platform(present("kms_key_id"), present("KmsKeyId")),
        "Set kms_key_id.",
        [f"{NIST}:SC-12"],
        ["CKV_AWS_327"],
    ),
    _c(
        "iac.aws.aurora-iam-auth",
        "RDS cluster IAM authentication is disabled",
        "medium",
        CLUSTER,
        by_platform(is_true("iam_database_authentication_enabled"), is_true("EnableIAMDatabaseAuthentication")),
        "Set iam_database_authentication_enabled = true.",
        [f"{NIST}:IA-2"],
        ["CKV_AWS_162"],
    ),
    _c(
        "iac.aws.aurora-log-exports",
        "RDS cluster exports no logs",
        "low",
        CLUSTER,
        _log_exports,
        "Set enabled_cloudwatch_logs_exports.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_324"],
    ),
    _c(
        "iac.aws.aurora-audit-log",
        "Aurora MySQL audit log is not exported",
        "low",
        ("aws_rds_cluster",),
        _audit_log,
        'Export the audit log (enabled_cloudwatch_logs_exports = ["audit", …]).',
        [f"{NIST}:AU-2"],
        ["CKV_AWS_325"],
    ),
    _c(
        "iac.aws.aurora-backtrack",
        "Aurora MySQL backtracking is disabled",
        "low",
        ("aws_rds_cluster",),
        _backtrack,
        "Set backtrack_window.",
        [f"{NIST}:CP-10"],
        ["CKV_AWS_326"],
    ),
    _c(
        "iac.aws.dynamodb-pitr",
        "DynamoDB point-in-time recovery is disabled",
        "medium",
        ("aws_dynamodb_table", "AWS::DynamoDB::Table"),
        _dynamo_pitr,
        "Enable point_in_time_recovery.",
        [f"{NIST}:CP-9"],
        ["CKV_AWS_28"],
    ),
    _c(
        "iac.aws.dynamodb-cmk",
        "DynamoDB table is not encrypted with a customer managed key",
        "low",
        ("aws_dynamodb_table",),
        lambda r, g: (
            present("server_side_encryption.kms_key_arn")(r, g)
            if truth(r.get("server_side_encryption.enabled"))
            else Fail("server_side_encryption is not enabled with a CMK")
        ),
        "Enable server_side_encryption with kms_key_arn.",
        [f"{NIST}:SC-12"],
        ["CKV_AWS_119"],
    ),
    _c(
        "iac.aws.es-encryption",
        "OpenSearch/Elasticsearch domain is not encrypted at rest",
        "high",
        ES,
        by_platform(is_true("encrypt_at_rest.enabled"), is_true("EncryptionAtRestOptions.Enabled")),
        "Enable encrypt_at_rest.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_5"],
        [311],
    ),
    _c(
        "iac.aws.es-node-to-node",
        "OpenSearch/Elasticsearch node-to-node encryption is disabled",
        "medium",
        ES,
        _es_node_tls,
        "Enable node_to_node_encryption.",
        [f"{NIST}:SC-8"],
        ["CKV_AWS_6"],
        [319],
    ),
    _c(
        "iac.aws.es-https",
        "OpenSearch/Elasticsearch does not enforce HTTPS",
        "medium",
        ES,
        _es_https,
        "Set domain_endpoint_options { enforce_https = true }.",
        [f"{NIST}:SC-8"],
        ["CKV_AWS_83"],
        [319],
    ),
    _c(
        "iac.aws.es-tls-policy",
        "OpenSearch/Elasticsearch TLS policy allows TLS 1.0",
        "medium",
        ES,
        _es_tls_policy,
        'Set tls_security_policy = "Policy-Min-TLS-1-2-2019-07".',
        [f"{NIST}:SC-8"],
        ["CKV_AWS_228"],
        [326],
    ),
    _c(
        "iac.aws.es-vpc",
        "OpenSearch/Elasticsearch domain is not in a VPC",
        "medium",
        ("aws_elasticsearch_domain", "aws_opensearch_domain"),
        present("vpc_options"),
        "Configure vpc_options.",
        [f"{NIST}:SC-7"],
        ["CKV_AWS_137"],
    ),
    _c(
        "iac.aws.es-logging",
        "OpenSearch/Elasticsearch logs are not published",
        "low",
        ("aws_elasticsearch_domain", "aws_opensearch_domain"),
        _es_logs,
        "Configure log_publishing_options.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_84"],
    ),
    _c(
        "iac.aws.es-audit-logs",
        "OpenSearch/Elasticsearch audit logs are not published",
        "low",
        ("aws_elasticsearch_domain", "aws_opensearch_domain"),
        _es_audit,
        "Publish AUDIT_LOGS.",
        [f"{NIST}:AU-2"],
        ["CKV_AWS_317"],
    ),
    _c(
        "iac.aws.es-fine-grained-access",
        "OpenSearch/Elasticsearch fine-grained access control is disabled",
        "medium",
        ("aws_elasticsearch_domain", "aws_opensearch_domain"),
        is_true("advanced_security_options.enabled"),
        "Enable advanced_security_options.",
        [f"{NIST}:AC-3"],
        ["CKV2_AWS_52"],
    ),
    _c(
        "iac.aws.neptune-encryption",
        "Neptune cluster storage is not encrypted",
        "high",
        ("aws_neptune_cluster", "AWS::Neptune::DBCluster"),
        by_platform(is_true("storage_encrypted"), is_true("StorageEncrypted")),
        "Set storage_encrypted = true.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_44"],
        [311],
    ),
    _c(
        "iac.aws.neptune-logging",
        "Neptune audit logs are not exported",
        "low",
        ("aws_neptune_cluster",),
        lambda r, g: (
            PASS
            if "audit" in as_list(r.get("enable_cloudwatch_logs_exports"))
            else (
                UNDECIDED
                if is_unknown(r.get("enable_cloudwatch_logs_exports"))
                else Fail("audit logs are not exported")
            )
        ),
        'Set enable_cloudwatch_logs_exports = ["audit"].',
        [f"{NIST}:AU-12"],
        ["CKV_AWS_101"],
    ),
    _c(
        "iac.aws.neptune-iam-auth",
        "Neptune IAM authentication is disabled",
        "medium",
        ("aws_neptune_cluster",),
        is_true("iam_database_authentication_enabled"),
        "Set iam_database_authentication_enabled = true.",
        [f"{NIST}:IA-2"],
        ["CKV_AWS_359"],
    ),
    _c(
        "iac.aws.neptune-snapshot-encryption",
        "Neptune cluster snapshot is not encrypted",
        "medium",
        ("aws_neptune_cluster_snapshot",),
        _neptune_snapshot,
        "Create snapshots of encrypted clusters.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_279"],
    ),
    _c(
        "iac.aws.redshift-encryption",
        "Redshift cluster is not encrypted",
        "high",
        ("aws_redshift_cluster", "AWS::Redshift::Cluster"),
        by_platform(is_true("encrypted"), is_true("Encrypted")),
        "Set encrypted = true.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_64"],
        [311],
    ),
    _c(
        "iac.aws.redshift-public",
        "Redshift cluster is publicly accessible",
        "critical",
        ("aws_redshift_cluster", "AWS::Redshift::Cluster"),
        by_platform(is_false("publicly_accessible", missing=False), is_false("PubliclyAccessible", missing=False)),
        "Set publicly_accessible = false.",
        [f"{NIST}:SC-7"],
        ["CKV_AWS_87"],
        [284],
    ),
    _c(
        "iac.aws.redshift-logging",
        "Redshift audit logging is disabled",
        "low",
        ("aws_redshift_cluster",),
        lambda r, g: (
            PASS
            if not unset(r.get("logging")) and truth(r.get("logging.enable")) is not False
            else Fail("audit logging is disabled")
        ),
        "Configure logging { enable = true }.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_71"],
    ),
    _c(
        "iac.aws.elasticache-at-rest",
        "ElastiCache replication group is not encrypted at rest",
        "medium",
        ("aws_elasticache_replication_group",),
        is_true("at_rest_encryption_enabled"),
        "Set at_rest_encryption_enabled = true.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_29"],
        [311],
    ),
    _c(
        "iac.aws.elasticache-in-transit",
        "ElastiCache replication group is not encrypted in transit",
        "medium",
        ("aws_elasticache_replication_group",),
        _redis_transit,
        "Set transit_encryption_enabled = true.",
        [f"{NIST}:SC-8"],
        ["CKV_AWS_30"],
        [319],
    ),
    _c(
        "iac.aws.elasticache-auth",
        "ElastiCache Redis has no AUTH token",
        "medium",
        ("aws_elasticache_replication_group",),
        lambda r, g: (
            present("auth_token")(r, g)
            if truth(r.get("transit_encryption_enabled")) is not False
            else Fail("transit encryption (required for AUTH) is disabled")
        ),
        "Enable transit encryption and set auth_token.",
        [f"{NIST}:IA-2"],
        ["CKV_AWS_31"],
    ),
    _c(
        "iac.aws.docdb-encryption",
        "DocumentDB cluster is not encrypted",
        "high",
        ("aws_docdb_cluster", "AWS::DocDB::DBCluster"),
        by_platform(is_true("storage_encrypted"), is_true("StorageEncrypted")),
        "Set storage_encrypted = true.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_74"],
        [311],
    ),
    _c(
        "iac.aws.sqs-encryption",
        "SQS queue is not encrypted",
        "medium",
        ("aws_sqs_queue", "AWS::SQS::Queue"),
        _sqs_encrypted,
        "Set kms_master_key_id or sqs_managed_sse_enabled = true.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_27"],
        [311],
    ),
    _c(
        "iac.aws.sns-encryption",
        "SNS topic is not encrypted",
        "medium",
        ("aws_sns_topic", "AWS::SNS::Topic"),
        by_platform(present("kms_master_key_id"), present("KmsMasterKeyId")),
        "Set kms_master_key_id.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_26"],
        [311],
    ),
    _c(
        "iac.aws.kinesis-encryption",
        "Kinesis stream is not encrypted",
        "medium",
        ("aws_kinesis_stream", "AWS::Kinesis::Stream"),
        by_platform(equals("encryption_type", "KMS"), present("StreamEncryption")),
        'Set encryption_type = "KMS".',
        [f"{NIST}:SC-28"],
        ["CKV_AWS_43"],
        [311],
    ),
    _c(
        "iac.aws.cloudwatch-log-retention",
        "CloudWatch log group keeps logs less than a year",
        "low",
        ("aws_cloudwatch_log_group", "AWS::Logs::LogGroup"),
        by_platform(_retention("retention_in_days"), _retention("RetentionInDays")),
        "Set retention_in_days >= 365.",
        [f"{NIST}:AU-11"],
        ["CKV_AWS_338"],
    ),
    _c(
        "iac.aws.cloudwatch-log-kms",
        "CloudWatch log group is not encrypted with KMS",
        "low",
        ("aws_cloudwatch_log_group", "AWS::Logs::LogGroup"),
        by_platform(present("kms_key_id"), present("KmsKeyId")),
        "Set kms_key_id.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_158"],
    ),
]
