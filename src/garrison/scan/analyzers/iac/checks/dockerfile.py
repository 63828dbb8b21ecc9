"""Dockerfile checks. Stage-level controls (USER, HEALTHCHECK) look at the final stage; instruction-level
findings point at the instruction's lines."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, Fail, Outcome, check
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource

CIS = "CIS Docker 1.6"
NIST = "NIST 800-53 Rev5"
STAGE = "dockerfile_stage"
_PIPE_SHELL = re.compile(r"\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(ba|z|da)?sh\b")
_SECRET_NAME = re.compile(r"(?i)(password|passwd|secret|token|api_?key|access_?key|private_?key|credentials?)")
_APT_INSTALL = re.compile(r"\bapt(-get)?\s+(-\S+\s+)*install\b")


def _c(
    id: str,
    title: str,
    sev: str,
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
        STAGE,
        pred,
        remediation=fix,
        fw=fw,
        ckv=ckv or [],
        cwe=cwe or [],
        platform="dockerfile",
        refs=["https://docs.docker.com/develop/develop-images/instructions/"],
    )


def _ins(r: Resource, *cmds: str) -> list[dict[str, Any]]:
    return [i for i in r.attributes.get("instructions", []) if i["cmd"] in cmds]


def per_instruction(cmds: tuple[str, ...], bad: Callable[[dict[str, Any]], str | None]) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        fails = []
        for i in _ins(r, *cmds):
            msg = bad(i)
            if msg:
                fails.append(Fail(msg, line=i["line"], end_line=i["end_line"], key=str(i["line"])))
        return fails or PASS

    return run


def _final(pred: Callable[[Resource], str | None]) -> Any:
    def run(r: Resource, g: Graph) -> Outcome:
        if not r.attributes.get("final"):
            return PASS
        msg = pred(r)
        return Fail(msg) if msg else PASS

    return run


def _user(r: Resource) -> str | None:
    users = _ins(r, "USER")
    if not users:
        return "no USER instruction: the container runs as root"
    last = users[-1]["value"].split(":")[0].strip()
    return "the last USER is root" if last in ("root", "0") else None


def _base_tag(r: Resource, g: Graph) -> Outcome:
    if r.attributes.get("from_stage"):
        return PASS
    image = str(r.attributes.get("image", ""))
    if image.lower() == "scratch" or "$" in image or "@sha256:" in image:
        return PASS
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return Fail(f"base image {image} has no tag (latest)", line=r.start_line, end_line=r.start_line)
    if last.endswith(":latest"):
        return Fail(f"base image {image} uses the latest tag", line=r.start_line, end_line=r.start_line)
    return PASS


def _base_digest(r: Resource, g: Graph) -> Outcome:
    image = str(r.attributes.get("image", ""))
    if r.attributes.get("from_stage") or image.lower() == "scratch" or "@sha256:" in image or "$" in image:
        return PASS
    return Fail(f"base image {image} is not pinned by digest", line=r.start_line, end_line=r.start_line)


def _pairs(i: dict[str, Any]) -> list[tuple[str, str | None]]:
    """``ENV A=1 B="x y"`` / legacy ``ENV A some value`` / ``ARG NAME[=default] ...`` as (name, value|None)."""
    value = i["value"].strip()
    try:
        words = shlex.split(value, comments=False, posix=True)
    except ValueError:
        words = value.split()
    if not words:
        return []
    if i["cmd"] == "ENV" and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]  # legacy form: one variable, the rest is its value
    out: list[tuple[str, str | None]] = []
    for w in words:
        name, eq, val = w.partition("=")
        out.append((name, val if eq else None))
    return out


def _env_secret(i: dict[str, Any]) -> str | None:
    for name, value in _pairs(i):
        if not _SECRET_NAME.search(name) or name.upper().endswith(("_FILE", "_PATH", "_NAME")):
            continue
        if i["cmd"] == "ARG" and not value:
            return f"build argument {name} carries a secret (visible in the image history)"
        if value and not value.startswith("$"):
            return f"{i['cmd']} {name} holds a secret in the image"
    return None


def _apt_cache(i: dict[str, Any]) -> str | None:
    v = i["value"]
    if (
        _APT_INSTALL.search(v)
        and "rm -rf /var/lib/apt/lists" not in v
        and "--mount=type=cache" not in v
        and "mount" not in i["flags"]
    ):
        return "apt package lists are left in the layer (rm -rf /var/lib/apt/lists/*)"
    return None


def _apt_recommends(i: dict[str, Any]) -> str | None:
    v = i["value"]
    if re.search(r"\bapt-get\s+(-\S+\s+)*install\b", v) and "--no-install-recommends" not in v:
        return "apt-get install without --no-install-recommends"
    return None


def _apt_upgrade(i: dict[str, Any]) -> str | None:
    return (
        "dist-upgrade/upgrade in the image"
        if re.search(r"\bapt(-get)?\s+(-\S+\s+)*(dist-)?upgrade\b", i["value"])
        else None
    )


def _sudo(i: dict[str, Any]) -> str | None:
    return "sudo inside the build" if re.search(r"(^|[;&|]\s*)sudo\s", i["value"]) else None


def _add(i: dict[str, Any]) -> str | None:
    src = i["exec"][:-1] if i["exec"] else i["value"].split()[:-1]
    if any(s.startswith(("http://", "https://")) for s in src):
        return "ADD fetches a remote URL (no checksum verification)"
    if any(s.endswith((".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2")) for s in src):
        return None  # local archive extraction is ADD's legitimate use
    return "ADD used where COPY would do"


def _healthcheck(r: Resource) -> str | None:
    hc = _ins(r, "HEALTHCHECK")
    if not hc:
        return "no HEALTHCHECK instruction"
    return "HEALTHCHECK NONE" if hc[-1]["value"].strip().upper() == "NONE" else None


def _expose_ssh(i: dict[str, Any]) -> str | None:
    ports = [p.split("/")[0] for p in i["value"].split()]
    return "EXPOSE 22 (SSH server in a container)" if "22" in ports else None


def _chmod_777(i: dict[str, Any]) -> str | None:
    return "chmod 777 makes files world-writable" if re.search(r"\bchmod\s+(-R\s+)?0?777\b", i["value"]) else None


def _insecure_fetch(i: dict[str, Any]) -> str | None:
    v = i["value"]
    if re.search(r"\bcurl\b[^;&|]*\s(-k|--insecure)\b", v) or re.search(r"\bwget\b[^;&|]*--no-check-certificate", v):
        return "TLS certificate verification is disabled"
    return None


def _maintainer(i: dict[str, Any]) -> str | None:
    return "MAINTAINER is deprecated (use LABEL)"


def _workdir_relative(i: dict[str, Any]) -> str | None:
    v = i["value"].strip().strip('"')
    return f"WORKDIR {v} is relative" if v and not v.startswith(("/", "$")) and not re.match(r"^[A-Za-z]:", v) else None


def _pip_cache(i: dict[str, Any]) -> str | None:
    v = i["value"]
    if re.search(r"\bpip3?\s+install\b", v) and "--no-cache-dir" not in v and "mount" not in i["flags"]:
        return "pip install without --no-cache-dir"
    return None


CHECKS = [
    _c(
        "iac.docker.root-user",
        "Image runs as root (no non-root USER)",
        "high",
        _final(_user),
        "Add a USER instruction with an unprivileged user in the final stage.",
        [f"{CIS}:4.1", f"{NIST}:AC-6"],
        ["CKV_DOCKER_3", "CKV_DOCKER_8"],
        [250],
    ),
    _c(
        "iac.docker.base-latest",
        "Base image is unpinned or uses latest",
        "medium",
        _base_tag,
        "Pin the base image to a version tag (and preferably a digest).",
        [f"{CIS}:4.2", f"{NIST}:CM-2"],
        ["CKV_DOCKER_7"],
    ),
    _c(
        "iac.docker.base-digest",
        "Base image is not pinned by digest",
        "low",
        _base_digest,
        "Reference the base image as name:tag@sha256:….",
        [f"{NIST}:SI-7"],
        [],
    ),
    _c(
        "iac.docker.add-instead-of-copy",
        "ADD used instead of COPY",
        "low",
        per_instruction(("ADD",), _add),
        "Use COPY; download remote files with a verified checksum.",
        [f"{CIS}:4.9", f"{NIST}:CM-7"],
        ["CKV_DOCKER_4"],
    ),
    _c(
        "iac.docker.curl-pipe-shell",
        "Remote script piped into a shell",
        "high",
        per_instruction(
            ("RUN",),
            lambda i: (
                "downloads and executes a script without verification" if _PIPE_SHELL.search(i["value"]) else None
            ),
        ),
        "Download, verify a checksum or signature, then execute.",
        [f"{NIST}:SI-7"],
        [],
        [494],
    ),
    _c(
        "iac.docker.secret-in-env",
        "Secret in ENV or ARG",
        "high",
        per_instruction(("ENV", "ARG"), _env_secret),
        "Use build secrets (RUN --mount=type=secret) and runtime secret injection.",
        [f"{CIS}:4.10", f"{NIST}:IA-5"],
        [],
        [798],
    ),
    _c(
        "iac.docker.no-healthcheck",
        "Image has no HEALTHCHECK",
        "low",
        _final(_healthcheck),
        "Add a HEALTHCHECK instruction.",
        [f"{CIS}:4.6", f"{NIST}:SI-4"],
        ["CKV_DOCKER_2"],
    ),
    _c(
        "iac.docker.apt-cache",
        "apt package lists left in the image",
        "low",
        per_instruction(("RUN",), _apt_cache),
        "End apt-get install with && rm -rf /var/lib/apt/lists/*.",
        [f"{NIST}:CM-7"],
        [],
    ),
    _c(
        "iac.docker.apt-no-recommends",
        "apt-get install pulls recommended packages",
        "low",
        per_instruction(("RUN",), _apt_recommends),
        "Use apt-get install --no-install-recommends.",
        [f"{NIST}:CM-7"],
        [],
    ),
    _c(
        "iac.docker.apt-upgrade",
        "Package upgrade inside the image build",
        "low",
        per_instruction(("RUN",), _apt_upgrade),
        "Use an updated base image instead of upgrading in the build.",
        [f"{CIS}:4.7", f"{NIST}:CM-2"],
        ["CKV_DOCKER_5"],
    ),
    _c(
        "iac.docker.sudo",
        "sudo used in the build",
        "medium",
        per_instruction(("RUN",), _sudo),
        "Run privileged steps before USER instead of using sudo.",
        [f"{NIST}:AC-6"],
        [],
    ),
    _c(
        "iac.docker.expose-ssh",
        "Image exposes SSH (port 22)",
        "medium",
        per_instruction(("EXPOSE",), _expose_ssh),
        "Do not run SSH servers in containers; use docker exec/kubectl exec.",
        [f"{NIST}:CM-7"],
        ["CKV_DOCKER_1"],
    ),
    _c(
        "iac.docker.chmod-777",
        "World-writable permissions set in the image",
        "medium",
        per_instruction(("RUN",), _chmod_777),
        "Grant the narrowest permissions (e.g. 755/644) to the right owner.",
        [f"{NIST}:AC-3"],
        [],
        [732],
    ),
    _c(
        "iac.docker.insecure-download",
        "Download with TLS verification disabled",
        "high",
        per_instruction(("RUN",), _insecure_fetch),
        "Remove -k/--insecure/--no-check-certificate.",
        [f"{NIST}:SC-8"],
        [],
        [295],
    ),
    _c(
        "iac.docker.maintainer",
        "Deprecated MAINTAINER instruction",
        "info",
        per_instruction(("MAINTAINER",), _maintainer),
        "Use LABEL org.opencontainers.image.authors=….",
        [],
        ["CKV_DOCKER_6"],
    ),
    _c(
        "iac.docker.workdir-relative",
        "WORKDIR is a relative path",
        "info",
        per_instruction(("WORKDIR",), _workdir_relative),
        "Use absolute WORKDIR paths.",
        [],
        ["CKV_DOCKER_10"],
    ),
    _c(
        "iac.docker.pip-cache",
        "pip cache left in the image",
        "info",
        per_instruction(("RUN",), _pip_cache),
        "Use pip install --no-cache-dir.",
        [],
        [],
    ),
]
