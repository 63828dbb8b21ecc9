"""Azure (azurerm): storage, NSG, Key Vault, SQL/MySQL/PostgreSQL, AKS, App Service, VMs, Defender, monitoring."""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, any_of, check, first_failure
from garrison.scan.analyzers.iac.checks.dsl import at_least, equals, is_false, is_true, not_in, present, truth, unset
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Ref, Resource, as_list, is_unknown

CIS = "CIS Azure Foundations 2.0"
NIST = "NIST 800-53 Rev5"
SA = "azurerm_storage_account"
KV = "azurerm_key_vault"
AKS = "azurerm_kubernetes_cluster"
APP = ("azurerm_app_service", "azurerm_linux_web_app", "azurerm_windows_web_app")
MYSQL = "azurerm_mysql_server"
PG = "azurerm_postgresql_server"
MSSQL = ("azurerm_mssql_server", "azurerm_sql_server")


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
    return check(id, title, sev, types, pred, remediation=fix, fw=fw, ckv=ckv or [], cwe=cwe or [], platform="azure")


def _nsg_rules(r: Resource) -> list[dict[str, Any]] | None:
    if r.type == "azurerm_network_security_rule":
        return [r.attributes]
    rules = r.get("security_rule")
    if is_unknown(rules):
        return None
    return [x for x in as_list(rules) if isinstance(x, dict)]


_ANY_SOURCE = {"*", "0.0.0.0", "0.0.0.0/0", "internet", "any", "<nw>/0", "/0"}


def _port_in(spec: Any, port: int) -> bool | None:
    if is_unknown(spec):
        return None
    s = str(spec).strip()
    if s == "*":
        return True
    if "-" in s:
        lo, _, hi = s.partition("-")
        try:
            return int(lo) <= port <= int(hi)
        except ValueError:
            return None
    try:
        return int(s) == port
    except ValueError:
        return None


def nsg_open(port: int, label: str) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        rules = _nsg_rules(r)
        if rules is None:
            return UNDECIDED
        undecided = False
        for rule in rules:
            if str(rule.get("direction", "")).lower() != "inbound" or str(rule.get("access", "")).lower() != "allow":
                continue
            if str(rule.get("protocol", "*")).lower() not in ("tcp", "*"):
                continue
            sources = as_list(rule.get("source_address_prefix")) + as_list(rule.get("source_address_prefixes"))
            ports = as_list(rule.get("destination_port_range")) + as_list(rule.get("destination_port_ranges"))
            world = any(str(s).lower() in _ANY_SOURCE for s in sources if not is_unknown(s))
            hits = [_port_in(p, port) for p in ports]
            if world and any(h is True for h in hits):
                return Fail(f"{label} is open to the internet")
            if any(is_unknown(s) for s in sources) or any(h is None for h in hits):
                undecided = True
        return UNDECIDED if undecided else PASS

    return run


def _pg_config(name: str) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        n = r.get("name")
        if is_unknown(n):
            return UNDECIDED
        if str(n).lower() != name:
            return PASS
        return equals("value", "on")(r, g)

    return run


def _sql_firewall(r: Resource, g: Graph) -> Outcome:
    start, end = r.get("start_ip_address"), r.get("end_ip_address")
    if is_unknown(start) or is_unknown(end):
        return UNDECIDED
    if start == "0.0.0.0" and end == "255.255.255.255":
        return Fail("the firewall rule admits the whole internet")
    return PASS


def _custom_owner(r: Resource, g: Graph) -> Outcome:
    actions = [a for p in as_list(r.get("permissions")) if isinstance(p, dict) for a in as_list(p.get("actions"))]
    if any(is_unknown(a) for a in actions):
        return UNDECIDED
    scopes = [r.get("scope"), *as_list(r.get("assignable_scopes"))]
    # a reference to data.azurerm_subscription is the subscription scope, known from the graph
    sub_ref = any(
        isinstance(s, Ref) and s.address.rsplit(".", 1)[0].endswith("data.azurerm_subscription") for s in scopes
    )
    literal = any(isinstance(s, str) and (s == "/" or s.count("/") <= 2) for s in scopes if not is_unknown(s))
    if "*" in actions and (sub_ref or literal):
        return Fail("a custom role grants every action at subscription scope (an Owner equivalent)")
    if "*" in actions and any(is_unknown(s) for s in scopes):
        return UNDECIDED
    return PASS


#: resource type -> the attribute holding its administrator password
_ADMIN_PASSWORD = {
    "azurerm_sql_server": "administrator_login_password",
    "azurerm_mssql_server": "administrator_login_password",
    "azurerm_mysql_server": "administrator_login_password",
    "azurerm_postgresql_server": "administrator_login_password",
    "azurerm_mysql_flexible_server": "administrator_password",
    "azurerm_postgresql_flexible_server": "administrator_password",
    "azurerm_linux_virtual_machine": "admin_password",
    "azurerm_windows_virtual_machine": "admin_password",
    "azurerm_linux_virtual_machine_scale_set": "admin_password",
    "azurerm_windows_virtual_machine_scale_set": "admin_password",
}


def _hardcoded_admin_password(r: Resource, g: Graph) -> Outcome:
    """A literal (or a variable default) is in the repository; a generated or Key Vault value is a reference."""
    pw = r.get(_ADMIN_PASSWORD[r.type])
    if isinstance(pw, str) and pw:
        return Fail(f"{_ADMIN_PASSWORD[r.type]} is a literal in the configuration")
    return PASS


def _aks_rbac(r: Resource, g: Graph) -> Outcome:
    v = r.get("role_based_access_control_enabled")
    if unset(v):
        v = r.get("role_based_access_control.enabled", True)
    t = truth(v)
    if t is None:
        return UNDECIDED
    return PASS if t else Fail("Kubernetes RBAC is disabled")


def _log_profile_categories(r: Resource, g: Graph) -> Outcome:
    cats = r.get("categories")
    if is_unknown(cats):
        return UNDECIDED
    missing = {"write", "delete", "action"} - {str(c).lower() for c in as_list(cats)}
    return Fail(f"categories missing: {', '.join(sorted(missing))}") if missing else PASS


def _log_profile_retention(r: Resource, g: Graph) -> Outcome:
    enabled = truth(r.get("retention_policy.enabled"))
    days = r.get("retention_policy.days")
    if enabled is False:
        return PASS  # retention disabled = kept forever
    if is_unknown(days) or enabled is None:
        return UNDECIDED
    try:
        return PASS if int(days) >= 365 or int(days) == 0 else Fail(f"activity logs kept {days} days")
    except (TypeError, ValueError):
        return UNDECIDED


CHECKS = [
    _c(
        "iac.azure.storage-https-only",
        "Storage account allows plain HTTP",
        "high",
        SA,
        # provider 3.x spells it enable_https_traffic_only, 4.x https_traffic_only_enabled; either false is HTTP
        first_failure(
            is_true("enable_https_traffic_only", missing=True), is_true("https_traffic_only_enabled", missing=True)
        ),
        "Set https_traffic_only_enabled = true.",
        [f"{CIS}:3.1", f"{NIST}:SC-8"],
        ["CKV_AZURE_3"],
        [319],
    ),
    _c(
        "iac.azure.storage-min-tls",
        "Storage account allows TLS below 1.2",
        "medium",
        SA,
        equals("min_tls_version", "TLS1_2", "TLS1_3"),
        'Set min_tls_version = "TLS1_2".',
        [f"{CIS}:3.15", f"{NIST}:SC-8"],
        ["CKV_AZURE_44"],
        [326],
    ),
    _c(
        "iac.azure.storage-public-blob",
        "Storage account allows anonymous blob access",
        "high",
        SA,
        lambda r, g: (
            is_false("allow_blob_public_access")(r, g)
            if not unset(r.get("allow_blob_public_access"))
            else is_false("allow_nested_items_to_be_public", missing=False)(r, g)
        ),
        "Set allow_nested_items_to_be_public = false.",
        [f"{CIS}:3.7", f"{NIST}:AC-3"],
        ["CKV_AZURE_190", "CKV2_AZURE_47"],
        [284],
    ),
    _c(
        "iac.azure.storage-network-deny",
        "Storage account network access defaults to allow",
        "medium",
        SA,
        lambda r, g: (
            equals("network_rules.default_action", "Deny")(r, g)
            if not unset(r.get("network_rules"))
            else Fail("no network rules: reachable from every network")
        ),
        'Add network_rules { default_action = "Deny" } with the allowed networks.',
        [f"{CIS}:3.8", f"{NIST}:SC-7"],
        ["CKV_AZURE_35"],
    ),
    _c(
        "iac.azure.storage-public-network",
        "Storage account public network access is enabled",
        "medium",
        SA,
        is_false("public_network_access_enabled", missing=False),
        "Set public_network_access_enabled = false and use private endpoints.",
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_59"],
    ),
    _c(
        "iac.azure.storage-shared-key",
        "Storage account allows Shared Key authorization",
        "medium",
        SA,
        is_false("shared_access_key_enabled", missing=False),
        "Set shared_access_key_enabled = false (use Entra ID).",
        [f"{CIS}:3.3", f"{NIST}:IA-2"],
        ["CKV2_AZURE_40"],
    ),
    _c(
        "iac.azure.storage-queue-logging",
        "Storage queue service logging is not enabled",
        "low",
        SA,
        lambda r, g: (
            PASS
            if all(truth(r.get(f"queue_properties.logging.{k}")) for k in ("delete", "read", "write"))
            else Fail("queue read/write/delete logging is not enabled")
        ),
        "Configure queue_properties { logging { read = true, write = true, delete = true } }.",
        [f"{CIS}:3.5", f"{NIST}:AU-12"],
        ["CKV_AZURE_33"],
    ),
    _c(
        "iac.azure.storage-rules-trusted-services",
        "Storage network rules do not allow trusted Microsoft services",
        "low",
        "azurerm_storage_account_network_rules",
        lambda r, g: (
            PASS
            if "AzureServices" in as_list(r.get("bypass"))
            else (UNDECIDED if is_unknown(r.get("bypass")) else Fail("bypass does not include AzureServices"))
        ),
        'Add "AzureServices" to bypass.',
        [f"{CIS}:3.9"],
        ["CKV_AZURE_36"],
    ),
    _c(
        "iac.azure.nsg-ssh-open",
        "NSG allows SSH from the internet",
        "critical",
        ("azurerm_network_security_group", "azurerm_network_security_rule"),
        nsg_open(22, "SSH (22)"),
        "Restrict the source address prefix; use Bastion or JIT access.",
        [f"{CIS}:6.2", f"{NIST}:SC-7"],
        ["CKV_AZURE_10"],
        [284],
    ),
    _c(
        "iac.azure.nsg-rdp-open",
        "NSG allows RDP from the internet",
        "critical",
        ("azurerm_network_security_group", "azurerm_network_security_rule"),
        nsg_open(3389, "RDP (3389)"),
        "Restrict the source address prefix; use Bastion or JIT access.",
        [f"{CIS}:6.1", f"{NIST}:SC-7"],
        ["CKV_AZURE_9"],
        [284],
    ),
    _c(
        "iac.azure.nsg-http-open",
        "NSG allows HTTP from the internet",
        "low",
        ("azurerm_network_security_group", "azurerm_network_security_rule"),
        nsg_open(80, "HTTP (80)"),
        "Serve HTTPS behind an application gateway or front door.",
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_160"],
    ),
    _c(
        "iac.azure.nsg-sql-open",
        "NSG allows SQL Server from the internet",
        "high",
        ("azurerm_network_security_group", "azurerm_network_security_rule"),
        nsg_open(1433, "SQL Server (1433)"),
        "Restrict the source address prefix.",
        [f"{CIS}:6.3", f"{NIST}:SC-7"],
        [],
    ),
    _c(
        "iac.azure.flow-log-retention",
        "NSG flow log retention is under 90 days",
        "low",
        "azurerm_network_watcher_flow_log",
        lambda r, g: (
            PASS
            if truth(r.get("retention_policy.enabled")) and (at_least("retention_policy.days", 90)(r, g) is PASS)
            else Fail("flow logs are kept less than 90 days")
        ),
        "Set retention_policy { enabled = true, days = 90 }.",
        [f"{CIS}:6.5", f"{NIST}:AU-11"],
        ["CKV_AZURE_12"],
    ),
    _c(
        "iac.azure.keyvault-purge-protection",
        "Key Vault purge protection is disabled",
        "medium",
        KV,
        is_true("purge_protection_enabled"),
        "Set purge_protection_enabled = true.",
        [f"{CIS}:8.5", f"{NIST}:CP-9"],
        ["CKV_AZURE_110", "CKV_AZURE_42"],
    ),
    _c(
        "iac.azure.keyvault-network-acls",
        "Key Vault is reachable from every network",
        "medium",
        KV,
        equals("network_acls.default_action", "Deny"),
        'Set network_acls { default_action = "Deny" }.',
        [f"{CIS}:8.7", f"{NIST}:SC-7"],
        ["CKV_AZURE_109"],
    ),
    _c(
        "iac.azure.keyvault-key-expiry",
        "Key Vault key has no expiration date",
        "medium",
        "azurerm_key_vault_key",
        present("expiration_date"),
        "Set expiration_date.",
        [f"{CIS}:8.1", f"{NIST}:SC-12"],
        ["CKV_AZURE_40"],
    ),
    _c(
        "iac.azure.keyvault-secret-expiry",
        "Key Vault secret has no expiration date",
        "medium",
        "azurerm_key_vault_secret",
        present("expiration_date"),
        "Set expiration_date.",
        [f"{CIS}:8.3", f"{NIST}:IA-5"],
        ["CKV_AZURE_41"],
    ),
    _c(
        "iac.azure.keyvault-secret-content-type",
        "Key Vault secret has no content type",
        "low",
        "azurerm_key_vault_secret",
        present("content_type"),
        "Set content_type.",
        [f"{NIST}:CM-8"],
        ["CKV_AZURE_114"],
    ),
    _c(
        "iac.azure.keyvault-key-hsm",
        "Key Vault key is not HSM-backed",
        "low",
        "azurerm_key_vault_key",
        equals("key_type", "RSA-HSM", "EC-HSM"),
        "Use key_type RSA-HSM or EC-HSM.",
        [f"{NIST}:SC-12"],
        ["CKV_AZURE_112"],
    ),
    _c(
        "iac.azure.sql-public-network",
        "SQL server public network access is enabled",
        "high",
        MSSQL,
        is_false("public_network_access_enabled", missing=False),
        "Set public_network_access_enabled = false; use private endpoints.",
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_113"],
    ),
    _c(
        "iac.azure.sql-min-tls",
        "SQL server allows TLS below 1.2",
        "medium",
        "azurerm_mssql_server",
        equals("minimum_tls_version", "1.2", "1.3"),
        'Set minimum_tls_version = "1.2".',
        [f"{NIST}:SC-8"],
        ["CKV_AZURE_52"],
        [326],
    ),
    _c(
        "iac.azure.sql-firewall-open",
        "SQL firewall rule admits the whole internet",
        "critical",
        (
            "azurerm_sql_firewall_rule",
            "azurerm_mssql_firewall_rule",
            "azurerm_mysql_firewall_rule",
            "azurerm_postgresql_firewall_rule",
        ),
        _sql_firewall,
        "Admit only known client ranges.",
        [f"{CIS}:4.1.2", f"{NIST}:SC-7"],
        ["CKV_AZURE_11"],
        [284],
    ),
    _c(
        "iac.azure.sql-threat-types",
        "SQL threat detection has alert types disabled",
        "medium",
        "azurerm_mssql_server_security_alert_policy",
        lambda r, g: (
            PASS
            if unset(r.get("disabled_alerts"))
            else (UNDECIDED if is_unknown(r.get("disabled_alerts")) else Fail("disabled_alerts is not empty"))
        ),
        "Leave disabled_alerts empty.",
        [f"{CIS}:4.2.1", f"{NIST}:SI-4"],
        ["CKV_AZURE_25"],
    ),
    _c(
        "iac.azure.sql-alert-admins",
        "SQL threat alerts are not sent to admins",
        "low",
        "azurerm_mssql_server_security_alert_policy",
        is_true("email_account_admins"),
        "Set email_account_admins = true.",
        [f"{NIST}:IR-6"],
        ["CKV_AZURE_27"],
    ),
    _c(
        "iac.azure.sql-alert-emails",
        "SQL threat alerts have no recipients",
        "low",
        "azurerm_mssql_server_security_alert_policy",
        present("email_addresses"),
        "Set email_addresses.",
        [f"{NIST}:IR-6"],
        ["CKV_AZURE_26"],
    ),
    _c(
        "iac.azure.mysql-ssl",
        "MySQL server does not enforce SSL",
        "high",
        MYSQL,
        is_true("ssl_enforcement_enabled"),
        "Set ssl_enforcement_enabled = true.",
        [f"{CIS}:4.4.1", f"{NIST}:SC-8"],
        ["CKV_AZURE_28"],
        [319],
    ),
    _c(
        "iac.azure.mysql-public",
        "MySQL server public network access is enabled",
        "high",
        MYSQL,
        is_false("public_network_access_enabled", missing=False),
        "Set public_network_access_enabled = false.",
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_53"],
    ),
    _c(
        "iac.azure.mysql-tls",
        "MySQL server allows TLS below 1.2",
        "medium",
        MYSQL,
        equals("ssl_minimal_tls_version_enforced", "TLS1_2", "TLS1_3"),
        'Set ssl_minimal_tls_version_enforced = "TLS1_2".',
        [f"{CIS}:4.4.2", f"{NIST}:SC-8"],
        ["CKV_AZURE_54"],
        [326],
    ),
    _c(
        "iac.azure.mysql-geo-backup",
        "MySQL server geo-redundant backup is disabled",
        "low",
        MYSQL,
        is_true("geo_redundant_backup_enabled"),
        "Set geo_redundant_backup_enabled = true.",
        [f"{NIST}:CP-9"],
        ["CKV_AZURE_94"],
    ),
    _c(
        "iac.azure.mysql-threat-detection",
        "MySQL server threat detection is disabled",
        "low",
        MYSQL,
        is_true("threat_detection_policy.enabled"),
        "Enable threat_detection_policy.",
        [f"{NIST}:SI-4"],
        ["CKV_AZURE_127"],
    ),
    _c(
        "iac.azure.postgres-ssl",
        "PostgreSQL server does not enforce SSL",
        "high",
        PG,
        is_true("ssl_enforcement_enabled"),
        "Set ssl_enforcement_enabled = true.",
        [f"{CIS}:4.3.1", f"{NIST}:SC-8"],
        ["CKV_AZURE_29"],
        [319],
    ),
    _c(
        "iac.azure.postgres-public",
        "PostgreSQL server public network access is enabled",
        "high",
        PG,
        is_false("public_network_access_enabled", missing=False),
        "Set public_network_access_enabled = false.",
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_68"],
    ),
    _c(
        "iac.azure.postgres-tls",
        "PostgreSQL server allows TLS below 1.2",
        "medium",
        PG,
        equals("ssl_minimal_tls_version_enforced", "TLS1_2", "TLS1_3"),
        'Set ssl_minimal_tls_version_enforced = "TLS1_2".',
        [f"{NIST}:SC-8"],
        ["CKV_AZURE_147"],
        [326],
    ),
    _c(
        "iac.azure.postgres-geo-backup",
        "PostgreSQL server geo-redundant backup is disabled",
        "low",
        PG,
        is_true("geo_redundant_backup_enabled"),
        "Set geo_redundant_backup_enabled = true.",
        [f"{NIST}:CP-9"],
        ["CKV_AZURE_102"],
    ),
    _c(
        "iac.azure.postgres-infra-encryption",
        "PostgreSQL infrastructure encryption is disabled",
        "low",
        PG,
        is_true("infrastructure_encryption_enabled"),
        "Set infrastructure_encryption_enabled = true.",
        [f"{NIST}:SC-28"],
        ["CKV_AZURE_130"],
    ),
    _c(
        "iac.azure.postgres-threat-detection",
        "PostgreSQL server threat detection is disabled",
        "low",
        PG,
        is_true("threat_detection_policy.enabled"),
        "Enable threat_detection_policy.",
        [f"{NIST}:SI-4"],
        ["CKV_AZURE_128"],
    ),
    _c(
        "iac.azure.postgres-log-checkpoints",
        "PostgreSQL log_checkpoints is off",
        "low",
        "azurerm_postgresql_configuration",
        _pg_config("log_checkpoints"),
        "Set log_checkpoints = on.",
        [f"{CIS}:4.3.2", f"{NIST}:AU-12"],
        ["CKV_AZURE_30"],
    ),
    _c(
        "iac.azure.postgres-connection-throttling",
        "PostgreSQL connection_throttling is off",
        "low",
        "azurerm_postgresql_configuration",
        _pg_config("connection_throttling"),
        "Set connection_throttling = on.",
        [f"{CIS}:4.3.5", f"{NIST}:SC-5"],
        ["CKV_AZURE_32"],
    ),
    _c(
        "iac.azure.postgres-log-connections",
        "PostgreSQL log_connections is off",
        "low",
        "azurerm_postgresql_configuration",
        _pg_config("log_connections"),
        "Set log_connections = on.",
        [f"{CIS}:4.3.3", f"{NIST}:AU-12"],
        ["CKV_AZURE_31"],
    ),
    _c(
        "iac.azure.aks-rbac",
        "AKS cluster has Kubernetes RBAC disabled",
        "high",
        AKS,
        _aks_rbac,
        "Set role_based_access_control_enabled = true.",
        [f"{NIST}:AC-3"],
        ["CKV_AZURE_5"],
    ),
    _c(
        "iac.azure.aks-network-policy",
        "AKS cluster has no network policy",
        "medium",
        AKS,
        present("network_profile.network_policy"),
        'Set network_profile { network_policy = "azure" or "calico" }.',
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_7"],
    ),
    _c(
        "iac.azure.aks-authorized-ranges",
        "AKS API server has no authorized IP ranges",
        "medium",
        AKS,
        lambda r, g: (
            PASS
            if truth(r.get("private_cluster_enabled"))
            else any_of(
                present("api_server_authorized_ip_ranges"), present("api_server_access_profile.authorized_ip_ranges")
            )(r, g)
        ),
        "Set api_server_access_profile { authorized_ip_ranges = [...] }.",
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_6"],
    ),
    _c(
        "iac.azure.aks-private",
        "AKS cluster is not private",
        "medium",
        AKS,
        is_true("private_cluster_enabled"),
        "Set private_cluster_enabled = true.",
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_115"],
    ),
    _c(
        "iac.azure.aks-azure-policy",
        "AKS cluster does not use the Azure Policy add-on",
        "low",
        AKS,
        any_of(is_true("azure_policy_enabled"), is_true("addon_profile.azure_policy.enabled")),
        "Set azure_policy_enabled = true.",
        [f"{NIST}:CM-7"],
        ["CKV_AZURE_116"],
    ),
    _c(
        "iac.azure.aks-logging",
        "AKS cluster does not send logs to Azure Monitor",
        "low",
        AKS,
        any_of(present("oms_agent"), is_true("addon_profile.oms_agent.enabled")),
        "Configure oms_agent.",
        [f"{NIST}:AU-12"],
        ["CKV_AZURE_4"],
    ),
    _c(
        "iac.azure.aks-local-accounts",
        "AKS local admin account is enabled",
        "medium",
        AKS,
        is_true("local_account_disabled"),
        "Set local_account_disabled = true.",
        [f"{NIST}:AC-2"],
        ["CKV_AZURE_141"],
    ),
    _c(
        "iac.azure.aks-dashboard",
        "AKS Kubernetes dashboard is enabled",
        "medium",
        AKS,
        is_false("addon_profile.kube_dashboard.enabled"),
        "Disable the kube_dashboard add-on.",
        [f"{NIST}:CM-7"],
        ["CKV_AZURE_8"],
    ),
    _c(
        "iac.azure.app-https-only",
        "App Service accepts plain HTTP",
        "medium",
        APP,
        is_true("https_only"),
        "Set https_only = true.",
        [f"{CIS}:9.2", f"{NIST}:SC-8"],
        ["CKV_AZURE_14"],
        [319],
    ),
    _c(
        "iac.azure.app-min-tls",
        "App Service allows TLS below 1.2",
        "medium",
        APP,
        lambda r, g: (
            PASS
            if unset(r.get("site_config.min_tls_version")) and unset(r.get("site_config.minimum_tls_version"))
            else any_of(
                equals("site_config.min_tls_version", "1.2", "1.3"),
                equals("site_config.minimum_tls_version", "1.2", "1.3"),
            )(r, g)
        ),
        'Set site_config { min_tls_version = "1.2" }.',
        [f"{CIS}:9.3", f"{NIST}:SC-8"],
        ["CKV_AZURE_15"],
        [326],
    ),
    _c(
        "iac.azure.app-auth",
        "App Service authentication is disabled",
        "low",
        APP,
        any_of(is_true("auth_settings.enabled"), is_true("auth_settings_v2.auth_enabled")),
        "Enable auth_settings.",
        [f"{CIS}:9.1", f"{NIST}:IA-2"],
        ["CKV_AZURE_13"],
    ),
    _c(
        "iac.azure.app-ftps",
        "App Service allows plain FTP deployments",
        "medium",
        APP,
        # azurerm_app_service keeps Azure's default (AllAllowed); the linux/windows web apps default to Disabled
        lambda r, g: equals("site_config.ftps_state", "Disabled", "FtpsOnly", missing=r.type != "azurerm_app_service")(
            r, g
        ),
        'Set site_config { ftps_state = "Disabled" }.',
        [f"{CIS}:9.10", f"{NIST}:SC-8"],
        ["CKV_AZURE_78"],
        [319],
    ),
    _c(
        "iac.azure.app-managed-identity",
        "App Service has no managed identity",
        "low",
        APP,
        present("identity"),
        "Add an identity block.",
        [f"{CIS}:9.5", f"{NIST}:IA-2"],
        ["CKV_AZURE_71"],
    ),
    _c(
        "iac.azure.app-http-logs",
        "App Service HTTP logging is disabled",
        "low",
        APP,
        present("logs.http_logs"),
        "Configure logs { http_logs { … } }.",
        [f"{NIST}:AU-12"],
        ["CKV_AZURE_63"],
    ),
    _c(
        "iac.azure.vm-password-auth",
        "Linux VM allows password authentication",
        "high",
        ("azurerm_linux_virtual_machine", "azurerm_virtual_machine"),
        lambda r, g: (
            is_true("disable_password_authentication", missing=True)(r, g)
            if r.type == "azurerm_linux_virtual_machine"
            else is_true("os_profile_linux_config.disable_password_authentication", missing=True)(r, g)
        ),
        "Use SSH keys and set disable_password_authentication = true.",
        [f"{NIST}:IA-2", f"{NIST}:IA-5"],
        ["CKV_AZURE_149", "CKV_AZURE_1"],
        [309],
    ),
    _c(
        "iac.azure.vm-extensions",
        "VM allows extension operations",
        "low",
        ("azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine"),
        is_false("allow_extension_operations", missing=False),
        "Set allow_extension_operations = false unless extensions are needed.",
        [f"{NIST}:CM-7"],
        ["CKV_AZURE_50"],
    ),
    _c(
        "iac.azure.vm-encryption-at-host",
        "VM encryption at host is disabled",
        "low",
        ("azurerm_windows_virtual_machine", "azurerm_linux_virtual_machine"),
        is_true("encryption_at_host_enabled"),
        "Set encryption_at_host_enabled = true.",
        [f"{NIST}:SC-28"],
        ["CKV_AZURE_151"],
    ),
    _c(
        "iac.azure.disk-cmk",
        "Managed disk is not encrypted with a customer managed key",
        "low",
        "azurerm_managed_disk",
        present("disk_encryption_set_id"),
        "Set disk_encryption_set_id.",
        [f"{CIS}:7.3", f"{NIST}:SC-12"],
        ["CKV_AZURE_93"],
    ),
    _c(
        "iac.azure.disk-encryption",
        "Managed disk has Azure Disk Encryption switched off",
        "medium",
        "azurerm_managed_disk",
        is_true("encryption_settings.enabled", missing=True),
        "Remove encryption_settings { enabled = false }, or enable it with a Key Vault key.",
        [f"{CIS}:7.2", f"{NIST}:SC-28"],
        ["CKV_AZURE_2"],
        [311],
    ),
    _c(
        "iac.azure.hardcoded-admin-password",
        "Administrator password is hard-coded",
        "high",
        _ADMIN_PASSWORD,
        _hardcoded_admin_password,
        "Generate the password (random_password) or read it from Key Vault; never commit it.",
        [f"{NIST}:IA-5"],
        [],
        [798],
    ),
    _c(
        "iac.azure.defender-standard",
        "Microsoft Defender plan is on the Free tier",
        "medium",
        "azurerm_security_center_subscription_pricing",
        equals("tier", "Standard"),
        'Set tier = "Standard".',
        [f"{CIS}:2.1.1", f"{NIST}:SI-4"],
        ["CKV_AZURE_19"],
    ),
    _c(
        "iac.azure.defender-alert-notifications",
        "Security alerts are not e-mailed",
        "low",
        "azurerm_security_center_contact",
        is_true("alert_notifications"),
        "Set alert_notifications = true.",
        [f"{CIS}:2.1.19", f"{NIST}:IR-6"],
        ["CKV_AZURE_21"],
    ),
    _c(
        "iac.azure.defender-alerts-to-admins",
        "Security alerts are not sent to subscription admins",
        "low",
        "azurerm_security_center_contact",
        is_true("alerts_to_admins"),
        "Set alerts_to_admins = true.",
        [f"{CIS}:2.1.20", f"{NIST}:IR-6"],
        ["CKV_AZURE_22"],
    ),
    _c(
        "iac.azure.log-profile-retention",
        "Activity log retention is under 365 days",
        "low",
        "azurerm_monitor_log_profile",
        _log_profile_retention,
        "Set retention_policy days to 365 (or disable retention to keep forever).",
        [f"{CIS}:5.1.2", f"{NIST}:AU-11"],
        ["CKV_AZURE_37"],
    ),
    _c(
        "iac.azure.log-profile-categories",
        "Activity log profile misses categories",
        "low",
        "azurerm_monitor_log_profile",
        _log_profile_categories,
        "Capture Write, Delete and Action.",
        [f"{CIS}:5.1.3", f"{NIST}:AU-2"],
        ["CKV_AZURE_38"],
    ),
    _c(
        "iac.azure.custom-owner-role",
        "Custom role is a subscription owner",
        "high",
        "azurerm_role_definition",
        _custom_owner,
        "Grant specific actions; use built-in roles.",
        [f"{CIS}:1.23", f"{NIST}:AC-6"],
        ["CKV_AZURE_39"],
        [269],
    ),
    _c(
        "iac.azure.app-gateway-waf",
        "Application Gateway has no WAF",
        "medium",
        "azurerm_application_gateway",
        any_of(is_true("waf_configuration.enabled"), present("firewall_policy_id")),
        "Enable waf_configuration or attach a firewall policy.",
        [f"{NIST}:SC-7"],
        ["CKV_AZURE_120"],
    ),
    _c(
        "iac.azure.container-registry-admin",
        "Container registry admin user is enabled",
        "medium",
        "azurerm_container_registry",
        is_false("admin_enabled"),
        "Set admin_enabled = false.",
        [f"{NIST}:AC-2"],
        ["CKV_AZURE_137"],
    ),
    _c(
        "iac.azure.redis-non-ssl-port",
        "Redis cache enables the non-TLS port",
        "medium",
        "azurerm_redis_cache",
        not_in("enable_non_ssl_port", [True]),
        "Set enable_non_ssl_port = false.",
        [f"{NIST}:SC-8"],
        ["CKV_AZURE_91"],
        [319],
    ),
]
