"""AWS networking: security groups (inline rules, rule resources, CloudFormation), VPC flow logs, default
security groups, subnets, NACLs. Security-group findings name what the group is attached to (graph)."""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, check
from garrison.scan.analyzers.iac.checks.dsl import is_false, number, unset
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource, as_list, is_unknown

CIS = "CIS AWS Foundations 1.5"
NIST = "NIST 800-53 Rev5"
SG_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
WORLD = {"0.0.0.0/0", "::/0"}

SG_TYPES = (
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
)


def _rules(r: Resource, direction: str = "ingress") -> list[dict[str, Any]] | None:
    """Rules as (from, to, protocol, cidrs); None when the rule set is not statically known. Computed once
    per resource and direction: sixteen checks read them."""
    return r.memo(f"sg-rules:{direction}", lambda: _compute_rules(r, direction))  # type: ignore[no-any-return]


def _compute_rules(r: Resource, direction: str) -> list[dict[str, Any]] | None:
    out: list[dict[str, Any]] = []
    if r.type == "aws_security_group":
        blocks = r.get(direction)
        if is_unknown(blocks):
            return None
        for b in as_list(blocks):
            if not isinstance(b, dict):
                return None
            out.append(
                _norm(
                    b.get("from_port"),
                    b.get("to_port"),
                    b.get("protocol"),
                    b.get("cidr_blocks"),
                    b.get("ipv6_cidr_blocks"),
                    b.get("description"),
                )
            )
    elif r.type == "aws_security_group_rule":
        t = r.get("type")
        if is_unknown(t):
            return None
        if t == direction:
            out.append(
                _norm(
                    r.get("from_port"),
                    r.get("to_port"),
                    r.get("protocol"),
                    r.get("cidr_blocks"),
                    r.get("ipv6_cidr_blocks"),
                    r.get("description"),
                )
            )
    elif r.type == "aws_vpc_security_group_ingress_rule" and direction == "ingress":
        out.append(
            _norm(
                r.get("from_port"),
                r.get("to_port"),
                r.get("ip_protocol"),
                r.get("cidr_ipv4"),
                r.get("cidr_ipv6"),
                r.get("description"),
            )
        )
    elif r.type == "AWS::EC2::SecurityGroup":
        key = "SecurityGroupIngress" if direction == "ingress" else "SecurityGroupEgress"
        blocks = r.get(key)
        if is_unknown(blocks):
            return None
        for b in as_list(blocks):
            if not isinstance(b, dict):
                return None
            out.append(
                _norm(
                    b.get("FromPort"),
                    b.get("ToPort"),
                    b.get("IpProtocol"),
                    b.get("CidrIp"),
                    b.get("CidrIpv6"),
                    b.get("Description"),
                )
            )
    elif r.type == "AWS::EC2::SecurityGroupIngress" and direction == "ingress":
        out.append(
            _norm(
                r.get("FromPort"),
                r.get("ToPort"),
                r.get("IpProtocol"),
                r.get("CidrIp"),
                r.get("CidrIpv6"),
                r.get("Description"),
            )
        )
    return out


def _norm(frm: Any, to: Any, proto: Any, cidrs: Any, cidrs6: Any, desc: Any) -> dict[str, Any]:
    all_cidrs = as_list(cidrs) + as_list(cidrs6)
    return {"from": frm, "to": to, "protocol": proto, "cidrs": all_cidrs, "description": desc}


def _covers(rule: dict[str, Any], port: int | None) -> bool | None:
    proto = rule["protocol"]
    if is_unknown(proto):
        return None
    if str(proto).lower() in ("-1", "all"):
        return True
    if port is None:  # "all ports" question
        f, t = number(rule["from"]), number(rule["to"])
        if f is None or t is None:
            return None if is_unknown(rule["from"]) or is_unknown(rule["to"]) else False
        return f <= 0 and t >= 65535
    f, t = number(rule["from"]), number(rule["to"])
    if f is None or t is None:
        return None if is_unknown(rule["from"]) or is_unknown(rule["to"]) else False
    if str(proto).lower() not in ("tcp", "6", "udp", "17"):
        return False
    return f <= port <= t


def _world(rule: dict[str, Any]) -> bool | None:
    cidrs = rule["cidrs"]
    if any(is_unknown(c) for c in cidrs):
        return None if not any(c in WORLD for c in cidrs if not is_unknown(c)) else True
    return any(c in WORLD for c in cidrs)


def _attached(r: Resource, g: Graph) -> str:
    users = [
        x.address for x in g.referencing(r) if not x.type.startswith(("aws_security_group", "AWS::EC2::SecurityGroup"))
    ]
    return f" (attached to {', '.join(sorted(users)[:3])}{'…' if len(users) > 3 else ''})" if users else ""


def open_port(port: int | None, label: str) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        rules = _rules(r)
        if rules is None:
            return UNDECIDED
        undecided = False
        for rule in rules:
            w, c = _world(rule), _covers(rule, port)
            if w is True and c is True:
                return Fail(f"{label} open to the internet (0.0.0.0/0){_attached(r, g)}")
            if (w is None and c is not False) or (c is None and w is not False):
                undecided = True
        return UNDECIDED if undecided else PASS

    return run


def _egress_all(r: Resource, g: Graph) -> Outcome:
    if r.type in ("aws_security_group_rule",) or r.type in ("aws_security_group", "AWS::EC2::SecurityGroup"):
        rules = _rules(r, "egress")
    else:
        return PASS
    if rules is None:
        return UNDECIDED
    for rule in rules:
        if _world(rule) is True and str(rule["protocol"]) in ("-1", "all"):
            return Fail("all egress traffic to the internet is allowed")
    return PASS


def _descriptions(r: Resource, g: Graph) -> Outcome:
    if r.type in ("aws_security_group", "AWS::EC2::SecurityGroup"):
        desc = r.get("GroupDescription" if r.platform == "cloudformation" else "description")
        if unset(desc) and r.platform == "terraform":
            return Fail("the security group has no description")
        rules = (_rules(r, "ingress") or []) + (_rules(r, "egress") or [])
    else:
        rules = (_rules(r, "ingress") or []) + (_rules(r, "egress") or [])
    for rule in rules:
        if unset(rule["description"]):
            return Fail("a rule has no description")
    return PASS


PORTS: list[tuple[str, int | None, str, str, list[str], list[str]]] = [
    ("ssh", 22, "SSH (22)", "critical", [f"{CIS}:5.2"], ["CKV_AWS_24"]),
    ("rdp", 3389, "RDP (3389)", "critical", [f"{CIS}:5.2"], ["CKV_AWS_25"]),
    ("http", 80, "HTTP (80)", "low", [], ["CKV_AWS_260"]),
    ("ftp", 21, "FTP (21)", "high", [], []),
    ("telnet", 23, "Telnet (23)", "high", [], []),
    ("mysql", 3306, "MySQL (3306)", "high", [], []),
    ("postgres", 5432, "PostgreSQL (5432)", "high", [], []),
    ("mssql", 1433, "SQL Server (1433)", "high", [], []),
    ("mongodb", 27017, "MongoDB (27017)", "high", [], []),
    ("redis", 6379, "Redis (6379)", "high", [], []),
    ("elasticsearch", 9200, "Elasticsearch (9200)", "high", [], []),
    ("docker-api", 2375, "Docker API (2375)", "critical", [], []),
    ("smb", 445, "SMB (445)", "high", [], []),
    ("all-ports", None, "every port", "critical", [f"{CIS}:5.2"], []),
]

CHECKS = [
    check(
        f"iac.aws.sg-{slug}-open",
        f"Security group allows {label} from the internet",
        sev,
        SG_TYPES,
        open_port(port, label),
        description=f"An ingress rule allows {label} from 0.0.0.0/0 or ::/0; anyone on the internet can reach the "
        "service and brute-force or exploit it.",
        remediation="Restrict the source CIDR to known ranges, or reach the service through a VPN, bastion or SSM.",
        refs=[SG_DOC],
        fw=[*fw, "NIST 800-53 Rev5:SC-7", "NIST 800-53 Rev5:AC-4"],
        cwe=[284],
        platform="aws",
        ckv=ckv,
    )
    for slug, port, label, sev, fw, ckv in PORTS
] + [
    check(
        "iac.aws.sg-egress-all",
        "Security group allows all egress to the internet",
        "low",
        ("aws_security_group", "aws_security_group_rule", "AWS::EC2::SecurityGroup"),
        _egress_all,
        remediation="Restrict egress to the destinations the workload needs.",
        refs=[SG_DOC],
        fw=[f"{NIST}:SC-7"],
        platform="aws",
        ckv=["CKV_AWS_382"],
    ),
    check(
        "iac.aws.sg-description",
        "Security group or rule has no description",
        "low",
        ("aws_security_group", "aws_security_group_rule", "AWS::EC2::SecurityGroup"),
        _descriptions,
        remediation="Describe every security group and rule.",
        refs=[SG_DOC],
        fw=[f"{NIST}:CM-8"],
        platform="aws",
        ckv=["CKV_AWS_23"],
    ),
    check(
        "iac.aws.vpc-flow-logs",
        "VPC has no flow logs",
        "medium",
        ("aws_vpc", "AWS::EC2::VPC"),
        lambda r, g: (
            PASS if g.referencing(r, "aws_flow_log", "AWS::EC2::FlowLog") else Fail("no flow log references this VPC")
        ),
        remediation="Add an aws_flow_log for the VPC.",
        fw=[f"{CIS}:3.9", f"{NIST}:AU-12", f"{NIST}:SI-4"],
        refs=["https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"],
        platform="aws",
        ckv=["CKV2_AWS_11"],
    ),
    check(
        "iac.aws.vpc-default-sg-restricted",
        "VPC default security group does not restrict all traffic",
        "medium",
        "aws_vpc",
        lambda r, g: _default_sg(r, g),
        remediation="Manage aws_default_security_group for the VPC with no ingress or egress rules.",
        fw=[f"{CIS}:5.4", f"{NIST}:SC-7"],
        platform="aws",
        ckv=["CKV2_AWS_12"],
    ),
    check(
        "iac.aws.default-sg-rules",
        "Default security group has rules",
        "medium",
        "aws_default_security_group",
        lambda r, g: (
            Fail("the default security group allows traffic")
            if not unset(r.get("ingress")) or not unset(r.get("egress"))
            else PASS
        ),
        remediation="Remove every rule from the default security group.",
        fw=[f"{CIS}:5.4", f"{NIST}:SC-7"],
        platform="aws",
    ),
    check(
        "iac.aws.subnet-public-ip",
        "Subnet assigns public IPs by default",
        "medium",
        ("aws_subnet", "AWS::EC2::Subnet"),
        lambda r, g: is_false("MapPublicIpOnLaunch" if r.platform == "cloudformation" else "map_public_ip_on_launch")(
            r, g
        ),
        remediation="Set map_public_ip_on_launch = false; give public IPs explicitly where needed.",
        fw=[f"{NIST}:SC-7"],
        platform="aws",
        ckv=["CKV_AWS_130"],
    ),
    check(
        "iac.aws.nacl-admin-open",
        "Network ACL allows SSH or RDP from the internet",
        "high",
        ("aws_network_acl_rule",),
        lambda r, g: _nacl(r),
        remediation="Deny 22/3389 from 0.0.0.0/0 in network ACLs.",
        fw=[f"{CIS}:5.1", f"{NIST}:SC-7"],
        platform="aws",
        ckv=["CKV_AWS_229", "CKV_AWS_231"],
    ),
]


def _default_sg(r: Resource, g: Graph) -> Outcome:
    for d in g.referencing(r, "aws_default_security_group"):
        if unset(d.get("ingress")) and unset(d.get("egress")):
            return PASS
    return Fail("the VPC's default security group is not managed to deny all traffic")


def _nacl(r: Resource) -> Outcome:
    if r.get("egress") is True or str(r.get("rule_action", "")).lower() != "allow":
        return PASS
    if r.get("cidr_block") not in WORLD:
        return UNDECIDED if is_unknown(r.get("cidr_block")) else PASS
    f, t = number(r.get("from_port")), number(r.get("to_port"))
    if str(r.get("protocol")) in ("-1", "all"):
        return Fail("all traffic allowed from the internet")
    if f is None or t is None:
        return UNDECIDED
    if f <= 22 <= t or f <= 3389 <= t:
        return Fail("SSH/RDP allowed from the internet")
    return PASS
