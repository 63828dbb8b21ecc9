"""docker-compose service checks."""

from __future__ import annotations

import re
from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, Fail, Outcome, check
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource, as_list

CIS = "CIS Docker 1.6"
NIST = "NIST 800-53 Rev5"
SVC = "compose_service"
_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/crio/crio.sock")
_SECRET = re.compile(r"(?i)(password|passwd|secret|token|api_?key|private_?key)")


def _c(id: str, title: str, sev: str, pred: Any, fix: str, fw: list[str], cwe: list[int] | None = None) -> Any:
    return check(
        id,
        title,
        sev,
        SVC,
        pred,
        remediation=fix,
        fw=fw,
        cwe=cwe or [],
        platform="compose",
        refs=["https://docs.docker.com/reference/compose-file/services/"],
    )


def _flag(key: str, msg: str) -> Any:
    return lambda r, g: Fail(msg) if r.get(key) is True else PASS


def _mode(key: str, value: str, msg: str) -> Any:
    return lambda r, g: Fail(msg) if r.get(key) == value else PASS


def _volume_sources(r: Resource) -> list[str]:
    out = []
    for v in as_list(r.get("volumes")):
        if isinstance(v, str):
            out.append(v.split(":", 1)[0])
        elif isinstance(v, dict) and v.get("source"):
            out.append(str(v["source"]))
    return out


def _socket(r: Resource, g: Graph) -> Outcome:
    for s in _volume_sources(r):
        if s.rstrip("/") in _SOCKETS:
            return Fail(f"mounts the container runtime socket {s}: full control of the host")
    return PASS


def _host_root(r: Resource, g: Graph) -> Outcome:
    for s in _volume_sources(r):
        if s.rstrip("/") in ("", "/etc", "/proc", "/root", "/boot", "/sys") or s == "/":
            return Fail(f"mounts sensitive host path {s}")
    return PASS


def _caps(r: Resource, g: Graph) -> Outcome:
    bad = {"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH"}
    added = {str(c).upper().removeprefix("CAP_") for c in as_list(r.get("cap_add"))}
    hit = sorted(added & bad)
    return Fail(f"adds capabilities {', '.join(hit)}") if hit else PASS


def _security_opt(r: Resource, g: Graph) -> Outcome:
    for opt in as_list(r.get("security_opt")):
        o = str(opt).replace("=", ":")
        if o in ("seccomp:unconfined", "apparmor:unconfined", "label:disable", "no-new-privileges:false"):
            return Fail(f"security_opt {opt} disables a protection")
    return PASS


def _env_secrets(r: Resource, g: Graph) -> Outcome:
    env = r.get("environment")
    items: list[tuple[str, Any]] = []
    if isinstance(env, dict):
        items = list(env.items())
    elif isinstance(env, list):
        items = [tuple(str(e).split("=", 1)) if "=" in str(e) else (str(e), None) for e in env]  # type: ignore[misc]
    for k, v in items:
        if v is None or not isinstance(v, str) or not v or v.startswith("${"):
            continue
        named = _SECRET.search(str(k)) and not str(k).upper().endswith(("_FILE", "_PATH", "_NAME"))
        if named or re.search(r"://[^:/\s]+:[^@/\s]+@", v):
            return Fail(f"environment variable {k} holds a literal secret")
    return PASS


def _image_tag(r: Resource, g: Graph) -> Outcome:
    image = r.get("image")
    if not isinstance(image, str) or "@sha256:" in image or "$" in image:
        return PASS
    last = image.rsplit("/", 1)[-1]
    if ":" not in last or last.endswith(":latest"):
        return Fail(f"image {image} is not pinned")
    return PASS


def _ports_all_interfaces(r: Resource, g: Graph) -> Outcome:
    for p in as_list(r.get("ports")):
        text = str(p.get("published", "")) if isinstance(p, dict) else str(p)
        host_ip = p.get("host_ip") if isinstance(p, dict) else None
        if isinstance(p, dict):
            if p.get("published") and host_ip in (None, "0.0.0.0"):
                return Fail(f"port {text} is published on all interfaces")
            continue
        parts = text.split(":")
        # "3000" publishes to an ephemeral host port on every interface; "8080:80" to 8080 on every interface
        if len(parts) <= 2 or (len(parts) == 3 and parts[0] in ("0.0.0.0", "")):
            return Fail(f"port {text} is published on all interfaces")
    return PASS


CHECKS = [
    _c(
        "iac.compose.privileged",
        "Service runs privileged",
        "critical",
        _flag("privileged", "privileged: true"),
        "Remove privileged; add only the capabilities needed.",
        [f"{CIS}:5.4", f"{NIST}:AC-6"],
        [250],
    ),
    _c(
        "iac.compose.host-network",
        "Service uses the host network",
        "high",
        _mode("network_mode", "host", "network_mode: host"),
        "Use a bridge network and publish only needed ports.",
        [f"{CIS}:5.9", f"{NIST}:SC-7"],
    ),
    _c(
        "iac.compose.host-pid",
        "Service shares the host PID namespace",
        "high",
        _mode("pid", "host", "pid: host"),
        "Remove pid: host.",
        [f"{CIS}:5.15", f"{NIST}:AC-6"],
    ),
    _c(
        "iac.compose.host-ipc",
        "Service shares the host IPC namespace",
        "high",
        _mode("ipc", "host", "ipc: host"),
        "Remove ipc: host.",
        [f"{CIS}:5.16", f"{NIST}:AC-6"],
    ),
    _c(
        "iac.compose.docker-socket",
        "Service mounts the Docker socket",
        "critical",
        _socket,
        "Never mount the runtime socket; use a scoped API proxy if unavoidable.",
        [f"{CIS}:5.31", f"{NIST}:AC-6"],
        [250],
    ),
    _c(
        "iac.compose.host-root-mount",
        "Service mounts a sensitive host path",
        "high",
        _host_root,
        "Mount only application directories.",
        [f"{CIS}:5.5", f"{NIST}:AC-6"],
    ),
    _c(
        "iac.compose.cap-add",
        "Service adds dangerous capabilities",
        "high",
        _caps,
        "Drop ALL and add back only what is needed.",
        [f"{CIS}:5.3", f"{NIST}:AC-6"],
    ),
    _c(
        "iac.compose.security-opt-disabled",
        "Service disables seccomp/AppArmor/SELinux",
        "high",
        _security_opt,
        "Keep the default security profiles; set no-new-privileges:true.",
        [f"{CIS}:5.21", f"{NIST}:CM-7"],
    ),
    _c(
        "iac.compose.env-secrets",
        "Literal secret in service environment",
        "high",
        _env_secrets,
        "Use Compose secrets or an env file that is not committed.",
        [f"{NIST}:IA-5"],
        [798],
    ),
    _c(
        "iac.compose.image-latest",
        "Service image is unpinned or latest",
        "medium",
        _image_tag,
        "Pin images to a version tag or digest.",
        [f"{CIS}:5.27", f"{NIST}:CM-2"],
    ),
    _c(
        "iac.compose.ports-all-interfaces",
        "Service publishes ports on all host interfaces",
        "low",
        _ports_all_interfaces,
        'Bind to 127.0.0.1 ("127.0.0.1:5000:5000") unless the port must be public.',
        [f"{CIS}:5.13", f"{NIST}:SC-7"],
    ),
]
