"""How deep can a YAML text nest? One cheap upper bound, used before handing text to libyaml.

libyaml (PyYAML's ``CSafeLoader``) composes documents recursively in C, where Python's recursion limit does not
apply: ``"[" * 50_000`` or ``"- " * 50_000`` overflows the process stack and kills the interpreter instead of
raising an error (measured here: fine at 20,000 levels, a segmentation fault at 50,000). Every YAML reader in
Garrison (OSV advisories, lockfiles, IaC manifests, Sigma rules, waivers) checks this bound first and either
refuses the text or uses PyYAML's pure-Python loader, where too deep a nesting is a ``RecursionError``.
"""

from __future__ import annotations

import re

#: libyaml is only given texts whose estimated nesting is at most this (50× below where it crashes)
C_SAFE_NESTING = 1000

_LINE_HEAD = re.compile(r"^([ \t]*)((?:[-?][ \t]+)*)", re.M)
_FLOW = re.compile(r"[\[\]{}]")


def nesting_bound(text: str) -> int:
    """An upper bound on the nesting depth of ``text``: one for the document, two per column of the deepest line's
    indentation and compact ``- - -``/``? `` entries (a sequence may sit at its parent key's indentation, so one
    column can hide two levels), plus the deepest run of flow brackets (quotes are ignored, so brackets inside
    strings only ever make the bound larger). Generous by design: it only has to be ≥ the real depth."""
    block = 0
    for m in _LINE_HEAD.finditer(text):
        block = max(block, 2 * (len(m.group(1)) + m.group(2).count("-") + m.group(2).count("?")))
    flow = depth = 0
    for m in _FLOW.finditer(text):
        if m.group(0) in "[{":
            depth += 1
            flow = max(flow, depth)
        elif depth:
            depth -= 1
    return 1 + block + flow


def c_loader_safe(text: str, limit: int = C_SAFE_NESTING) -> bool:
    """Whether libyaml may compose ``text`` without any risk of a C stack overflow."""
    return nesting_bound(text) <= limit
