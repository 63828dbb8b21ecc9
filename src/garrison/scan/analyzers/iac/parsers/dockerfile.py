"""Dockerfiles → one resource per build stage (multi-stage aware).

Handles line continuations (and the ``# escape=`` directive), comments, JSON (exec) and shell forms, flags
(``--from=``, ``--chown=``), and heredocs (``RUN <<EOF``). Each instruction keeps its line range.
"""

from __future__ import annotations

import json
import re
from typing import Any

from garrison.scan.analyzers.iac.model import Resource

MAX_DOCKERFILE = 2 * 1024 * 1024
_DIRECTIVE = re.compile(r"^#\s*(escape|syntax)\s*=\s*(\S+)\s*$", re.I)
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_FLAG = re.compile(r"^--([A-Za-z-]+)(?:=(\S*))?\s*")


class DockerfileError(Exception):
    pass


def is_dockerfile_path(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    low = name.lower()
    return (
        low == "dockerfile"
        or low.startswith("dockerfile.")
        or low.endswith((".dockerfile", ".containerfile"))
        or (low == "containerfile")
    )


def parse_instructions(text: str) -> list[dict[str, Any]]:
    if len(text) > MAX_DOCKERFILE:
        raise DockerfileError(f"file too large to analyze ({len(text)} characters)")
    lines = text.splitlines()
    escape = "\\"
    i = 0
    # parser directives only at the very top
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i].strip())
        if not m:
            break
        if m.group(1).lower() == "escape" and m.group(2) in ("`", "\\"):
            escape = m.group(2)
        i += 1
    out: list[dict[str, Any]] = []
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        parts = [raw.rstrip()]
        while parts[-1].endswith(escape) and i + 1 < len(lines):
            parts[-1] = parts[-1][: -len(escape)]
            i += 1
            nxt = lines[i]
            if nxt.strip().startswith("#"):
                parts.append("")
                continue
            parts.append(nxt.rstrip())
        joined = " ".join(p.strip() for p in parts if p.strip())
        if parts[-1].endswith(escape):
            joined = joined[: -len(escape)]
        cmd, _, rest = joined.partition(" ")
        rest = rest.strip()
        heredoc_body: list[str] = []
        hd = _HEREDOC.search(rest) if cmd.upper() in ("RUN", "COPY", "ADD") else None
        if hd:
            marker = hd.group(1)
            while i + 1 < len(lines):
                i += 1
                if lines[i].strip() == marker:
                    break
                heredoc_body.append(lines[i])
        flags: dict[str, str] = {}
        while True:
            fm = _FLAG.match(rest)
            if not fm or (cmd.upper() in ("RUN",) and fm.group(1) not in ("mount", "network", "security")):
                break
            flags[fm.group(1).lower()] = fm.group(2) or ""
            rest = rest[fm.end() :]
        exec_form: list[str] | None = None
        if rest.startswith("["):
            try:
                parsed = json.loads(rest)
                if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
                    exec_form = parsed
            except ValueError:
                exec_form = None
        value = rest + ("\n" + "\n".join(heredoc_body) if heredoc_body else "")
        out.append(
            {
                "cmd": cmd.upper(),
                "value": value,
                "exec": exec_form,
                "flags": flags,
                "line": start + 1,
                "end_line": i + 1,
            }
        )
        i += 1
    return out


def dockerfile_resources(path: str, text: str) -> list[Resource]:
    instructions = parse_instructions(text)
    stages: list[list[dict[str, Any]]] = []
    preamble: list[dict[str, Any]] = []
    for ins in instructions:
        if ins["cmd"] == "FROM":
            stages.append([ins])
        elif stages:
            stages[-1].append(ins)
        else:
            preamble.append(ins)
    out: list[Resource] = []
    aliases: set[str] = set()
    for n, stage in enumerate(stages):
        frm = stage[0]
        words = frm["value"].split()
        image = words[0] if words else ""
        alias = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
        name = alias or str(n)
        out.append(
            Resource(
                platform="dockerfile",
                type="dockerfile_stage",
                name=name,
                address=f"stage:{name}",
                attributes={
                    "image": image,
                    "alias": alias,
                    "platform": frm["flags"].get("platform"),
                    "index": n,
                    "final": n == len(stages) - 1,
                    "from_stage": image.lower() in aliases,
                    "instructions": stage,
                    "preamble": preamble,
                },
                path=path,
                start_line=frm["line"],
                end_line=stage[-1]["end_line"],
                block_address=f"stage:{name}",
            )
        )
        if alias:
            aliases.add(alias.lower())
    return out
