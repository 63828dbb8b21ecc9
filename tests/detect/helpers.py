"""Build small rulesets from YAML text and events from dicts (shared by the detect tests)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from garrison.detect import pipelines as pl
from garrison.detect.detector import Detector
from garrison.detect.event import Event, LogSource
from garrison.detect.rules import RuleFile, parse
from garrison.detect.ruleset import RuleSet, build

TEST_SOURCE = LogSource("test", frozenset({"svc"}), frozenset({"cat"}))


def ruleset(*docs: str) -> RuleSet:
    files = [RuleFile(f"rule{i}.yml", textwrap.dedent(d).encode()) for i, d in enumerate(docs)]
    parsed = parse(files)
    assert not parsed.problems, parsed.problems
    return build(parsed, "test")


def detector(*docs: str, pipelines: Sequence[str] = ()) -> Detector:
    return Detector(ruleset(*docs), tuple(pl.resolve(p) for p in pipelines))


def rule(detection: str, *, title: str = "t", rid: str = "00000000-0000-0000-0000-000000000001") -> str:
    body = textwrap.indent(textwrap.dedent(detection).strip("\n"), "    ")
    return f"title: {title}\nid: {rid}\nstatus: test\nlevel: high\nlogsource:\n    product: test\ndetection:\n{body}\n"


def event(fields: dict[str, Any], *, ts: float | None = None, variant: str = "test", pos: str = "1") -> Event:
    return Event(
        dict(fields),
        origin="test.log",
        position=pos,
        family="test",
        logsource=TEST_SOURCE,
        timestamp=ts,
        variant=variant,
    )


def fires(detection: str, fields: dict[str, Any], *, prefilter: bool = True) -> bool:
    det = detector(rule(detection))
    assert not det.ruleset.unsupported, det.ruleset.unsupported
    det.use_prefilter = prefilter
    return bool(det.match(event(fields)))
