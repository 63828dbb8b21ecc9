"""Kubernetes: Pod Security Standards (baseline and restricted), resources, images, service accounts,
namespaces, RBAC, Services, Ingress. Workload checks reach the pod spec of every workload kind and report one
failure per offending container."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, Fail, Outcome, check
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource, as_list
from garrison.scan.analyzers.iac.parsers.kubernetes import WORKLOAD_KINDS, containers, pod_metadata, pod_spec

PSS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
CIS = "CIS Kubernetes 1.8"
NIST = "NIST 800-53 Rev5"
W = tuple(sorted(WORKLOAD_KINDS))
_CAPS_BASELINE = {
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
}
_SENSITIVE_HOST_PATHS = (
    "/",
    "/etc",
    "/var/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/lib/kubelet",
    "/proc",
    "/root",
    "/var/run",
    "/run",
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
    return check(
        id,
        title,
        sev,
        types,
        pred,
        remediation=fix,
        fw=fw,
        ckv=ckv or [],
        cwe=cwe or [],
        refs=[PSS],
        platform="kubernetes",
    )


def per_container(bad: Callable[[dict[str, Any], dict[str, Any]], str | None], *, init: bool = True) -> Any:
    """``bad(container, pod_spec)`` returns a message when the container violates the control."""

    def run(r: Resource, g: Graph) -> Outcome:
        spec = pod_spec(r)
        if spec is None:
            return PASS
        fails = []
        for c in containers(spec, init=init):
            msg = bad(c, spec)
            if msg:
                name = str(c.get("name", "?"))
                fails.append(Fail(f"container {name}: {msg}", key=name))
        return fails or PASS

    return run


def per_pod(bad: Callable[[dict[str, Any]], str | None]) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        spec = pod_spec(r)
        if spec is None:
            return PASS
        msg = bad(spec)
        return Fail(msg) if msg else PASS

    return run


def _sc(c: dict[str, Any]) -> dict[str, Any]:
    sc = c.get("securityContext")
    return sc if isinstance(sc, dict) else {}


def _psc(spec: dict[str, Any]) -> dict[str, Any]:
    sc = spec.get("securityContext")
    return sc if isinstance(sc, dict) else {}


def _eff(c: dict[str, Any], spec: dict[str, Any], key: str) -> Any:
    """Container setting, falling back to the pod security context."""
    v = _sc(c).get(key)
    return _psc(spec).get(key) if v is None else v


def _caps_added(c: dict[str, Any]) -> list[str]:
    caps = _sc(c).get("capabilities")
    add = caps.get("add") if isinstance(caps, dict) else None
    return [str(x).upper().removeprefix("CAP_") for x in as_list(add)]


def _caps_dropped(c: dict[str, Any]) -> list[str]:
    caps = _sc(c).get("capabilities")
    drop = caps.get("drop") if isinstance(caps, dict) else None
    return [str(x).upper().removeprefix("CAP_") for x in as_list(drop)]


def _image_tag(c: dict[str, Any]) -> str | None:
    image = str(c.get("image", ""))
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (defaults to latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return "uses the latest tag"
    return None


def _host_path(spec: dict[str, Any]) -> str | None:
    for v in as_list(spec.get("volumes")):
        if isinstance(v, dict) and isinstance(v.get("hostPath"), dict):
            return f"volume {v.get('name')} mounts host path {v['hostPath'].get('path')}"
    return None


def _sensitive_host_path(spec: dict[str, Any]) -> str | None:
    for v in as_list(spec.get("volumes")):
        if isinstance(v, dict) and isinstance(v.get("hostPath"), dict):
            p = str(v["hostPath"].get("path", "")).rstrip("/") or "/"
            if p in _SENSITIVE_HOST_PATHS or p.endswith(".sock"):
                return f"volume {v.get('name')} mounts sensitive host path {p}"
    return None


def _volume_types(spec: dict[str, Any]) -> str | None:
    allowed = {
        "name",
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
    for v in as_list(spec.get("volumes")):
        if isinstance(v, dict):
            extra = set(v) - allowed
            if extra:
                kind = sorted(extra)[0]
                return f"volume {v.get('name')} uses type {kind} (restricted allows only core ephemeral/PVC types)"
    return None


def _seccomp(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    prof = _eff(c, spec, "seccompProfile")
    t = prof.get("type") if isinstance(prof, dict) else None
    if t in ("RuntimeDefault", "Localhost"):
        return None
    return "seccompProfile is not RuntimeDefault or Localhost" if t is None else f"seccompProfile type {t}"


def _unconfined_seccomp(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    prof = _eff(c, spec, "seccompProfile")
    return "seccompProfile is Unconfined" if isinstance(prof, dict) and prof.get("type") == "Unconfined" else None


def _run_as_root(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    if _eff(c, spec, "runAsNonRoot") is True:
        uid = _eff(c, spec, "runAsUser")
        return "runAsUser is 0" if uid == 0 else None
    return "runAsNonRoot is not true"


def _uid_zero(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    return "runAsUser is 0 (root)" if _eff(c, spec, "runAsUser") == 0 else None


def _proc_mount(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    pm = _sc(c).get("procMount")
    return f"procMount is {pm}" if pm not in (None, "Default") else None


def _selinux(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    opts = _eff(c, spec, "seLinuxOptions")
    if not isinstance(opts, dict):
        return None
    if opts.get("user") or opts.get("role"):
        return "seLinuxOptions sets user or role"
    if opts.get("type") not in (None, "", "container_t", "container_init_t", "container_kvm_t"):
        return f"seLinuxOptions type {opts.get('type')}"
    return None


def _apparmor(r: Resource, g: Graph) -> Outcome:
    meta = pod_metadata(r)
    ann = meta.get("annotations") if isinstance(meta, dict) else None
    fails = []
    if isinstance(ann, dict):
        for k, v in ann.items():
            if str(k).startswith("container.apparmor.security.beta.kubernetes.io/") and str(v) == "unconfined":
                fails.append(Fail(f"AppArmor profile of {str(k).rsplit('/', 1)[-1]} is unconfined", key=str(k)))
    spec = pod_spec(r)
    if spec:
        for c in containers(spec):
            prof = _eff(c, spec, "appArmorProfile")
            if isinstance(prof, dict) and prof.get("type") == "Unconfined":
                fails.append(Fail(f"container {c.get('name')}: appArmorProfile is Unconfined", key=str(c.get("name"))))
    return fails or PASS


def _sysctls(spec: dict[str, Any]) -> str | None:
    safe = {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
    for s in as_list(_psc(spec).get("sysctls")):
        if isinstance(s, dict) and s.get("name") not in safe:
            return f"unsafe sysctl {s.get('name')}"
    return None


def _host_ports(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    for p in as_list(c.get("ports")):
        if isinstance(p, dict) and p.get("hostPort") not in (None, 0):
            return f"hostPort {p.get('hostPort')}"
    return None


def _resources(kind: str, what: str) -> Callable[[dict[str, Any], dict[str, Any]], str | None]:
    def bad(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
        res = c.get("resources")
        section = res.get(kind) if isinstance(res, dict) else None
        if not isinstance(section, dict) or section.get(what) in (None, ""):
            return f"no {what} {kind[:-1] if kind.endswith('s') else kind}"
        return None

    return bad


def _probe(name: str) -> Callable[[dict[str, Any], dict[str, Any]], str | None]:
    return lambda c, spec: None if isinstance(c.get(name), dict) else f"no {name}"


def _secret_env(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    for e in as_list(c.get("env")):
        if isinstance(e, dict) and isinstance(e.get("valueFrom"), dict) and "secretKeyRef" in e["valueFrom"]:
            return f"secret injected as environment variable {e.get('name')}"
    return None


def _literal_secret_env(c: dict[str, Any], spec: dict[str, Any]) -> str | None:
    import re

    for e in as_list(c.get("env")):
        if (
            isinstance(e, dict)
            and isinstance(e.get("value"), str)
            and e["value"]
            and re.search(r"(?i)(password|passwd|secret|token|api_?key|private_?key)$", str(e.get("name", "")))
        ):
            return f"environment variable {e.get('name')} holds a literal secret"
    return None


def _default_ns(r: Resource, g: Graph) -> Outcome:
    ns = r.meta.get("namespace")
    return Fail("deployed to the default namespace") if ns in (None, "default") else PASS


def _rbac_wildcard(r: Resource, g: Graph) -> Outcome:
    fails = []
    for i, rule in enumerate(as_list(r.get("rules"))):
        if not isinstance(rule, dict):
            continue
        for key in ("verbs", "resources", "apiGroups"):
            if "*" in [str(x) for x in as_list(rule.get(key))] and key != "apiGroups":
                fails.append(Fail(f'rule {i} grants {key} "*"', key=f"{i}.{key}"))
                break
    return fails or PASS


def _rbac_secrets(r: Resource, g: Graph) -> Outcome:
    for rule in as_list(r.get("rules")):
        if isinstance(rule, dict):
            res = [str(x) for x in as_list(rule.get("resources"))]
            verbs = [str(x) for x in as_list(rule.get("verbs"))]
            if ("secrets" in res or "*" in res) and any(v in ("get", "list", "watch", "*") for v in verbs):
                return Fail("the role can read secrets")
    return PASS


def _rbac_escalate(r: Resource, g: Graph) -> Outcome:
    for rule in as_list(r.get("rules")):
        if isinstance(rule, dict):
            verbs = {str(x) for x in as_list(rule.get("verbs"))}
            res = {str(x) for x in as_list(rule.get("resources"))}
            if verbs & {"bind", "escalate", "impersonate"}:
                return Fail(f"the role can {'/'.join(sorted(verbs & {'bind', 'escalate', 'impersonate'}))}")
            if "create" in verbs and res & {"pods/exec", "pods/attach"}:
                return Fail("the role can exec into pods")
    return PASS


def _cluster_admin_binding(r: Resource, g: Graph) -> Outcome:
    ref = r.get("roleRef")
    if isinstance(ref, dict) and ref.get("name") == "cluster-admin":
        subs = [s.get("name") for s in as_list(r.get("subjects")) if isinstance(s, dict)]
        if subs and all(str(s).startswith("system:") for s in subs):
            return PASS
        return Fail("binds cluster-admin")
    return PASS


def _anonymous_binding(r: Resource, g: Graph) -> Outcome:
    for s in as_list(r.get("subjects")):
        if isinstance(s, dict) and s.get("name") in ("system:anonymous", "system:unauthenticated"):
            return Fail(f"binds a role to {s.get('name')}")
    return PASS


def _nodeport(r: Resource, g: Graph) -> Outcome:
    return Fail("Service type NodePort exposes the service on every node") if r.get("spec.type") == "NodePort" else PASS


def _external_ips(r: Resource, g: Graph) -> Outcome:
    return Fail("Service sets externalIPs (CVE-2020-8554)") if as_list(r.get("spec.externalIPs")) else PASS


def _ingress_tls(r: Resource, g: Graph) -> Outcome:
    return PASS if as_list(r.get("spec.tls")) else Fail("the Ingress serves no TLS")


def _sa_token(r: Resource, g: Graph) -> Outcome:
    spec = pod_spec(r)
    if spec is None:
        return PASS
    return (
        PASS
        if spec.get("automountServiceAccountToken") is False
        else Fail("the service-account token is mounted automatically")
    )


def _default_sa(r: Resource, g: Graph) -> Outcome:
    spec = pod_spec(r)
    if spec is None:
        return PASS
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount")
    return Fail("runs as the default service account") if sa in (None, "default") else PASS


def _bool_field(key: str, msg: str) -> Any:
    return per_pod(lambda spec: msg if spec.get(key) is True else None)


CHECKS = [
    _c(
        "iac.k8s.privileged",
        "Container runs privileged",
        "critical",
        W,
        per_container(lambda c, s: "privileged: true" if _sc(c).get("privileged") is True else None),
        "Remove securityContext.privileged.",
        [f"{CIS}:5.2.2", f"{NIST}:AC-6"],
        ["CKV_K8S_16"],
        [250],
    ),
    _c(
        "iac.k8s.host-network",
        "Pod uses the host network",
        "high",
        W,
        _bool_field("hostNetwork", "hostNetwork: true"),
        "Remove hostNetwork.",
        [f"{CIS}:5.2.5", f"{NIST}:SC-7"],
        ["CKV_K8S_19"],
    ),
    _c(
        "iac.k8s.host-pid",
        "Pod shares the host PID namespace",
        "high",
        W,
        _bool_field("hostPID", "hostPID: true"),
        "Remove hostPID.",
        [f"{CIS}:5.2.3", f"{NIST}:AC-6"],
        ["CKV_K8S_17"],
    ),
    _c(
        "iac.k8s.host-ipc",
        "Pod shares the host IPC namespace",
        "high",
        W,
        _bool_field("hostIPC", "hostIPC: true"),
        "Remove hostIPC.",
        [f"{CIS}:5.2.4", f"{NIST}:AC-6"],
        ["CKV_K8S_18"],
    ),
    _c(
        "iac.k8s.host-path",
        "Pod mounts a hostPath volume",
        "medium",
        W,
        per_pod(_host_path),
        "Use persistent volumes, configMaps or emptyDir instead of hostPath.",
        [f"{CIS}:5.2.12", f"{NIST}:AC-6"],
        [],
    ),
    _c(
        "iac.k8s.host-path-sensitive",
        "Pod mounts a sensitive host path (/, /etc, a container runtime socket …)",
        "critical",
        W,
        per_pod(_sensitive_host_path),
        "Never mount the host root, /etc or runtime sockets into pods.",
        [f"{CIS}:5.2.12", f"{NIST}:AC-6"],
        ["CKV_K8S_27"],
        [250],
    ),
    _c(
        "iac.k8s.host-ports",
        "Container binds a host port",
        "medium",
        W,
        per_container(_host_ports),
        "Remove hostPort; expose through a Service.",
        [f"{CIS}:5.2.13", f"{NIST}:SC-7"],
        ["CKV_K8S_26"],
    ),
    _c(
        "iac.k8s.allow-privilege-escalation",
        "Container allows privilege escalation",
        "high",
        W,
        per_container(
            lambda c, s: (
                None if _sc(c).get("allowPrivilegeEscalation") is False else "allowPrivilegeEscalation is not false"
            )
        ),
        "Set securityContext.allowPrivilegeEscalation: false.",
        [f"{CIS}:5.2.6", f"{NIST}:AC-6"],
        ["CKV_K8S_20"],
        [250],
    ),
    _c(
        "iac.k8s.capabilities-added",
        "Container adds capabilities beyond the baseline set",
        "high",
        W,
        per_container(
            lambda c, s: (
                f"adds {', '.join(sorted(set(_caps_added(c)) - _CAPS_BASELINE))}"
                if set(_caps_added(c)) - _CAPS_BASELINE
                else None
            )
        ),
        "Remove capabilities.add entries such as SYS_ADMIN and NET_ADMIN.",
        [f"{CIS}:5.2.9", f"{NIST}:AC-6"],
        ["CKV_K8S_39"],
        [250],
    ),
    _c(
        "iac.k8s.capabilities-drop-all",
        "Container does not drop all capabilities",
        "medium",
        W,
        per_container(lambda c, s: None if "ALL" in _caps_dropped(c) else "capabilities.drop does not include ALL"),
        "Set securityContext.capabilities.drop: [ALL] (add back NET_BIND_SERVICE only if needed).",
        [f"{CIS}:5.2.10", f"{NIST}:AC-6"],
        ["CKV_K8S_28", "CKV_K8S_37"],
    ),
    _c(
        "iac.k8s.net-raw",
        "Container keeps the NET_RAW capability",
        "medium",
        W,
        per_container(lambda c, s: None if {"ALL", "NET_RAW"} & set(_caps_dropped(c)) else "NET_RAW is not dropped"),
        "Drop NET_RAW (or ALL).",
        [f"{CIS}:5.2.8", f"{NIST}:AC-6"],
        ["CKV_K8S_28"],
    ),
    _c(
        "iac.k8s.run-as-non-root",
        "Container may run as root",
        "medium",
        W,
        per_container(_run_as_root),
        "Set runAsNonRoot: true (pod or container securityContext) and a non-zero runAsUser.",
        [f"{CIS}:5.2.7", f"{NIST}:AC-6"],
        ["CKV_K8S_23"],
        [250],
    ),
    _c(
        "iac.k8s.run-as-uid-0",
        "Container runs as UID 0",
        "high",
        W,
        per_container(_uid_zero),
        "Set runAsUser to a non-zero UID.",
        [f"{CIS}:5.2.7", f"{NIST}:AC-6"],
        ["CKV_K8S_40"],
        [250],
    ),
    _c(
        "iac.k8s.seccomp-profile",
        "Container does not use a seccomp profile (restricted)",
        "medium",
        W,
        per_container(_seccomp),
        "Set securityContext.seccompProfile.type: RuntimeDefault.",
        [f"{CIS}:5.7.2", f"{NIST}:CM-7"],
        ["CKV_K8S_31"],
    ),
    _c(
        "iac.k8s.seccomp-unconfined",
        "Container seccomp profile is Unconfined (baseline)",
        "high",
        W,
        per_container(_unconfined_seccomp),
        "Use RuntimeDefault or Localhost.",
        [f"{CIS}:5.7.2", f"{NIST}:CM-7"],
        [],
    ),
    _c(
        "iac.k8s.apparmor-unconfined",
        "Container AppArmor profile is unconfined",
        "medium",
        W,
        _apparmor,
        "Use the runtime/default AppArmor profile.",
        [f"{NIST}:CM-7"],
        [],
    ),
    _c(
        "iac.k8s.selinux-options",
        "Container sets custom SELinux user/role/type",
        "medium",
        W,
        per_container(_selinux),
        "Leave seLinuxOptions user/role unset and use a container_* type.",
        [f"{NIST}:AC-6"],
        [],
    ),
    _c(
        "iac.k8s.proc-mount",
        "Container uses an unmasked /proc mount",
        "medium",
        W,
        per_container(_proc_mount),
        "Remove procMount or set it to Default.",
        [f"{NIST}:AC-6"],
        [],
    ),
    _c(
        "iac.k8s.unsafe-sysctls",
        "Pod sets unsafe sysctls",
        "high",
        W,
        per_pod(_sysctls),
        "Use only the safe sysctl set.",
        [f"{NIST}:CM-7"],
        [],
    ),
    _c(
        "iac.k8s.volume-types",
        "Pod uses a volume type restricted pods may not use",
        "low",
        W,
        per_pod(_volume_types),
        "Use configMap, secret, emptyDir, projected, downwardAPI, CSI, ephemeral or PVC volumes.",
        [f"{NIST}:CM-7"],
        [],
    ),
    _c(
        "iac.k8s.read-only-root-fs",
        "Container root file system is writable",
        "low",
        W,
        per_container(
            lambda c, s: None if _sc(c).get("readOnlyRootFilesystem") is True else "readOnlyRootFilesystem is not true"
        ),
        "Set readOnlyRootFilesystem: true and mount emptyDir for writable paths.",
        [f"{NIST}:CM-7"],
        ["CKV_K8S_22"],
    ),
    _c(
        "iac.k8s.cpu-limits",
        "Container has no CPU limit",
        "low",
        W,
        per_container(_resources("limits", "cpu")),
        "Set resources.limits.cpu.",
        [f"{NIST}:SC-5"],
        ["CKV_K8S_11"],
    ),
    _c(
        "iac.k8s.memory-limits",
        "Container has no memory limit",
        "medium",
        W,
        per_container(_resources("limits", "memory")),
        "Set resources.limits.memory.",
        [f"{NIST}:SC-5"],
        ["CKV_K8S_13"],
    ),
    _c(
        "iac.k8s.cpu-requests",
        "Container has no CPU request",
        "low",
        W,
        per_container(_resources("requests", "cpu")),
        "Set resources.requests.cpu.",
        [f"{NIST}:SC-5"],
        ["CKV_K8S_10"],
    ),
    _c(
        "iac.k8s.memory-requests",
        "Container has no memory request",
        "low",
        W,
        per_container(_resources("requests", "memory")),
        "Set resources.requests.memory.",
        [f"{NIST}:SC-5"],
        ["CKV_K8S_12"],
    ),
    _c(
        "iac.k8s.image-tag",
        "Container image is not pinned (latest or no tag)",
        "medium",
        W,
        per_container(lambda c, s: _image_tag(c)),
        "Pin images to a version tag, preferably a digest.",
        [f"{NIST}:CM-2", f"{NIST}:SI-7"],
        ["CKV_K8S_14"],
    ),
    _c(
        "iac.k8s.image-digest",
        "Container image is not pinned by digest",
        "low",
        W,
        per_container(
            lambda c, s: None if "@sha256:" in str(c.get("image", "")) else "image is not referenced by digest"
        ),
        "Reference images as name@sha256:….",
        [f"{NIST}:SI-7"],
        ["CKV_K8S_43"],
    ),
    _c(
        "iac.k8s.image-pull-policy",
        "Container image pull policy is not Always",
        "low",
        W,
        per_container(lambda c, s: None if c.get("imagePullPolicy") == "Always" else "imagePullPolicy is not Always"),
        "Set imagePullPolicy: Always.",
        [f"{NIST}:SI-7"],
        ["CKV_K8S_15"],
    ),
    _c(
        "iac.k8s.liveness-probe",
        "Container has no liveness probe",
        "low",
        W,
        per_container(_probe("livenessProbe"), init=False),
        "Define livenessProbe.",
        [f"{NIST}:SI-4"],
        ["CKV_K8S_8"],
    ),
    _c(
        "iac.k8s.readiness-probe",
        "Container has no readiness probe",
        "low",
        W,
        per_container(_probe("readinessProbe"), init=False),
        "Define readinessProbe.",
        [f"{NIST}:SI-4"],
        ["CKV_K8S_9"],
    ),
    _c(
        "iac.k8s.secrets-as-env",
        "Secret exposed through an environment variable",
        "low",
        W,
        per_container(_secret_env),
        "Mount secrets as files instead of environment variables.",
        [f"{CIS}:5.4.1", f"{NIST}:IA-5"],
        ["CKV_K8S_35"],
    ),
    _c(
        "iac.k8s.literal-secret-env",
        "Literal secret in a container environment variable",
        "high",
        W,
        per_container(_literal_secret_env),
        "Reference a Secret (mounted as a file) instead of a literal value.",
        [f"{NIST}:IA-5"],
        [],
        [798],
    ),
    _c(
        "iac.k8s.sa-token-automount",
        "Service-account token is mounted automatically",
        "low",
        W,
        _sa_token,
        "Set automountServiceAccountToken: false unless the pod calls the API.",
        [f"{CIS}:5.1.6", f"{NIST}:AC-6"],
        ["CKV_K8S_38"],
    ),
    _c(
        "iac.k8s.default-service-account",
        "Workload runs as the default service account",
        "low",
        W,
        _default_sa,
        "Create a dedicated ServiceAccount per workload.",
        [f"{CIS}:5.1.5", f"{NIST}:AC-6"],
        ["CKV_K8S_41"],
    ),
    _c(
        "iac.k8s.default-namespace",
        "Object is in the default namespace",
        "low",
        (*W, "Service", "ConfigMap", "Secret", "Role", "RoleBinding", "Ingress", "ServiceAccount"),
        _default_ns,
        "Deploy into a dedicated namespace.",
        [f"{CIS}:5.7.4", f"{NIST}:CM-7"],
        ["CKV_K8S_21"],
    ),
    _c(
        "iac.k8s.rbac-wildcard",
        "RBAC role grants wildcard verbs or resources",
        "high",
        ("Role", "ClusterRole"),
        _rbac_wildcard,
        "List the specific verbs and resources needed.",
        [f"{CIS}:5.1.3", f"{NIST}:AC-6"],
        ["CKV_K8S_49"],
        [269],
    ),
    _c(
        "iac.k8s.rbac-secrets-read",
        "RBAC role can read secrets",
        "medium",
        ("Role", "ClusterRole"),
        _rbac_secrets,
        "Remove get/list/watch on secrets.",
        [f"{CIS}:5.1.2", f"{NIST}:AC-6"],
        [],
    ),
    _c(
        "iac.k8s.rbac-escalation",
        "RBAC role can escalate (bind/escalate/impersonate/exec)",
        "high",
        ("Role", "ClusterRole"),
        _rbac_escalate,
        "Remove bind, escalate, impersonate and pods/exec create.",
        [f"{CIS}:5.1.8", f"{NIST}:AC-6"],
        [],
        [269],
    ),
    _c(
        "iac.k8s.cluster-admin-binding",
        "cluster-admin bound to a non-system subject",
        "critical",
        ("ClusterRoleBinding", "RoleBinding"),
        _cluster_admin_binding,
        "Bind least-privilege roles instead of cluster-admin.",
        [f"{CIS}:5.1.1", f"{NIST}:AC-6"],
        [],
        [269],
    ),
    _c(
        "iac.k8s.anonymous-binding",
        "Role bound to anonymous or unauthenticated users",
        "critical",
        ("ClusterRoleBinding", "RoleBinding"),
        _anonymous_binding,
        "Never bind roles to system:anonymous/system:unauthenticated.",
        [f"{NIST}:AC-14"],
        [],
    ),
    _c(
        "iac.k8s.service-nodeport",
        "Service uses NodePort",
        "low",
        "Service",
        _nodeport,
        "Use ClusterIP behind an Ingress or LoadBalancer.",
        [f"{NIST}:SC-7"],
        [],
    ),
    _c(
        "iac.k8s.service-external-ips",
        "Service sets externalIPs",
        "medium",
        "Service",
        _external_ips,
        "Remove externalIPs.",
        [f"{NIST}:SC-7"],
        [],
    ),
    _c(
        "iac.k8s.ingress-tls",
        "Ingress serves plain HTTP",
        "medium",
        "Ingress",
        _ingress_tls,
        "Add spec.tls with a certificate.",
        [f"{NIST}:SC-8"],
        [],
        [319],
    ),
]
