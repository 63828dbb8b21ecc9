"""Google Cloud: Cloud Storage, firewall, Cloud SQL, GKE, Compute Engine, BigQuery, networking."""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, any_of, check
from garrison.scan.analyzers.iac.checks.dsl import equals, is_false, is_true, present, truth, unset
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource, as_list, is_unknown

CIS = "CIS GCP Foundations 2.0"
NIST = "NIST 800-53 Rev5"
GKE = "google_container_cluster"
POOL = "google_container_node_pool"
SQL = "google_sql_database_instance"
VM = "google_compute_instance"


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
    return check(id, title, sev, types, pred, remediation=fix, fw=fw, ckv=ckv or [], cwe=cwe or [], platform="gcp")


def fw_open(port: int, label: str) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        if str(r.get("direction", "INGRESS")).upper() != "INGRESS" or truth(r.get("disabled")) is True:
            return PASS
        sources = r.get("source_ranges")
        if is_unknown(sources):
            return UNDECIDED
        if not any(s in ("0.0.0.0/0", "::/0") for s in as_list(sources)):
            return PASS
        for allow in as_list(r.get("allow")):
            if not isinstance(allow, dict):
                continue
            proto = str(allow.get("protocol", "")).lower()
            if proto == "all":
                return Fail(f"{label} (all protocols) open to the internet")
            if proto not in ("tcp", "6"):
                continue
            ports = allow.get("ports")
            if unset(ports):
                return Fail(f"{label} (all TCP ports) open to the internet")
            for p in as_list(ports):
                if is_unknown(p):
                    return UNDECIDED
                lo, _, hi = str(p).partition("-")
                try:
                    if int(lo) <= port <= int(hi or lo):
                        return Fail(f"{label} open to the internet")
                except ValueError:
                    continue
        return PASS

    return run


def sql_flag(name: str, value: str, engine: str = "POSTGRES") -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        ver = r.get("database_version")
        if is_unknown(ver):
            return UNDECIDED
        if not str(ver).upper().startswith(engine):
            return PASS
        flags = r.all("settings.database_flags")
        if any(is_unknown(f) for f in flags):
            return UNDECIDED
        for f in flags:
            if isinstance(f, dict) and f.get("name") == name:
                return (
                    PASS
                    if str(f.get("value")).lower() == value
                    else Fail(f"database flag {name} is {f.get('value')!r}")
                )
        return Fail(f"database flag {name} is not set to {value!r}")

    return run


def _sql_open(r: Resource, g: Graph) -> Outcome:
    nets = [n for v in r.all("settings.ip_configuration.authorized_networks") for n in as_list(v)]
    for n in nets:
        if isinstance(n, dict) and n.get("value") in ("0.0.0.0/0", "::/0"):
            return Fail("an authorized network is 0.0.0.0/0")
        if is_unknown(n):
            return UNDECIDED
    return PASS


def _bucket_public_binding(r: Resource, g: Graph) -> Outcome:
    members = as_list(r.get("members")) + as_list(r.get("member"))
    if any(is_unknown(m) for m in members):
        return UNDECIDED
    bad = [m for m in members if m in ("allUsers", "allAuthenticatedUsers")]
    return Fail(f"granted to {bad[0]}") if bad else PASS


def _bq_public(r: Resource, g: Graph) -> Outcome:
    for a in as_list(r.get("access")):
        if isinstance(a, dict) and (
            a.get("special_group") in ("allAuthenticatedUsers", "allUsers")
            or a.get("iam_member") in ("allUsers", "allAuthenticatedUsers")
        ):
            return Fail("the dataset is shared with all (authenticated) users")
    return PASS


def _vm_public_ip(r: Resource, g: Graph) -> Outcome:
    for ni in as_list(r.get("network_interface")):
        if isinstance(ni, dict) and not unset(ni.get("access_config")):
            return Fail("a network interface has an external IP (access_config)")
    return PASS


def _metadata(key: str, want: str, *, missing_ok: bool) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        md = r.get("metadata")
        if is_unknown(md):
            return UNDECIDED
        v = md.get(key) if isinstance(md, dict) else None
        if v is None:
            return PASS if missing_ok else Fail(f"metadata {key} is not {want!r}")
        if is_unknown(v):
            return UNDECIDED
        return PASS if str(v).lower() == want else Fail(f"metadata {key} is {v!r}")

    return run


def _default_sa(r: Resource, g: Graph) -> Outcome:
    for sa in as_list(r.get("service_account")):
        if isinstance(sa, dict):
            email = sa.get("email")
            if is_unknown(email):
                return UNDECIDED
            scopes = as_list(sa.get("scopes"))
            full = "https://www.googleapis.com/auth/cloud-platform" in scopes or "cloud-platform" in scopes
            if (unset(email) or str(email).endswith("-compute@developer.gserviceaccount.com")) and full:
                return Fail("the default service account with full cloud-platform scope")
    return PASS


def _gke_legacy_abac(r: Resource, g: Graph) -> Outcome:
    return is_false("enable_legacy_abac")(r, g)


def _gke_master_auth_client_cert(r: Resource, g: Graph) -> Outcome:
    return is_false("master_auth.client_certificate_config.issue_client_certificate")(r, g)


CHECKS = [
    _c(
        "iac.gcp.storage-public",
        "Cloud Storage bucket is public (allUsers/allAuthenticatedUsers)",
        "critical",
        (
            "google_storage_bucket_iam_binding",
            "google_storage_bucket_iam_member",
            "google_storage_bucket_access_control",
        ),
        lambda r, g: (
            _bucket_public_binding(r, g)
            if r.type != "google_storage_bucket_access_control"
            else (Fail("ACL grants allUsers") if r.get("entity") in ("allUsers", "allAuthenticatedUsers") else PASS)
        ),
        "Grant access to specific principals only.",
        [f"{CIS}:5.1", f"{NIST}:AC-3"],
        ["CKV_GCP_28"],
        [284],
    ),
    _c(
        "iac.gcp.storage-uniform-access",
        "Cloud Storage bucket does not use uniform bucket-level access",
        "medium",
        "google_storage_bucket",
        any_of(is_true("uniform_bucket_level_access"), is_true("bucket_policy_only")),
        "Set uniform_bucket_level_access = true.",
        [f"{CIS}:5.2", f"{NIST}:AC-3"],
        ["CKV_GCP_29"],
    ),
    _c(
        "iac.gcp.storage-public-access-prevention",
        "Cloud Storage public access prevention is not enforced",
        "medium",
        "google_storage_bucket",
        equals("public_access_prevention", "enforced"),
        'Set public_access_prevention = "enforced".',
        [f"{NIST}:AC-3"],
        ["CKV_GCP_114"],
    ),
    _c(
        "iac.gcp.storage-versioning",
        "Cloud Storage bucket versioning is disabled",
        "low",
        "google_storage_bucket",
        is_true("versioning.enabled"),
        "Enable versioning.",
        [f"{NIST}:CP-9"],
        ["CKV_GCP_78"],
    ),
    _c(
        "iac.gcp.storage-logging",
        "Cloud Storage bucket access logging is disabled",
        "low",
        "google_storage_bucket",
        present("logging"),
        "Configure logging { log_bucket = … }.",
        [f"{NIST}:AU-12"],
        ["CKV_GCP_62"],
    ),
    _c(
        "iac.gcp.firewall-ssh-open",
        "Firewall allows SSH from the internet",
        "critical",
        "google_compute_firewall",
        fw_open(22, "SSH (22)"),
        "Restrict source_ranges; use IAP TCP forwarding.",
        [f"{CIS}:3.6", f"{NIST}:SC-7"],
        ["CKV_GCP_2"],
        [284],
    ),
    _c(
        "iac.gcp.firewall-rdp-open",
        "Firewall allows RDP from the internet",
        "critical",
        "google_compute_firewall",
        fw_open(3389, "RDP (3389)"),
        "Restrict source_ranges; use IAP TCP forwarding.",
        [f"{CIS}:3.7", f"{NIST}:SC-7"],
        ["CKV_GCP_3"],
        [284],
    ),
    _c(
        "iac.gcp.firewall-http-open",
        "Firewall allows HTTP from the internet",
        "low",
        "google_compute_firewall",
        fw_open(80, "HTTP (80)"),
        "Serve HTTPS through a load balancer.",
        [f"{NIST}:SC-7"],
        ["CKV_GCP_106"],
    ),
    _c(
        "iac.gcp.firewall-ftp-open",
        "Firewall allows FTP from the internet",
        "high",
        "google_compute_firewall",
        fw_open(21, "FTP (21)"),
        "Restrict source_ranges.",
        [f"{NIST}:SC-7"],
        ["CKV_GCP_75", "CKV_GCP_77"],
    ),
    _c(
        "iac.gcp.firewall-mysql-open",
        "Firewall allows MySQL from the internet",
        "high",
        "google_compute_firewall",
        fw_open(3306, "MySQL (3306)"),
        "Restrict source_ranges.",
        [f"{NIST}:SC-7"],
        ["CKV_GCP_88"],
    ),
    _c(
        "iac.gcp.sql-open-to-world",
        "Cloud SQL authorizes 0.0.0.0/0",
        "critical",
        SQL,
        _sql_open,
        "Remove 0.0.0.0/0 from authorized_networks; use private IP or the Cloud SQL proxy.",
        [f"{CIS}:6.5", f"{NIST}:SC-7"],
        ["CKV_GCP_11"],
        [284],
    ),
    _c(
        "iac.gcp.sql-require-ssl",
        "Cloud SQL does not require SSL",
        "high",
        SQL,
        lambda r, g: (
            PASS
            if str(r.get("settings.ip_configuration.ssl_mode", "")).upper()
            in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
            else is_true("settings.ip_configuration.require_ssl")(r, g)
        ),
        'Set ssl_mode = "ENCRYPTED_ONLY" (or require_ssl = true).',
        [f"{CIS}:6.7", f"{NIST}:SC-8"],
        ["CKV_GCP_6"],
        [319],
    ),
    _c(
        "iac.gcp.sql-public-ip",
        "Cloud SQL has a public IP",
        "medium",
        SQL,
        is_false("settings.ip_configuration.ipv4_enabled", missing=False),
        "Set ipv4_enabled = false and use private IP.",
        [f"{CIS}:6.6", f"{NIST}:SC-7"],
        ["CKV_GCP_60"],
    ),
    _c(
        "iac.gcp.sql-backups",
        "Cloud SQL automated backups are disabled",
        "medium",
        SQL,
        is_true("settings.backup_configuration.enabled"),
        "Enable backup_configuration.",
        [f"{CIS}:6.7", f"{NIST}:CP-9"],
        ["CKV_GCP_14"],
    ),
    _c(
        "iac.gcp.sql-pg-log-checkpoints",
        "Cloud SQL PostgreSQL log_checkpoints is off",
        "low",
        SQL,
        sql_flag("log_checkpoints", "on"),
        "Set database flag log_checkpoints = on.",
        [f"{NIST}:AU-12"],
        ["CKV_GCP_51"],
    ),
    _c(
        "iac.gcp.sql-pg-log-connections",
        "Cloud SQL PostgreSQL log_connections is off",
        "low",
        SQL,
        sql_flag("log_connections", "on"),
        "Set database flag log_connections = on.",
        [f"{CIS}:6.2.2", f"{NIST}:AU-12"],
        ["CKV_GCP_52"],
    ),
    _c(
        "iac.gcp.sql-pg-log-disconnections",
        "Cloud SQL PostgreSQL log_disconnections is off",
        "low",
        SQL,
        sql_flag("log_disconnections", "on"),
        "Set database flag log_disconnections = on.",
        [f"{CIS}:6.2.3", f"{NIST}:AU-12"],
        ["CKV_GCP_53"],
    ),
    _c(
        "iac.gcp.sql-pg-log-lock-waits",
        "Cloud SQL PostgreSQL log_lock_waits is off",
        "low",
        SQL,
        sql_flag("log_lock_waits", "on"),
        "Set database flag log_lock_waits = on.",
        ["NIST 800-53 Rev5:AU-12"],
        ["CKV_GCP_54"],
    ),
    _c(
        "iac.gcp.sql-mysql-local-infile",
        "Cloud SQL MySQL local_infile is on",
        "medium",
        SQL,
        lambda r, g: (
            PASS
            if not str(r.get("database_version", "")).upper().startswith("MYSQL")
            else (
                Fail("local_infile is on")
                if any(
                    isinstance(f, dict) and f.get("name") == "local_infile" and str(f.get("value")).lower() == "on"
                    for f in r.all("settings.database_flags")
                )
                else PASS
            )
        ),
        "Set database flag local_infile = off.",
        [f"{CIS}:6.1.3", f"{NIST}:CM-7"],
        ["CKV_GCP_50"],
    ),
    _c(
        "iac.gcp.gke-legacy-abac",
        "GKE legacy ABAC is enabled",
        "high",
        GKE,
        _gke_legacy_abac,
        "Set enable_legacy_abac = false.",
        [f"{NIST}:AC-3"],
        ["CKV_GCP_7"],
    ),
    _c(
        "iac.gcp.gke-client-cert",
        "GKE issues client certificates",
        "medium",
        GKE,
        _gke_master_auth_client_cert,
        "Disable issue_client_certificate.",
        [f"{NIST}:IA-2"],
        [],
    ),
    _c(
        "iac.gcp.gke-network-policy",
        "GKE network policy is disabled",
        "medium",
        GKE,
        lambda r, g: (
            PASS if r.get("datapath_provider") == "ADVANCED_DATAPATH" else is_true("network_policy.enabled")(r, g)
        ),
        "Enable network_policy (or Dataplane V2).",
        [f"{NIST}:SC-7"],
        ["CKV_GCP_12"],
    ),
    _c(
        "iac.gcp.gke-private-nodes",
        "GKE nodes have public IPs",
        "medium",
        GKE,
        is_true("private_cluster_config.enable_private_nodes"),
        "Set private_cluster_config { enable_private_nodes = true }.",
        [f"{NIST}:SC-7"],
        ["CKV_GCP_64", "CKV_GCP_25"],
    ),
    _c(
        "iac.gcp.gke-master-authorized-networks",
        "GKE control plane is reachable from any network",
        "high",
        GKE,
        lambda r, g: _master_networks(r),
        "Configure master_authorized_networks_config with specific CIDRs.",
        [f"{NIST}:SC-7"],
        ["CKV_GCP_18"],
    ),
    _c(
        "iac.gcp.gke-logging",
        "GKE Cloud Logging is disabled",
        "medium",
        GKE,
        lambda r, g: Fail("logging_service is none") if r.get("logging_service") == "none" else PASS,
        'Use logging_service = "logging.googleapis.com/kubernetes".',
        [f"{NIST}:AU-12"],
        ["CKV_GCP_1"],
    ),
    _c(
        "iac.gcp.gke-monitoring",
        "GKE Cloud Monitoring is disabled",
        "low",
        GKE,
        lambda r, g: Fail("monitoring_service is none") if r.get("monitoring_service") == "none" else PASS,
        'Use monitoring_service = "monitoring.googleapis.com/kubernetes".',
        [f"{NIST}:SI-4"],
        ["CKV_GCP_8"],
    ),
    _c(
        "iac.gcp.gke-binary-authorization",
        "GKE Binary Authorization is disabled",
        "low",
        GKE,
        any_of(is_true("enable_binary_authorization"), present("binary_authorization.evaluation_mode")),
        "Enable binary_authorization.",
        [f"{NIST}:SI-7"],
        ["CKV_GCP_66"],
    ),
    _c(
        "iac.gcp.gke-release-channel",
        "GKE release channel is not set",
        "low",
        GKE,
        present("release_channel"),
        "Set release_channel.",
        [f"{NIST}:SI-2"],
        ["CKV_GCP_70"],
    ),
    _c(
        "iac.gcp.gke-node-auto-upgrade",
        "GKE node pool auto-upgrade is disabled",
        "medium",
        POOL,
        is_true("management.auto_upgrade"),
        "Set management { auto_upgrade = true }.",
        [f"{NIST}:SI-2"],
        ["CKV_GCP_10"],
    ),
    _c(
        "iac.gcp.gke-node-auto-repair",
        "GKE node pool auto-repair is disabled",
        "low",
        POOL,
        is_true("management.auto_repair"),
        "Set management { auto_repair = true }.",
        [f"{NIST}:CP-10"],
        ["CKV_GCP_9"],
    ),
    _c(
        "iac.gcp.gke-secure-boot",
        "GKE nodes do not use Secure Boot",
        "low",
        POOL,
        is_true("node_config.shielded_instance_config.enable_secure_boot"),
        "Enable shielded_instance_config.enable_secure_boot.",
        [f"{NIST}:SI-7"],
        ["CKV_GCP_68"],
    ),
    _c(
        "iac.gcp.gke-metadata-server",
        "GKE nodes do not use the GKE metadata server",
        "medium",
        (POOL, GKE),
        lambda r, g: (
            PASS  # the cluster's default pool is deleted, or Autopilot (always the GKE metadata server)
            if r.type == GKE and (truth(r.get("remove_default_node_pool")) or truth(r.get("enable_autopilot")))
            else equals("node_config.workload_metadata_config.mode", "GKE_METADATA")(r, g)
        ),
        'Set workload_metadata_config { mode = "GKE_METADATA" }.',
        [f"{NIST}:AC-3"],
        ["CKV_GCP_69"],
    ),
    _c(
        "iac.gcp.vm-public-ip",
        "Compute instance has a public IP",
        "medium",
        VM,
        _vm_public_ip,
        "Remove access_config; reach instances through IAP or a load balancer.",
        [f"{CIS}:4.9", f"{NIST}:SC-7"],
        ["CKV_GCP_40"],
    ),
    _c(
        "iac.gcp.vm-ip-forwarding",
        "Compute instance has IP forwarding enabled",
        "medium",
        VM,
        is_false("can_ip_forward"),
        "Set can_ip_forward = false.",
        [f"{CIS}:4.6", f"{NIST}:SC-7"],
        ["CKV_GCP_36"],
    ),
    _c(
        "iac.gcp.vm-serial-port",
        "Compute instance enables the serial console",
        "medium",
        VM,
        _metadata("serial-port-enable", "false", missing_ok=True),
        "Remove serial-port-enable or set it false.",
        [f"{CIS}:4.5", f"{NIST}:CM-7"],
        ["CKV_GCP_35"],
    ),
    _c(
        "iac.gcp.vm-block-project-ssh-keys",
        "Compute instance accepts project-wide SSH keys",
        "medium",
        VM,
        _metadata("block-project-ssh-keys", "true", missing_ok=False),
        "Set metadata block-project-ssh-keys = true.",
        [f"{CIS}:4.3", f"{NIST}:AC-3"],
        ["CKV_GCP_32"],
    ),
    _c(
        "iac.gcp.vm-os-login",
        "Compute instance disables OS Login",
        "low",
        VM,
        _metadata("enable-oslogin", "true", missing_ok=True),
        "Do not override enable-oslogin to false.",
        [f"{CIS}:4.4", f"{NIST}:IA-2"],
        ["CKV_GCP_34"],
    ),
    _c(
        "iac.gcp.vm-shielded",
        "Compute instance is not a Shielded VM",
        "low",
        VM,
        lambda r, g: (
            PASS
            if truth(r.get("shielded_instance_config.enable_vtpm")) is not False
            and truth(r.get("shielded_instance_config.enable_integrity_monitoring")) is not False
            and not unset(r.get("shielded_instance_config"))
            else Fail("shielded_instance_config is missing or disabled")
        ),
        "Configure shielded_instance_config with vTPM and integrity monitoring.",
        [f"{CIS}:4.8", f"{NIST}:SI-7"],
        ["CKV_GCP_39"],
    ),
    _c(
        "iac.gcp.vm-default-service-account",
        "Compute instance uses the default service account with full API scope",
        "high",
        VM,
        _default_sa,
        "Use a dedicated service account with minimal scopes.",
        [f"{CIS}:4.2", f"{NIST}:AC-6"],
        ["CKV_GCP_30", "CKV_GCP_31"],
    ),
    _c(
        "iac.gcp.disk-csek",
        "Compute disk is not encrypted with a customer key",
        "low",
        "google_compute_disk",
        any_of(present("disk_encryption_key.raw_key"), present("disk_encryption_key.kms_key_self_link")),
        "Set disk_encryption_key.",
        [f"{CIS}:4.7", f"{NIST}:SC-12"],
        ["CKV_GCP_37"],
    ),
    _c(
        "iac.gcp.bigquery-public",
        "BigQuery dataset is public",
        "critical",
        "google_bigquery_dataset",
        _bq_public,
        "Remove allUsers/allAuthenticatedUsers access.",
        [f"{CIS}:7.1", f"{NIST}:AC-3"],
        ["CKV_GCP_15"],
        [284],
    ),
    _c(
        "iac.gcp.bigquery-cmk",
        "BigQuery dataset is not encrypted with a customer key",
        "low",
        "google_bigquery_dataset",
        present("default_encryption_configuration.kms_key_name"),
        "Set default_encryption_configuration.",
        [f"{CIS}:7.3", f"{NIST}:SC-12"],
        ["CKV_GCP_81"],
    ),
    _c(
        "iac.gcp.subnet-flow-logs",
        "Subnetwork has no VPC flow logs",
        "low",
        "google_compute_subnetwork",
        present("log_config"),
        "Configure log_config.",
        [f"{CIS}:3.8", f"{NIST}:AU-12"],
        ["CKV_GCP_26"],
    ),
    _c(
        "iac.gcp.subnet-private-google-access",
        "Subnetwork private Google access is disabled",
        "low",
        "google_compute_subnetwork",
        is_true("private_ip_google_access"),
        "Set private_ip_google_access = true.",
        [f"{NIST}:SC-7"],
        ["CKV_GCP_74"],
    ),
    _c(
        "iac.gcp.kms-rotation",
        "Cloud KMS key rotates less often than every 90 days",
        "medium",
        "google_kms_crypto_key",
        lambda r, g: _rotation(r),
        "Set rotation_period <= 7776000s.",
        [f"{CIS}:1.10", f"{NIST}:SC-12"],
        ["CKV_GCP_43"],
    ),
    _c(
        "iac.gcp.project-iam-primitive-role",
        "Project IAM grants a primitive role (owner/editor)",
        "medium",
        ("google_project_iam_member", "google_project_iam_binding"),
        lambda r, g: (
            Fail(f"role {r.get('role')} is a primitive role")
            if r.get("role") in ("roles/owner", "roles/editor")
            else (UNDECIDED if is_unknown(r.get("role")) else PASS)
        ),
        "Grant predefined or custom roles.",
        [f"{CIS}:1.5", f"{NIST}:AC-6"],
        ["CKV_GCP_117"],
    ),
]


def _master_networks(r: Resource) -> Outcome:
    cfg = r.get("master_authorized_networks_config")
    if is_unknown(cfg):
        return UNDECIDED
    if unset(cfg):
        return Fail("no master_authorized_networks_config: the endpoint accepts any network")
    blocks = [b for v in r.all("master_authorized_networks_config.cidr_blocks") for b in as_list(v)]
    cidrs = [b.get("cidr_block") for b in blocks if isinstance(b, dict)]
    if "0.0.0.0/0" in cidrs:
        return Fail("master authorized networks include 0.0.0.0/0")
    return UNDECIDED if any(is_unknown(c) for c in cidrs) else PASS


def _rotation(r: Resource) -> Outcome:
    p = r.get("rotation_period")
    if is_unknown(p):
        return UNDECIDED
    if unset(p):
        return Fail("no rotation_period")
    try:
        secs = float(str(p).rstrip("s"))
    except ValueError:
        return UNDECIDED
    return PASS if secs <= 7776000 else Fail(f"rotation_period {p}")
