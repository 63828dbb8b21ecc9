"""The compiled ruleset at run time: route -> prefilter -> compiled predicates.

A *route* is everything one kind of event needs: the rules its log source admits (router.py), compiled under its
pipeline variant (each rule's IR turned into closures once), and a literal prefilter over those rules. Routes are
built lazily the first time an event of that (variant, log source) arrives and memoised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from garrison.detect import pipelines as pl
from garrison.detect.compile import Unsupported
from garrison.detect.event import Event
from garrison.detect.matchers import Pred, build_condition
from garrison.detect.prefilter import Prefilter, literal_alternatives
from garrison.detect.router import Router
from garrison.detect.ruleset import RuleSet

#: events a route observes literal frequencies over before it re-picks each rule's literal set
LEARN_EVENTS = 2000


@dataclass(slots=True)
class CompiledRule:
    index: int
    pred: Pred
    selections: dict[str, Pred]
    ir: dict[str, Any]
    alternatives: list[list[str]]

    @property
    def literals(self) -> list[str] | None:
        return self.alternatives[0] if self.alternatives else None


@dataclass(slots=True)
class Route:
    rules: list[CompiledRule]
    always: list[CompiledRule]
    by_literal: list[tuple[CompiledRule, ...]]
    prefilter: Prefilter
    #: the fields the route's rules test (None: every field, when a rule has keyword detections)
    plan: frozenset[str] | None = None
    events: int = 0
    #: while learning: hits per literal of the prefilter (which then holds every alternative's literals)
    counts: list[int] | None = None
    choice: dict[int, list[str]] | None = None


@dataclass
class Coverage:
    """Per rule: how many events it met (``ran``) and variant-specific compile failures."""

    ran: dict[int, int] = field(default_factory=dict)
    variant_unsupported: dict[int, str] = field(default_factory=dict)


class Detector:
    def __init__(
        self, ruleset: RuleSet, extra: tuple[pl.PipelineSpec, ...] = (), *, use_prefilter: bool = True
    ) -> None:
        self.ruleset = ruleset
        self.extra = extra
        self.use_prefilter = use_prefilter
        detection = [
            i
            for i, m in enumerate(ruleset.meta)
            if m["kind"] == "rule"
            and (ruleset.base[i] is not None or (extra and ruleset.unsupported.get(i, "").startswith("placeholder")))
        ]
        self.router = Router(ruleset.meta, detection)
        self._routes: dict[tuple[Any, ...], Route] = {}
        self._compiled: dict[tuple[str, int], CompiledRule | str] = {}
        self._variant_keys: dict[str, str] = {}
        self._pipelines: dict[str, Any] = {}
        self.coverage = Coverage()

    # --- compilation -----------------------------------------------------------------------------------

    def _variant_key(self, variant: str) -> str:
        key = self._variant_keys.get(variant)
        if key is None:
            key = pl.variant_digest(variant, self.extra)
            self._variant_keys[variant] = key
        return key

    def _pipeline_factory(self, variant: str) -> Callable[[], Any]:
        def make() -> Any:
            p = self._pipelines.get(variant)
            if p is None:
                p = pl.build(pl.variant_specs(variant, self.extra))
                self._pipelines[variant] = p
            return p

        return make

    def compiled(self, variant: str, index: int) -> CompiledRule | str:
        vkey = self._variant_key(variant)
        if not vkey:
            return self._compile_base(index)
        key = (vkey, index)
        got = self._compiled.get(key)
        if got is not None:
            return got
        ir = self.ruleset.ir_for(index, vkey, self._pipeline_factory(variant))
        result: CompiledRule | str
        if isinstance(ir, str):
            result = ir
        elif ir == self.ruleset.base[index]:
            result = self._compile_base(index)  # the pipelines left the rule as it was: share its closures
        else:
            try:
                pred, sels = build_condition(ir)
                result = CompiledRule(index, pred, sels, ir, literal_alternatives(ir))
            except Unsupported as exc:
                result = str(exc)
        self._compiled[key] = result
        return result

    def _compile_base(self, index: int) -> CompiledRule | str:
        key = ("", index)
        got = self._compiled.get(key)
        if got is None:
            ir = self.ruleset.base[index]
            if ir is None:
                got = self.ruleset.unsupported.get(index, "unsupported")
            else:
                try:
                    pred, sels = build_condition(ir)
                    got = CompiledRule(index, pred, sels, ir, literal_alternatives(ir))
                except Unsupported as exc:
                    got = str(exc)
            self._compiled[key] = got
        return got

    def compile_all(self, variant: str = "windows") -> None:
        """Build every base-IR rule's closures now (benchmarks and the correctness gate use this)."""
        for i, ir in enumerate(self.ruleset.base):
            if ir is not None:
                self.compiled(variant, i)

    def route(self, ev: Event) -> Route:
        key = (ev.variant, ev.logsource)
        r = self._routes.get(key)
        if r is None:
            r = self._build_route(ev)
            self._routes[key] = r
        return r

    def _build_route(self, ev: Event) -> Route:
        rules: list[CompiledRule] = []
        for i in self.router.rules_for(ev.logsource):
            c = self.compiled(ev.variant, i)
            if isinstance(c, str):
                self.coverage.variant_unsupported.setdefault(i, f"{ev.variant}: {c}")
                continue
            rules.append(c)
        always = [c for c in rules if not self.use_prefilter or not c.alternatives]
        filtered = [c for c in rules if self.use_prefilter and c.alternatives]
        choice = {c.index: c.alternatives[0] for c in filtered}
        learn = any(len(c.alternatives) > 1 for c in filtered)
        scan = sorted({lit for c in filtered for alt in c.alternatives for lit in alt}) if learn else None
        route = Route(rules, always, [], Prefilter([]), plan=field_plan(c.ir for c in rules), choice=choice)
        self._index(route, filtered, scan)
        if learn:
            route.counts = [0] * len(route.prefilter.literals)
        return route

    @staticmethod
    def _index(route: Route, filtered: list[CompiledRule], scan: list[str] | None) -> None:
        """Map each literal the prefilter scans for to the rules whose *chosen* set contains it."""
        assert route.choice is not None
        lit_index: dict[str, list[CompiledRule]] = {}
        for c in filtered:
            for lit in route.choice[c.index]:
                lit_index.setdefault(lit, []).append(c)
        literals = scan if scan is not None else sorted(lit_index)
        route.by_literal = [tuple(lit_index.get(lit, ())) for lit in literals]
        route.prefilter = Prefilter(literals)

    def _relearn(self, route: Route) -> None:
        """Re-pick each rule's literal set by the hit counts seen so far, then scan for the chosen ones only."""
        assert route.counts is not None and route.choice is not None
        freq = dict(zip(route.prefilter.literals, route.counts, strict=True))
        filtered = [c for c in route.rules if self.use_prefilter and c.alternatives]
        for c in filtered:
            route.choice[c.index] = min(c.alternatives, key=lambda alt: sum(freq.get(lit, 0) for lit in alt))
        route.counts = None
        self._index(route, filtered, None)

    # --- matching --------------------------------------------------------------------------------------

    def match(self, ev: Event) -> list[CompiledRule]:
        """The rules that match ``ev``, in rule order."""
        r = self.route(ev)
        r.events += 1
        ev.prepare(r.plan)
        out: list[CompiledRule] = [c for c in r.always if c.pred(ev)]
        if r.by_literal:
            hits = r.prefilter.hits(ev.blob())
            if hits:
                seen: set[int] = set()
                by_literal = r.by_literal
                for h in hits:
                    for c in by_literal[h]:
                        if c.index not in seen:
                            seen.add(c.index)
                            if c.pred(ev):
                                out.append(c)
            counts = r.counts
            if counts is not None:
                for h in hits:
                    counts[h] += 1
                if r.events >= LEARN_EVENTS:
                    self._relearn(r)
        if len(out) > 1:
            out.sort(key=lambda c: c.index)
        return out

    def settle_learning(self, min_events: int) -> None:
        """Routes still learning their literal choice settle it now from what they saw (at least ``min_events``)."""
        for r in self._routes.values():
            if r.counts is not None and r.events >= min_events:
                self._relearn(r)

    def reset_counts(self) -> None:
        for r in self._routes.values():
            r.events = 0

    def finish_coverage(self) -> Coverage:
        ran: dict[int, int] = {}
        for r in self._routes.values():
            if not r.events:
                continue
            for c in r.rules:
                ran[c.index] = ran.get(c.index, 0) + r.events
        self.coverage.ran = ran
        return self.coverage


def field_plan(irs: Iterable[dict[str, Any]]) -> frozenset[str]:
    """Every field the rules' detections test by name (fieldref targets included). Keyword (field-less)
    detections need no entry: they read every value (``Event.all_low``) and the prefilter text keeps the values
    of the other fields too."""
    out: set[str] = set()
    for ir in irs:
        for node in ir["selections"].values():
            out.update(_fields(node, refs=True))
    return frozenset(out)


def explain(rule: CompiledRule, ev: Event) -> list[tuple[str, tuple[str, ...]]]:
    """The selections of a matched rule that are true for ``ev`` and the fields each one tests."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for name, pred in rule.selections.items():
        try:
            ok = pred(ev)
        except Exception:  # noqa: BLE001 - explaining is best effort; the match itself already happened
            ok = False
        if ok:
            out.append((_display_name(name), tuple(_fields(rule.ir["selections"][name]))))
    return out


def _display_name(name: str) -> str:
    # meta-filters rename their detections "_filt_<random>_<name>"
    if name.startswith("_filt_") and name.count("_") >= 3:
        return "filter:" + name.split("_", 3)[3]
    return name


def _fields(node: list[Any], *, refs: bool = False) -> list[str]:
    """The fields a detection node tests, in order (with ``refs``, fieldref targets too)."""
    out: list[str] = []

    def walk(n: list[Any]) -> None:
        op = n[0]
        if op in ("and", "or"):
            for k in n[1]:
                walk(k)
        elif op == "not":
            walk(n[1])
        elif op == "f":
            if n[1] not in out:
                out.append(n[1])
            if refs and n[2][0] == "ref" and n[2][1] not in out:
                out.append(n[2][1])

    walk(node)
    return out
