"""AWS compute and edge: EC2, launch templates, Lambda, EKS, ECS, ECR, ELB/ALB, API Gateway, CloudFront."""

from __future__ import annotations

import base64
import re
from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, all_of, check
from garrison.scan.analyzers.iac.checks.dsl import equals, is_false, is_true, not_in, present, truth, unset
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Partial, Resource, as_list, is_unknown

NIST = "NIST 800-53 Rev5"
CIS = "CIS AWS Foundations 1.5"
_SECRET = re.compile(
    r"(AKIA[0-9A-Z]{16}|aws_secret_access_key"
    r"|(?i:password|passwd|secret|api[_-]?key|token)\s*[=:]\s*['\"]?[^\s'\"$]{6,}"
    # a quoted key and a quoted literal: define('DB_PASSWORD', 'Aa1234321Bb'), {"token", "…"}
    r"|(?i:password|passwd|secret|api[_-]?key|token)['\"]\s*(?:,|=>)\s*['\"][^\s'\"$]{6,}['\"])"
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


def _p(tf: str, cfn: str) -> Any:
    """Attribute path by platform."""
    return lambda r: cfn if r.platform == "cloudformation" else tf


def _on(path: Any, pred_factory: Any, **kw: Any) -> Any:
    return lambda r, g: pred_factory(path(r), **kw)(r, g)


def _imds(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        return PASS
    tokens = r.get("metadata_options.http_tokens")
    endpoint = r.get("metadata_options.http_endpoint")
    if isinstance(endpoint, str) and endpoint == "disabled":
        return PASS
    if is_unknown(tokens):
        return UNDECIDED
    return PASS if tokens == "required" else Fail('IMDSv1 is allowed (metadata_options.http_tokens is not "required")')


def _root_block_encrypted(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        launch_template = r.type == "AWS::EC2::LaunchTemplate"
        base = "LaunchTemplateData.BlockDeviceMappings" if launch_template else "BlockDeviceMappings"
        undecided = False
        for m in r.all(base):
            ebs = m.get("Ebs") if isinstance(m, dict) else None
            if not isinstance(ebs, dict):
                continue  # instance store (VirtualName) or NoDevice
            t = truth(ebs.get("Encrypted"))
            if t is None and is_unknown(ebs.get("Encrypted")):
                undecided = True
            elif not t and unset(ebs.get("SnapshotId")):
                return Fail(f"block device {m.get('DeviceName', '?')} is not encrypted")
        return UNDECIDED if undecided else PASS
    undecided = False
    for key in ("root_block_device", "ebs_block_device"):
        for dev in as_list(r.get(key)):
            if not isinstance(dev, dict):
                continue
            t = truth(dev.get("encrypted"))
            if dev.get("encrypted") is not None and t is None:
                undecided = True
            elif not t:
                return Fail(f"{key}.encrypted is not true")
    if unset(r.get("root_block_device")):
        return Fail("root_block_device is not declared encrypted")
    return UNDECIDED if undecided else PASS


def _public_ip(r: Resource, g: Graph) -> Outcome:
    if r.type == "aws_launch_template":
        return is_false("network_interfaces.associate_public_ip_address")(r, g)
    if not unset(r.get("associate_public_ip_address")):
        return is_false("associate_public_ip_address")(r, g)
    # not set: the subnet decides (graph)
    for subnet in g.resolve(r, r.get("subnet_id"), "aws_subnet"):
        mapped = subnet.get("map_public_ip_on_launch")
        if is_unknown(mapped):
            return UNDECIDED
        if truth(mapped):
            return Fail(f"launched into {subnet.address}, which assigns public IPs (map_public_ip_on_launch)")
    return PASS


_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _base64_text(text: str) -> str | None:
    t = text.strip()
    if len(t) < 8 or len(t) % 4 or not _BASE64.fullmatch(t):
        return None
    try:
        return base64.b64decode(t, validate=True).decode("utf-8", "replace")
    except ValueError:
        return None


def _user_data_secrets(r: Resource, g: Graph) -> Outcome:
    ud = r.get("UserData") if r.platform == "cloudformation" else r.get("user_data")
    texts = [ud] if isinstance(ud, str) else []
    if isinstance(ud, Partial):  # a template with unknown parts: its literal parts are still in the user data
        texts = ["\n".join(ud.fragments)]
    if isinstance(ud, dict):
        texts = [str(ud)]
    texts += [d for d in (_base64_text(t) for t in texts) if d]  # launch templates take base64encode(...)
    for t in texts:
        if _SECRET.search(t):
            return Fail("user data contains a hard-coded secret")
    return PASS


def _lambda_env_secrets(r: Resource, g: Graph) -> Outcome:
    env = r.get("Environment.Variables") if r.platform == "cloudformation" else r.get("environment.variables")
    if not isinstance(env, dict):
        return PASS
    for k, v in env.items():
        if (
            isinstance(v, str)
            and (_SECRET.search(f"{k}={v}") or re.search(r"(?i)secret|password|token|api_?key", k))
            and v
        ):
            if k.upper().endswith(("_ARN", "_NAME", "_ID")):
                continue
            return Fail(f"environment variable {k} holds a hard-coded secret")
    return PASS


_DEPRECATED_RUNTIMES = {
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "nodejs",
    "nodejs4.3",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "ruby2.5",
    "ruby2.7",
    "java8",
    "go1.x",
    "provided",
}

_ALL_EKS_LOGS = {"api", "audit", "authenticator", "controllerManager", "scheduler"}


def _eks_logs(r: Resource, g: Graph) -> Outcome:
    logs = (
        r.get("enabled_cluster_log_types")
        if r.platform == "terraform"
        else r.get("Logging.ClusterLogging.EnabledTypes")
    )
    if is_unknown(logs):
        return UNDECIDED
    names = {x.get("Type") if isinstance(x, dict) else x for x in as_list(logs)}
    missing = sorted(_ALL_EKS_LOGS - names)
    return Fail(f"control-plane log types not enabled: {', '.join(missing)}") if missing else PASS


def _eks_public_cidrs(r: Resource, g: Graph) -> Outcome:
    public = r.get("vpc_config.endpoint_public_access")
    if truth(public) is False:
        return PASS
    cidrs = r.get("vpc_config.public_access_cidrs")
    if is_unknown(cidrs):
        return UNDECIDED
    if unset(cidrs) or "0.0.0.0/0" in as_list(cidrs):
        return Fail("the public API endpoint is reachable from 0.0.0.0/0")
    return PASS


def _eks_public(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        return is_false("ResourcesVpcConfig.EndpointPublicAccess", missing=False, message="the API endpoint is public")(
            r, g
        )
    return is_false("vpc_config.endpoint_public_access", missing=False, message="the API endpoint is public")(r, g)


def _eks_secrets(r: Resource, g: Graph) -> Outcome:
    res = (
        r.all("EncryptionConfig.Resources") if r.platform == "cloudformation" else r.all("encryption_config.resources")
    )
    flat = [x for v in res for x in as_list(v)]
    if any(is_unknown(x) for x in flat):
        return UNDECIDED
    return PASS if "secrets" in flat else Fail("Kubernetes secrets are not envelope-encrypted with KMS")


def _elb_listener_tls(r: Resource, g: Graph) -> Outcome:
    for lst in as_list(r.get("listener")):
        if isinstance(lst, dict):
            proto = str(lst.get("lb_protocol", "")).lower()
            if proto in ("http", "tcp"):
                return Fail(f"listener uses {proto.upper()} without TLS")
    return PASS


def _alb_listener_https(r: Resource, g: Graph) -> Outcome:
    proto = r.get("Protocol") if r.platform == "cloudformation" else r.get("protocol")
    if is_unknown(proto):
        return UNDECIDED
    if str(proto).upper() in ("HTTPS", "TLS", "TCP", "UDP", "TCP_UDP", "GENEVE"):
        return PASS
    actions = r.all("DefaultActions" if r.platform == "cloudformation" else "default_action")
    for a in actions:
        if isinstance(a, dict) and str(a.get("type", a.get("Type", ""))).lower() == "redirect":
            rp = a.get("redirect") or a.get("RedirectConfig")
            rp = rp[0] if isinstance(rp, list) and rp else rp
            if isinstance(rp, dict) and str(rp.get("protocol", rp.get("Protocol", ""))).upper() == "HTTPS":
                return PASS
    return Fail("the listener serves plain HTTP without redirecting to HTTPS")


def _tls_policy(r: Resource, g: Graph) -> Outcome:
    proto = r.get("protocol")
    if str(proto).upper() not in ("HTTPS", "TLS"):
        return PASS
    pol = r.get("ssl_policy")
    if is_unknown(pol):
        return UNDECIDED
    if unset(pol) or any(x in str(pol) for x in ("2015-05", "2016-08", "TLS-1-0", "TLS-1-1")):
        return Fail(f"ssl_policy {pol!r} allows TLS 1.0/1.1")
    return PASS


CHECKS = [
    _c(
        "iac.aws.ec2-imdsv2",
        "EC2 instance allows IMDSv1",
        "high",
        ("aws_instance", "aws_launch_template", "aws_launch_configuration"),
        _imds,
        'Set metadata_options { http_tokens = "required" }.',
        [f"{NIST}:AC-3"],
        ["CKV_AWS_79"],
        [918],
    ),
    _c(
        "iac.aws.ec2-ebs-encryption",
        "EC2 instance block devices are not encrypted",
        "medium",
        (
            "aws_instance",
            "aws_launch_configuration",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ),
        _root_block_encrypted,
        "Set encrypted = true on root_block_device and ebs_block_device.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_8"],
        [311],
    ),
    _c(
        "iac.aws.ec2-user-data-secrets",
        "EC2 user data contains hard-coded secrets",
        "high",
        ("aws_instance", "aws_launch_configuration", "aws_launch_template", "AWS::EC2::Instance"),
        _user_data_secrets,
        "Fetch secrets at boot from Secrets Manager or SSM Parameter Store.",
        [f"{NIST}:IA-5"],
        ["CKV_AWS_46"],
        [798],
    ),
    _c(
        "iac.aws.ec2-public-ip",
        "EC2 instance gets a public IP address",
        "medium",
        ("aws_instance", "aws_launch_template"),
        _public_ip,
        "Set associate_public_ip_address = false (or launch into a private subnet) and use a load balancer or NAT.",
        [f"{NIST}:SC-7"],
        ["CKV_AWS_88"],
    ),
    _c(
        "iac.aws.ec2-detailed-monitoring",
        "EC2 detailed monitoring is disabled",
        "low",
        ("aws_instance",),
        is_true("monitoring"),
        "Set monitoring = true.",
        [f"{NIST}:SI-4"],
        ["CKV_AWS_126"],
    ),
    _c(
        "iac.aws.ec2-ebs-optimized",
        "EC2 instance is not EBS-optimised",
        "low",
        ("aws_instance",),
        is_true("ebs_optimized"),
        "Set ebs_optimized = true.",
        [f"{NIST}:SC-5"],
        ["CKV_AWS_135"],
    ),
    _c(
        "iac.aws.ec2-iam-profile",
        "EC2 instance has no IAM instance profile",
        "low",
        ("aws_instance",),
        present("iam_instance_profile"),
        "Attach an instance profile with a least-privilege role (no static keys).",
        [f"{NIST}:AC-6"],
        ["CKV2_AWS_41"],
    ),
    _c(
        "iac.aws.lambda-env-secrets",
        "Lambda environment variables hold hard-coded secrets",
        "high",
        ("aws_lambda_function", "AWS::Lambda::Function"),
        _lambda_env_secrets,
        "Read secrets from Secrets Manager/SSM at run time.",
        [f"{NIST}:IA-5"],
        ["CKV_AWS_45"],
        [798],
    ),
    _c(
        "iac.aws.lambda-env-kms",
        "Lambda environment variables are not encrypted with a KMS key",
        "low",
        ("aws_lambda_function", "AWS::Lambda::Function"),
        lambda r, g: (
            PASS
            if unset(r.get("environment.variables" if r.platform == "terraform" else "Environment.Variables"))
            else present("kms_key_arn" if r.platform == "terraform" else "KmsKeyArn")(r, g)
        ),
        "Set kms_key_arn.",
        [f"{NIST}:SC-28"],
        ["CKV_AWS_173"],
    ),
    _c(
        "iac.aws.lambda-tracing",
        "Lambda X-Ray tracing is disabled",
        "low",
        ("aws_lambda_function", "AWS::Lambda::Function"),
        lambda r, g: equals(
            "TracingConfig.Mode" if r.platform == "cloudformation" else "tracing_config.mode", "Active"
        )(r, g),
        'Set tracing_config { mode = "Active" }.',
        [f"{NIST}:AU-12"],
        ["CKV_AWS_50"],
    ),
    _c(
        "iac.aws.lambda-dlq",
        "Lambda has no dead-letter queue",
        "low",
        ("aws_lambda_function", "AWS::Lambda::Function"),
        lambda r, g: present("DeadLetterConfig" if r.platform == "cloudformation" else "dead_letter_config")(r, g),
        "Configure dead_letter_config.",
        [f"{NIST}:SI-11"],
        ["CKV_AWS_116"],
    ),
    _c(
        "iac.aws.lambda-vpc",
        "Lambda is not deployed inside a VPC",
        "low",
        ("aws_lambda_function", "AWS::Lambda::Function"),
        lambda r, g: present("VpcConfig" if r.platform == "cloudformation" else "vpc_config")(r, g),
        "Configure vpc_config with private subnets.",
        [f"{NIST}:SC-7"],
        ["CKV_AWS_117"],
    ),
    _c(
        "iac.aws.lambda-concurrency",
        "Lambda has no reserved concurrency limit",
        "low",
        ("aws_lambda_function", "AWS::Lambda::Function"),
        lambda r, g: present(
            "ReservedConcurrentExecutions" if r.platform == "cloudformation" else "reserved_concurrent_executions"
        )(r, g),
        "Set reserved_concurrent_executions.",
        [f"{NIST}:SC-5"],
        ["CKV_AWS_115"],
    ),
    _c(
        "iac.aws.lambda-code-signing",
        "Lambda does not validate code signing",
        "low",
        ("aws_lambda_function",),
        present("code_signing_config_arn"),
        "Set code_signing_config_arn.",
        [f"{NIST}:SI-7"],
        ["CKV_AWS_272"],
    ),
    _c(
        "iac.aws.lambda-runtime-deprecated",
        "Lambda runtime is deprecated",
        "medium",
        ("aws_lambda_function", "AWS::Lambda::Function"),
        lambda r, g: not_in("Runtime" if r.platform == "cloudformation" else "runtime", _DEPRECATED_RUNTIMES)(r, g),
        "Move to a supported runtime.",
        [f"{NIST}:SI-2"],
        ["CKV_AWS_363"],
    ),
    _c(
        "iac.aws.lambda-public-permission",
        "Lambda permission allows any principal",
        "high",
        ("aws_lambda_permission",),
        lambda r, g: (
            Fail('principal "*" may invoke the function')
            if r.get("principal") == "*" and unset(r.get("source_arn"))
            else PASS
        ),
        "Name the invoking principal and set source_arn.",
        [f"{NIST}:AC-3"],
        ["CKV_AWS_301"],
    ),
    _c(
        "iac.aws.eks-public-endpoint",
        "EKS API endpoint is publicly accessible",
        "high",
        ("aws_eks_cluster", "AWS::EKS::Cluster"),
        _eks_public,
        "Set endpoint_public_access = false and use private access.",
        [f"{NIST}:SC-7"],
        ["CKV_AWS_39"],
    ),
    _c(
        "iac.aws.eks-public-cidrs",
        "EKS public endpoint is open to 0.0.0.0/0",
        "high",
        ("aws_eks_cluster",),
        _eks_public_cidrs,
        "Restrict public_access_cidrs to known ranges.",
        [f"{NIST}:SC-7"],
        ["CKV_AWS_38"],
    ),
    _c(
        "iac.aws.eks-secrets-encryption",
        "EKS secrets are not encrypted with KMS",
        "medium",
        ("aws_eks_cluster", "AWS::EKS::Cluster"),
        _eks_secrets,
        'Add encryption_config { resources = ["secrets"] }.',
        [f"{NIST}:SC-28"],
        ["CKV_AWS_58"],
    ),
    _c(
        "iac.aws.eks-control-plane-logging",
        "EKS control-plane logging is incomplete",
        "medium",
        ("aws_eks_cluster",),
        _eks_logs,
        "Enable api, audit, authenticator, controllerManager and scheduler logs.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_37"],
    ),
    _c(
        "iac.aws.ecr-immutable-tags",
        "ECR repository tags are mutable",
        "medium",
        ("aws_ecr_repository", "AWS::ECR::Repository"),
        lambda r, g: equals(
            "ImageTagMutability" if r.platform == "cloudformation" else "image_tag_mutability", "IMMUTABLE"
        )(r, g),
        'Set image_tag_mutability = "IMMUTABLE".',
        [f"{NIST}:CM-2", f"{NIST}:SI-7"],
        ["CKV_AWS_51"],
    ),
    _c(
        "iac.aws.ecr-scan-on-push",
        "ECR image scanning on push is disabled",
        "medium",
        ("aws_ecr_repository", "AWS::ECR::Repository"),
        lambda r, g: is_true(
            "ImageScanningConfiguration.ScanOnPush"
            if r.platform == "cloudformation"
            else "image_scanning_configuration.scan_on_push"
        )(r, g),
        "Set image_scanning_configuration { scan_on_push = true }.",
        [f"{NIST}:RA-5"],
        ["CKV_AWS_163"],
    ),
    _c(
        "iac.aws.ecr-kms",
        "ECR repository is not encrypted with KMS",
        "low",
        ("aws_ecr_repository",),
        equals("encryption_configuration.encryption_type", "KMS"),
        'Set encryption_configuration { encryption_type = "KMS" }.',
        [f"{NIST}:SC-28"],
        ["CKV_AWS_136"],
    ),
    _c(
        "iac.aws.ecs-privileged",
        "ECS task definition runs a privileged container",
        "high",
        ("aws_ecs_task_definition",),
        lambda r, g: _ecs_containers(r, lambda c: c.get("privileged") is True, "runs privileged"),
        "Remove privileged: true from container definitions.",
        [f"{NIST}:AC-6"],
        ["CKV_AWS_97"],
        [250],
    ),
    _c(
        "iac.aws.ecs-readonly-root",
        "ECS container root file system is writable",
        "low",
        ("aws_ecs_task_definition",),
        lambda r, g: _ecs_containers(
            r, lambda c: c.get("readonlyRootFilesystem") is not True, "has a writable root file system"
        ),
        "Set readonlyRootFilesystem: true.",
        [f"{NIST}:CM-7"],
        ["CKV_AWS_336"],
    ),
    _c(
        "iac.aws.elb-listener-tls",
        "Classic ELB listener does not use TLS",
        "medium",
        ("aws_elb",),
        _elb_listener_tls,
        "Use HTTPS/SSL listeners with an ACM certificate.",
        [f"{NIST}:SC-8"],
        ["CKV_AWS_376", "CKV_AWS_127"],
        [319],
    ),
    _c(
        "iac.aws.elb-access-logs",
        "Load balancer access logging is disabled",
        "medium",
        ("aws_elb", "aws_lb", "aws_alb"),
        lambda r, g: (
            is_true("access_logs.enabled")(r, g)
            if r.type != "aws_elb"  # aws_lb: enabled defaults to false; aws_elb: to true once the block exists
            else all_of(present("access_logs"), is_true("access_logs.enabled", missing=True))(r, g)
        ),
        "Enable access_logs to an S3 bucket.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_92", "CKV_AWS_91"],
        [778],
    ),
    _c(
        "iac.aws.alb-drop-invalid-headers",
        "ALB does not drop invalid HTTP headers",
        "low",
        ("aws_lb", "aws_alb"),
        lambda r, g: (
            PASS
            if r.get("load_balancer_type") in ("network", "gateway")
            else is_true("drop_invalid_header_fields")(r, g)
        ),
        "Set drop_invalid_header_fields = true.",
        [f"{NIST}:SI-10"],
        ["CKV_AWS_131"],
    ),
    _c(
        "iac.aws.alb-deletion-protection",
        "Load balancer deletion protection is disabled",
        "low",
        ("aws_lb", "aws_alb"),
        is_true("enable_deletion_protection"),
        "Set enable_deletion_protection = true.",
        [f"{NIST}:CP-10"],
        ["CKV_AWS_150"],
    ),
    _c(
        "iac.aws.alb-listener-https",
        "Load balancer listener serves plain HTTP",
        "medium",
        ("aws_lb_listener", "aws_alb_listener", "AWS::ElasticLoadBalancingV2::Listener"),
        _alb_listener_https,
        "Use HTTPS listeners or redirect HTTP to HTTPS.",
        [f"{NIST}:SC-8"],
        ["CKV_AWS_2", "CKV_AWS_103"],
        [319],
    ),
    _c(
        "iac.aws.alb-tls-policy",
        "Load balancer listener allows TLS 1.0/1.1",
        "medium",
        ("aws_lb_listener", "aws_alb_listener"),
        _tls_policy,
        "Use ELBSecurityPolicy-TLS13-1-2-2021-06 or another TLS 1.2+ policy.",
        [f"{NIST}:SC-8"],
        [],
        [326],
    ),
    _c(
        "iac.aws.cloudfront-https",
        "CloudFront allows plain HTTP to viewers",
        "medium",
        ("aws_cloudfront_distribution",),
        lambda r, g: _cf_https(r),
        "Set viewer_protocol_policy to redirect-to-https or https-only.",
        [f"{NIST}:SC-8"],
        ["CKV_AWS_34"],
        [319],
    ),
    _c(
        "iac.aws.cloudfront-waf",
        "CloudFront distribution has no WAF",
        "low",
        ("aws_cloudfront_distribution",),
        present("web_acl_id"),
        "Associate a WAF web ACL.",
        [f"{NIST}:SC-7"],
        ["CKV_AWS_68"],
    ),
    _c(
        "iac.aws.cloudfront-logging",
        "CloudFront access logging is disabled",
        "low",
        ("aws_cloudfront_distribution",),
        present("logging_config"),
        "Configure logging_config.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_86"],
    ),
    _c(
        "iac.aws.apigw-access-logging",
        "API Gateway stage has no access logging",
        "low",
        ("aws_api_gateway_stage", "aws_apigatewayv2_stage"),
        present("access_log_settings"),
        "Configure access_log_settings.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_76"],
    ),
    _c(
        "iac.aws.apigw-xray",
        "API Gateway stage tracing is disabled",
        "low",
        ("aws_api_gateway_stage",),
        is_true("xray_tracing_enabled"),
        "Set xray_tracing_enabled = true.",
        [f"{NIST}:AU-12"],
        ["CKV_AWS_73"],
    ),
    _c(
        "iac.aws.apigw-authorization",
        "API Gateway method has no authorization",
        "medium",
        ("aws_api_gateway_method",),
        lambda r, g: (
            PASS
            if r.get("http_method") == "OPTIONS" or r.get("api_key_required") is True
            else not_in("authorization", ["NONE"], missing=False)(r, g)
        ),
        "Use an authorizer (IAM, Cognito, custom) or require an API key.",
        [f"{NIST}:AC-3"],
        ["CKV_AWS_59"],
        [306],
    ),
]


def _cf_https(r: Resource) -> Outcome:
    pols = r.all("default_cache_behavior.viewer_protocol_policy") + r.all(
        "ordered_cache_behavior.viewer_protocol_policy"
    )
    if any(is_unknown(p) for p in pols):
        return UNDECIDED
    return Fail("a cache behaviour allows HTTP (allow-all)") if "allow-all" in pols else PASS


def _ecs_containers(r: Resource, bad: Any, what: str) -> Outcome:
    import json

    defs = r.get("container_definitions")
    if is_unknown(defs):
        return UNDECIDED
    if isinstance(defs, str):
        try:
            defs = json.loads(defs)
        except ValueError:
            return UNDECIDED
    for c in as_list(defs):
        if isinstance(c, dict) and bad(c):
            return Fail(f"container {c.get('name', '?')} {what}", key=str(c.get("name", "")))
    return PASS
