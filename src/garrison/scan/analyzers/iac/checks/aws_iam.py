"""AWS identity and audit: IAM policies (JSON strings, jsonencode, policy documents, CloudFormation), password
policy, KMS, CloudTrail, Secrets Manager, provider credentials."""

from __future__ import annotations

import json
import re
from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, check
from garrison.scan.analyzers.iac.checks.dsl import at_least, at_most, is_true, present, unset
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource, as_list, can_be, is_unknown

CIS = "CIS AWS Foundations 1.5"
NIST = "NIST 800-53 Rev5"
IAM_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"

POLICY_TYPES = (
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "data.aws_iam_policy_document",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
)


def statements(policy: Any) -> list[dict[str, Any]] | None:
    """The statements of a policy given as a JSON string or a mapping; None when not statically known."""
    if is_unknown(policy):
        return None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return None
    if not isinstance(policy, dict):
        return None
    stmts = policy.get("Statement")
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list):
        return None
    return [s for s in stmts if isinstance(s, dict)]


def _doc_statements(r: Resource) -> list[dict[str, Any]] | None:
    """Statements of any policy-bearing resource, normalised to the JSON shape."""
    if r.type == "data.aws_iam_policy_document":
        out = []
        for s in as_list(r.get("statement")):
            if not isinstance(s, dict):
                continue
            out.append(
                {
                    "Effect": s.get("effect", "Allow"),
                    "Action": s.get("actions", []),
                    "NotAction": s.get("not_actions", []),
                    "Resource": s.get("resources", []),
                    "Principal": _principals(s.get("principals")),
                    "Condition": s.get("condition"),
                }
            )
        return out
    if r.platform == "cloudformation":
        docs: list[Any] = []
        if r.type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            docs.append(r.get("PolicyDocument"))
        else:
            docs.extend(p.get("PolicyDocument") for p in as_list(r.get("Policies")) if isinstance(p, dict))
        out = []
        for d in docs:
            st = statements(d)
            if st is None:
                return None
            out.extend(st)
        return out
    return statements(r.get("policy"))


def _principals(blocks: Any) -> Any:
    out: list[Any] = []
    for b in as_list(blocks):
        if isinstance(b, dict):
            ids = as_list(b.get("identifiers"))
            if b.get("type") == "*" or "*" in ids:
                out.append("*")
            else:
                out.extend(ids)
    return out


def _allows(s: dict[str, Any]) -> bool | None:
    effect = s.get("Effect", "Allow")
    return None if is_unknown(effect) else str(effect).lower() == "allow"


Tri = bool | None


def _and(*values: Tri) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _stmt_pred(test: Any, message: str) -> Any:
    """``test(statement)`` is three-valued: a statement whose answer depends on an unknown value (a variable, a
    parameter) is undecided, but only when the test reads that value; a reference to a resource's ARN in
    ``Resource`` is known not to be ``"*"``."""

    def run(r: Resource, g: Graph) -> Outcome:
        stmts = _doc_statements(r)
        if stmts is None:
            return UNDECIDED if not unset(r.get("policy")) or r.platform == "cloudformation" else PASS
        undecided = False
        for i, s in enumerate(stmts):
            verdict = _and(_allows(s), test(s))
            if verdict is True:
                return Fail(message, key=str(i))
            undecided = undecided or verdict is None
        return UNDECIDED if undecided else PASS

    return run


def _star(v: Any) -> Tri:
    """Whether a Resource/Action/Principal value (a string or a list) contains the wildcard ``"*"``."""
    unknown = False
    for x in as_list(v):
        hit = can_be(x, "*")
        if hit:
            return True
        unknown = unknown or hit is None
    return None if unknown else False


def _any_action(v: Any, match: Any) -> Tri:
    """Whether any action satisfies ``match`` (None when an unknown action might)."""
    unknown = False
    for a in as_list(v):
        if isinstance(a, str):
            if match(a):
                return True
        elif is_unknown(a):
            unknown = True
    return None if unknown else False


def _unconditioned(s: dict[str, Any]) -> bool:
    return not s.get("Condition")


_WRITE = re.compile(r"^[a-z0-9-]+:(\*|Put|Create|Delete|Update|Attach|Detach|Modify|Write|Set|Add|Remove|Pass)", re.I)


def _admin(s: dict[str, Any]) -> Tri:
    return _and(_star(s.get("Action")), _star(s.get("Resource")))


def _service_wildcard(s: dict[str, Any]) -> Tri:
    return _any_action(s.get("Action"), lambda a: a.endswith(":*"))


def _wildcard_resource_write(s: dict[str, Any]) -> Tri:
    return _and(
        _unconditioned(s),
        _star(s.get("Resource")),
        _any_action(s.get("Action"), lambda a: bool(_WRITE.match(a)) or a == "*"),
    )


def _not_action(s: dict[str, Any]) -> Tri:
    return bool(as_list(s.get("NotAction")))


_ESCALATION = {
    "iam:createpolicyversion",
    "iam:setdefaultpolicyversion",
    "iam:passrole",
    "iam:createaccesskey",
    "iam:createloginprofile",
    "iam:updateloginprofile",
    "iam:attachuserpolicy",
    "iam:attachgrouppolicy",
    "iam:attachrolepolicy",
    "iam:putuserpolicy",
    "iam:putgrouppolicy",
    "iam:putrolepolicy",
    "iam:addusertogroup",
    "iam:updateassumerolepolicy",
    "iam:*",
}


def _escalation(s: dict[str, Any]) -> Tri:
    return _and(_star(s.get("Resource")), _any_action(s.get("Action"), lambda a: a.lower() in _ESCALATION))


_EXPOSURE = {
    "iam:createaccesskey",
    "iam:updateaccesskey",
    "sts:getsessiontoken",
    "sts:getfederationtoken",
    "ecr:getauthorizationtoken",
    "redshift:getclustercredentials",
    "lightsail:getinstanceaccessdetails",
    "iam:uploadsshpublickey",
}


#: services whose wildcard includes a credential-returning action (ec2:GetPasswordData, ecr:GetAuthorizationToken …)
_EXPOSURE_SERVICES = {"ec2:*", "ecr:*", "redshift:*", "sts:*", "iam:*", "lightsail:*", "*"}


def _credentials_exposure(s: dict[str, Any]) -> Tri:
    return _any_action(s.get("Action"), lambda a: a.lower() in _EXPOSURE or a.lower() in _EXPOSURE_SERVICES)


def _any_principal(s: dict[str, Any]) -> Tri:
    p = s.get("Principal")
    aws = p.get("AWS") if isinstance(p, dict) else p
    return _and(_unconditioned(s), _star(aws))


_EXFIL = {
    "s3:getobject",
    "ssm:getparameter",
    "ssm:getparameters",
    "ssm:getparametersbypath",
    "secretsmanager:getsecretvalue",
    "s3:*",
    "ssm:*",
    "secretsmanager:*",
    "*",
}


def _exfiltration(s: dict[str, Any]) -> Tri:
    return _and(_star(s.get("Resource")), _any_action(s.get("Action"), lambda a: a.lower() in _EXFIL))


def _trust_wildcard(r: Resource, g: Graph) -> Outcome:
    doc = r.get("AssumeRolePolicyDocument") if r.platform == "cloudformation" else r.get("assume_role_policy")
    stmts = statements(doc)
    if stmts is None:
        return UNDECIDED if not unset(doc) else PASS
    undecided = False
    for s in stmts:
        verdict = _and(_allows(s), _any_principal(s))
        if verdict:
            return Fail("the trust policy lets any AWS principal assume the role")
        undecided = undecided or verdict is None
    return UNDECIDED if undecided else PASS


def _user_attached(r: Resource, g: Graph) -> Outcome:
    if r.type == "aws_iam_policy_attachment":
        users = r.get("users")
        if is_unknown(users):
            return UNDECIDED
        return Fail("policy attached to users") if as_list(users) else PASS
    if r.type == "AWS::IAM::Policy":
        users = r.get("Users")
        return Fail("policy attached to users") if as_list(users) else PASS
    return Fail("policy attached directly to a user")


def _provider_keys(r: Resource, g: Graph) -> Outcome:
    for key in ("access_key", "secret_key"):
        v = r.get(key)
        if isinstance(v, str) and v and not is_unknown(v):
            return Fail(f"{key} is hard-coded in the provider block")
    return PASS


def _access_key(r: Resource) -> Outcome:
    """An active long-lived key is the finding; a key kept ``Inactive`` (mid-rotation) grants nothing."""
    status = r.get("Status" if r.platform == "cloudformation" else "status", "Active")
    if is_unknown(status):
        return UNDECIDED
    return PASS if str(status) == "Inactive" else Fail("long-lived access key created")


def _policy_exists(r: Resource, g: Graph) -> Outcome:
    return (
        present("policy", message="no key policy is defined")(r, g)
        if r.platform == "terraform"
        else present("KeyPolicy", message="no key policy is defined")(r, g)
    )


def _kms_rotation(r: Resource, g: Graph) -> Outcome:
    if r.platform == "cloudformation":
        if str(r.get("KeySpec", "SYMMETRIC_DEFAULT")) != "SYMMETRIC_DEFAULT":
            return PASS
        return is_true("EnableKeyRotation", message="key rotation is not enabled")(r, g)
    spec = r.get("customer_master_key_spec", "SYMMETRIC_DEFAULT")
    if isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT":
        return PASS
    return is_true("enable_key_rotation", message="key rotation is not enabled")(r, g)


def _ct(tf: str, cfn: str) -> str:
    return tf


def _cloudtrail(tf: str, cfn: str, message: str, *, kind: str = "true") -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        path = cfn if r.platform == "cloudformation" else tf
        if kind == "present":
            return present(path, message=message)(r, g)
        return is_true(path, message=message)(r, g)

    return run


_PWD = "aws_iam_account_password_policy"
_CT = ("aws_cloudtrail", "AWS::CloudTrail::Trail")


def _c(
    id: str,
    title: str,
    sev: str,
    types: Any,
    pred: Any,
    fix: str,
    fw: list[str],
    ckv: list[str],
    cwe: list[int] | None = None,
    refs: list[str] | None = None,
) -> Any:
    return check(
        id, title, sev, types, pred, remediation=fix, fw=fw, ckv=ckv, cwe=cwe or [], refs=refs or [], platform="aws"
    )


CHECKS = [
    _c(
        "iac.aws.iam-admin-policy",
        "IAM policy grants full administrative access (Action * on Resource *)",
        "critical",
        POLICY_TYPES,
        _stmt_pred(_admin, "a statement allows every action on every resource"),
        "Grant only the actions and resources the principal needs.",
        [f"{CIS}:1.16", f"{NIST}:AC-6"],
        ["CKV_AWS_62", "CKV_AWS_1", "CKV_AWS_63"],
        [269],
        [IAM_DOC + "best-practices.html#grant-least-privilege"],
    ),
    _c(
        "iac.aws.iam-service-wildcard",
        "IAM policy allows every action of a service (service:*)",
        "medium",
        POLICY_TYPES,
        _stmt_pred(_service_wildcard, 'a statement allows a whole service ("service:*")'),
        "List the specific actions required.",
        [f"{NIST}:AC-6"],
        [],
        [269],
    ),
    _c(
        "iac.aws.iam-policy-any-principal",
        "IAM policy document allows any principal",
        "high",
        ("data.aws_iam_policy_document",),
        _stmt_pred(_any_principal, 'a statement applies to every AWS principal ("*")'),
        "Name the principals; add conditions such as aws:SourceAccount or aws:PrincipalOrgID.",
        [f"{NIST}:AC-3"],
        ["CKV_AWS_283"],
        [284],
    ),
    _c(
        "iac.aws.iam-write-without-constraints",
        "IAM policy allows write actions on every resource without conditions",
        "medium",
        POLICY_TYPES,
        _stmt_pred(_wildcard_resource_write, 'write actions on Resource "*" without a condition'),
        "Scope write actions to resource ARNs or add conditions.",
        [f"{NIST}:AC-6"],
        ["CKV_AWS_111", "CKV_AWS_290"],
        [732],
    ),
    _c(
        "iac.aws.iam-not-action",
        "IAM policy uses Allow with NotAction",
        "medium",
        POLICY_TYPES,
        _stmt_pred(_not_action, "Allow + NotAction grants everything not listed"),
        "Use explicit Action lists.",
        [f"{NIST}:AC-6"],
        [],
        [269],
    ),
    _c(
        "iac.aws.iam-privilege-escalation",
        "IAM policy allows privilege escalation",
        "high",
        POLICY_TYPES,
        _stmt_pred(_escalation, 'IAM actions that let the principal raise its own privileges on Resource "*"'),
        'Remove iam:Put*/Attach*/CreatePolicyVersion/PassRole on "*" or scope them to specific ARNs.',
        [f"{NIST}:AC-6"],
        [],
        [269],
    ),
    _c(
        "iac.aws.iam-credentials-exposure",
        "IAM policy allows credentials exposure",
        "high",
        POLICY_TYPES,
        _stmt_pred(_credentials_exposure, "actions that return credentials (access keys, session tokens)"),
        "Remove credential-returning actions or scope them tightly.",
        [f"{NIST}:AC-6"],
        ["CKV_AWS_287", "CKV_AWS_107"],
        [522],
    ),
    _c(
        "iac.aws.iam-data-exfiltration",
        "IAM policy allows data exfiltration on every resource",
        "high",
        POLICY_TYPES,
        _stmt_pred(
            _exfiltration,
            'data-reading actions (s3:GetObject, ssm:GetParameter, secretsmanager:GetSecretValue) on Resource "*"',
        ),
        "Scope read actions to the specific buckets, parameters and secrets.",
        [f"{NIST}:AC-6"],
        ["CKV_AWS_288", "CKV_AWS_108"],
        [200],
    ),
    _c(
        "iac.aws.iam-trust-any-principal",
        "IAM role trust policy allows any AWS principal",
        "critical",
        ("aws_iam_role", "AWS::IAM::Role"),
        _trust_wildcard,
        "Name the trusted accounts/services; add an ExternalId or OrgId condition.",
        [f"{NIST}:AC-3"],
        ["CKV_AWS_60"],
        [284],
    ),
    _c(
        "iac.aws.iam-user-policy",
        "IAM policy attached directly to a user",
        "low",
        ("aws_iam_user_policy", "aws_iam_user_policy_attachment", "aws_iam_policy_attachment", "AWS::IAM::Policy"),
        _user_attached,
        "Attach policies to groups or roles, not users.",
        [f"{CIS}:1.15", f"{NIST}:AC-2"],
        ["CKV_AWS_40"],
    ),
    _c(
        "iac.aws.iam-user",
        "IAM user defined (use SSO/federation instead)",
        "low",
        ("aws_iam_user",),
        lambda r, g: Fail("long-lived IAM user"),
        "Use IAM Identity Center (SSO) or federated roles.",
        [f"{NIST}:AC-2", f"{NIST}:IA-2"],
        ["CKV_AWS_273"],
    ),
    _c(
        "iac.aws.password-min-length",
        "IAM password policy minimum length is below 14",
        "medium",
        _PWD,
        at_least("minimum_password_length", 14),
        "Set minimum_password_length >= 14.",
        [f"{CIS}:1.8", f"{NIST}:IA-5"],
        ["CKV_AWS_10"],
        [521],
    ),
    _c(
        "iac.aws.password-reuse",
        "IAM password policy allows password reuse",
        "medium",
        _PWD,
        at_least("password_reuse_prevention", 24),
        "Set password_reuse_prevention = 24.",
        [f"{CIS}:1.9", f"{NIST}:IA-5"],
        ["CKV_AWS_13"],
        [521],
    ),
    _c(
        "iac.aws.password-symbols",
        "IAM password policy does not require symbols",
        "low",
        _PWD,
        is_true("require_symbols"),
        "Set require_symbols = true.",
        [f"{NIST}:IA-5"],
        ["CKV_AWS_14"],
        [521],
    ),
    _c(
        "iac.aws.password-uppercase",
        "IAM password policy does not require uppercase letters",
        "low",
        _PWD,
        is_true("require_uppercase_characters"),
        "Set require_uppercase_characters = true.",
        [f"{NIST}:IA-5"],
        ["CKV_AWS_15"],
        [521],
    ),
    _c(
        "iac.aws.password-lowercase",
        "IAM password policy does not require lowercase letters",
        "low",
        _PWD,
        is_true("require_lowercase_characters"),
        "Set require_lowercase_characters = true.",
        [f"{NIST}:IA-5"],
        ["CKV_AWS_11"],
        [521],
    ),
    _c(
        "iac.aws.password-numbers",
        "IAM password policy does not require numbers",
        "low",
        _PWD,
        is_true("require_numbers"),
        "Set require_numbers = true.",
        [f"{NIST}:IA-5"],
        ["CKV_AWS_12"],
        [521],
    ),
    _c(
        "iac.aws.password-max-age",
        "IAM password policy does not expire passwords within 90 days",
        "low",
        _PWD,
        lambda r, g: at_most("max_password_age", 90, missing=False)(r, g),
        "Set max_password_age <= 90.",
        [f"{NIST}:IA-5"],
        ["CKV_AWS_9"],
        [262],
    ),
    _c(
        "iac.aws.kms-rotation",
        "KMS key rotation is not enabled",
        "medium",
        ("aws_kms_key", "AWS::KMS::Key"),
        _kms_rotation,
        "Set enable_key_rotation = true (EnableKeyRotation: true).",
        [f"{CIS}:3.8", f"{NIST}:SC-12"],
        ["CKV_AWS_7"],
        [320],
        ["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
    ),
    _c(
        "iac.aws.kms-policy",
        "KMS key has no key policy",
        "low",
        ("aws_kms_key",),
        _policy_exists,
        "Define an explicit key policy.",
        [f"{NIST}:AC-3"],
        ["CKV2_AWS_64"],
    ),
    _c(
        "iac.aws.kms-deletion-window",
        "KMS key deletion window is shorter than 14 days",
        "low",
        ("aws_kms_key",),
        at_least("deletion_window_in_days", 14, missing=True),
        "Set deletion_window_in_days >= 14.",
        [f"{NIST}:SC-12"],
        [],
    ),
    _c(
        "iac.aws.cloudtrail-multi-region",
        "CloudTrail trail is not multi-region",
        "medium",
        _CT,
        _cloudtrail("is_multi_region_trail", "IsMultiRegionTrail", "the trail covers one region only"),
        "Set is_multi_region_trail = true.",
        [f"{CIS}:3.1", f"{NIST}:AU-12"],
        ["CKV_AWS_67"],
        [778],
    ),
    _c(
        "iac.aws.cloudtrail-log-validation",
        "CloudTrail log file validation is disabled",
        "medium",
        _CT,
        _cloudtrail("enable_log_file_validation", "EnableLogFileValidation", "log file validation is disabled"),
        "Set enable_log_file_validation = true.",
        [f"{CIS}:3.2", f"{NIST}:AU-9"],
        ["CKV_AWS_36"],
        [354],
    ),
    _c(
        "iac.aws.cloudtrail-kms",
        "CloudTrail logs are not encrypted with KMS",
        "medium",
        _CT,
        _cloudtrail("kms_key_id", "KMSKeyId", "kms_key_id is not set", kind="present"),
        "Set kms_key_id to a customer managed key.",
        [f"{CIS}:3.7", f"{NIST}:AU-9", f"{NIST}:SC-28"],
        ["CKV_AWS_35"],
        [311],
    ),
    _c(
        "iac.aws.cloudtrail-cloudwatch",
        "CloudTrail is not integrated with CloudWatch Logs",
        "low",
        _CT,
        _cloudtrail(
            "cloud_watch_logs_group_arn", "CloudWatchLogsLogGroupArn", "no CloudWatch Logs group", kind="present"
        ),
        "Set cloud_watch_logs_group_arn and cloud_watch_logs_role_arn.",
        [f"{CIS}:3.4", f"{NIST}:AU-6"],
        ["CKV2_AWS_10"],
    ),
    _c(
        "iac.aws.cloudtrail-logging",
        "CloudTrail logging is switched off",
        "high",
        _CT,
        lambda r, g: (
            _cloudtrail("enable_logging", "IsLogging", "logging is disabled")(r, g)
            if r.platform == "cloudformation"
            else is_true("enable_logging", missing=True)(r, g)
        ),
        "Set enable_logging = true.",
        [f"{NIST}:AU-12"],
        [],
    ),
    _c(
        "iac.aws.secret-kms",
        "Secrets Manager secret is not encrypted with a customer managed key",
        "low",
        ("aws_secretsmanager_secret", "AWS::SecretsManager::Secret"),
        lambda r, g: present("KmsKeyId" if r.platform == "cloudformation" else "kms_key_id")(r, g),
        "Set kms_key_id.",
        [f"{NIST}:SC-12"],
        ["CKV_AWS_149"],
    ),
    _c(
        "iac.aws.provider-hardcoded-keys",
        "AWS access keys hard-coded in the provider block",
        "critical",
        ("provider.aws",),
        _provider_keys,
        "Use environment variables, a shared credentials file, or an assumed role.",
        [f"{NIST}:IA-5"],
        ["CKV_AWS_41"],
        [798],
    ),
    _c(
        "iac.aws.access-key-for-user",
        "Access key created for an IAM user in code",
        "medium",
        ("aws_iam_access_key", "AWS::IAM::AccessKey"),
        lambda r, g: _access_key(r),
        "Use roles and short-lived credentials.",
        [f"{CIS}:1.12", f"{NIST}:IA-5"],
        [],
        [798],
    ),
]
