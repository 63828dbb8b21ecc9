"""Every parser, fuzzed from its real fixtures: malformed or hostile input yields a Manifest or a
one-line ParseError — never another exception, never a hang (hypothesis deadline per example)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.scan.analyzers.deps import parsers
from garrison.scan.analyzers.deps.parsers.base import Manifest, ParseError

from .helpers import FIXTURES, reader

SEEDS: dict[str, list[str]] = {}
for f in sorted(FIXTURES.rglob("*")):
    if f.is_file():
        rel = f.relative_to(FIXTURES).as_posix()
        name = parsers.parser_name(rel)
        if name:
            SEEDS.setdefault(name, []).append(rel)
FUZZ = settings(
    max_examples=30,
    deadline=timedelta(seconds=3),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def test_every_parser_has_real_seeds() -> None:
    assert set(SEEDS) == {
        "requirements", "poetry", "pipenv", "uv", "pdm", "pylock", "npm", "yarn", "pnpm", "gomod",
        "cargo", "gemfile", "composer", "gradle", "maven", "nuget", "sbom",
    }  # fmt: skip


def _check(parser: str, rel: str, text: str) -> None:
    try:
        result = parsers.load(parser).parse(text, rel, reader())
    except ParseError as exc:
        message = exc.message
    else:
        assert isinstance(result, Manifest)
        for p in result.packages:
            assert isinstance(p.name, str) and isinstance(p.version, str)
        return
    assert "\n" not in message and message.startswith(rel)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    ops = draw(st.lists(st.sampled_from(["cut", "insert", "dup", "truncate", "swapline"]), min_size=1, max_size=4))
    for op in ops:
        n = len(text)
        i = draw(st.integers(0, max(n - 1, 0)))
        j = draw(st.integers(i, min(n, i + 400)))
        if op == "cut":
            text = text[:i] + text[j:]
        elif op == "insert":
            junk = draw(
                st.sampled_from(['"', "{", "}", "[", "]", ":", "\n", "  ", "\\", "\x00", "&a;", "${x}", "@", "/"])
            )
            text = text[:i] + junk * draw(st.integers(1, 50)) + text[i:]
        elif op == "dup":
            text = text[:j] + text[i:j] * draw(st.integers(1, 20)) + text[j:]
        elif op == "truncate":
            text = text[:i]
        else:
            lines = text.splitlines(keepends=True)
            if len(lines) > 2:
                a = draw(st.integers(0, len(lines) - 1))
                b = draw(st.integers(0, len(lines) - 1))
                lines[a], lines[b] = lines[b], lines[a]
                text = "".join(lines)
    return text


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = (), out: list[tuple[Any, ...]] | None = None) -> list[tuple[Any, ...]]:
    out = [] if out is None else out
    out.append(prefix)
    if len(out) > 3000:
        return out
    if isinstance(doc, dict):
        for k, v in doc.items():
            _paths(v, (*prefix, k), out)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            _paths(v, (*prefix, i), out)
    return out


@st.composite
def json_mutated(draw: st.DrawFn, text: str) -> str:
    doc = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths[1:] or paths))
        value = draw(JSON_VALUES)
        if not path:
            doc = value
            continue
        target = doc
        for k in path[:-1]:
            target = target[k]
        target[path[-1]] = value
    return json.dumps(doc)


@pytest.mark.parametrize("parser", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_text_mutations(parser: str, data: st.DataObject) -> None:
    rel = data.draw(st.sampled_from(SEEDS[parser]))
    text = data.draw(mutated((FIXTURES / rel).read_text()))
    _check(parser, rel, text)


JSON_SEEDS = {p: [r for r in rels if r.endswith(".json")] for p, rels in sorted(SEEDS.items())}
JSON_PARSERS = [p for p, rels in JSON_SEEDS.items() if rels]  # sbom: its JSON seeds only


@pytest.mark.parametrize("parser", JSON_PARSERS)
@FUZZ
@given(data=st.data())
def test_structure_mutations(parser: str, data: st.DataObject) -> None:
    rel = data.draw(st.sampled_from(JSON_SEEDS[parser]))
    text = data.draw(json_mutated((FIXTURES / rel).read_text()))
    _check(parser, rel, text)


#: the SBOM formats that are not JSON, each fuzzed from its own fixture with junk of its own syntax
MARKUP_SEEDS = ["sbom/bom.xml", "sbom/example.spdx"]
MARKUP_JUNK = [
    "<", ">", "</", "/>", "<component>", "</component>", "<components>", "<dependency ref=\"x\">", "&amp;", "&x;",
    "<!DOCTYPE bom [<!ENTITY x \"y\">]>", "<![CDATA[", "xmlns=\"urn:x\"", "<text>", "</text>", "\n", ":",
    "PackageName: ", "SPDXID: ", "ExternalRef: PACKAGE-MANAGER purl ", "Relationship: ", "FileName: x\n", "#",
]  # fmt: skip


@st.composite
def markup_mutated(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:i] + draw(st.sampled_from(MARKUP_JUNK)) * draw(st.integers(1, 30)) + text[i:]
        else:
            text = text[:i] + text[i + draw(st.integers(1, 200)) :]
    return text


def test_markup_seeds_are_routed_to_the_sbom_parser() -> None:
    assert all(r in SEEDS["sbom"] for r in MARKUP_SEEDS)


@pytest.mark.parametrize("rel", MARKUP_SEEDS)
@FUZZ
@given(data=st.data())
def test_markup_mutations(rel: str, data: st.DataObject) -> None:
    text = data.draw(markup_mutated((FIXTURES / rel).read_text()))
    _check("sbom", rel, text)


@pytest.mark.parametrize("parser", sorted(SEEDS))
@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text(parser: str, text: str) -> None:
    _check(parser, SEEDS[parser][0], text)


@pytest.mark.parametrize("parser", sorted(SEEDS))
def test_deep_nesting_and_huge_lines_are_bounded(parser: str) -> None:
    rel = SEEDS[parser][0]
    for text in ("[" * 50_000, "{" * 50_000, "a: " * 20_000, "x" * 2_000_000, "- " * 50_000, "<a>" * 20_000):
        _check(parser, rel, text)
