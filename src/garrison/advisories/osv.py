"""OSV documents (JSON or YAML) -> :class:`~garrison.advisories.model.Advisory`, with one-line errors.

Decoding is strict about shape (every error names the field, e.g. ``affected[0].ranges[1].events``) and
tolerant about content it does not need. Large or deeply nested documents are refused before parsing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

from garrison.advisories.cvss import best_score
from garrison.advisories.model import EVENT_KINDS, Advisory, Affected, Event, EventKind, Range, Severity
from garrison.core.errors import InputError
from garrison.core.yamldepth import c_loader_safe

MAX_DOCUMENT = 8 * 1024 * 1024
MAX_DETAILS = 8000
_CWE = re.compile(r"^CWE-(\d+)$")


class AdvisoryError(InputError):
    """One OSV document is invalid (the import skips it and reports it)."""


def load_document(data: bytes, name: str) -> Any:
    """Decode a ``.json`` or ``.yaml``/``.yml`` document (YAML through the safe C loader when available)."""
    if len(data) > MAX_DOCUMENT:
        raise AdvisoryError(f"document too large ({len(data)} bytes, limit {MAX_DOCUMENT})", path=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdvisoryError(f"not valid UTF-8 (byte {exc.start})", path=name) from None
    if name.endswith((".yaml", ".yml")):
        import yaml

        if yaml_too_deep(text):
            raise AdvisoryError("document nested too deeply", path=name)
        try:
            return yaml.load(text, Loader=_string_loader())
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise AdvisoryError(f"invalid YAML{where}", path=name) from None
        except RecursionError:
            raise AdvisoryError("document nested too deeply", path=name) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AdvisoryError(f"invalid JSON at line {exc.lineno}: {exc.msg}", path=name) from None
    except RecursionError:
        raise AdvisoryError("document nested too deeply", path=name) from None


def yaml_too_deep(text: str) -> bool:
    """Refuse what libyaml could not compose without overflowing the C stack (see garrison.core.yamldepth)."""
    return not c_loader_safe(text)


@cache
def _string_loader() -> Any:
    """A safe YAML loader that keeps every scalar a string (``0.10`` stays ``"0.10"``, dates stay text)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    keep = "tag:yaml.org,2002:null"

    class StringLoader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers: ClassVar[dict[str, Any]] = {
            k: [(tag, rx) for tag, rx in v if tag == keep] for k, v in base.yaml_implicit_resolvers.items()
        }

    return StringLoader


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, field: str, message: str) -> AdvisoryError:
        return AdvisoryError(message, path=self.name, field=field)

    def text(self, obj: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                raise self.fail(f"{where}{key}", "required")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # YAML turns 1.0 into a float; OSV always means the string
        if not isinstance(value, str):
            raise self.fail(f"{where}{key}", f"expected a string, got {type(value).__name__}")
        return value

    def items(self, obj: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"{where}{key}", f"expected a list, got {type(value).__name__}")
        return value

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected an object, got {type(value).__name__}")
        return value

    def strings(self, obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        out = []
        for i, v in enumerate(self.items(obj, key, where)):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                v = str(v)
            if not isinstance(v, str):
                raise self.fail(f"{where}{key}[{i}]", f"expected a string, got {type(v).__name__}")
            out.append(v)
        return tuple(out)


def parse_advisory(doc: Any, name: str) -> Advisory:
    """Validate and convert one OSV document."""
    r = _Reader(name)
    top = r.mapping(doc, "(document)")
    adv_id = r.text(top, "id", "", required=True).strip()
    if not adv_id or len(adv_id) > 200 or any(c.isspace() for c in adv_id):
        raise r.fail("id", f"invalid advisory id {adv_id!r}")
    affected = tuple(
        _affected(r, r.mapping(a, f"affected[{i}]"), f"affected[{i}].")
        for i, a in enumerate(r.items(top, "affected", ""))
    )
    severity = _severity(r, top, "")
    for i, a_raw in enumerate(r.items(top, "affected", "")):
        severity += _severity(r, a_raw, f"affected[{i}].")  # per-package severities count too
    dbs = top.get("database_specific")
    db_severity = ""
    cwes: list[int] = []
    if isinstance(dbs, Mapping):
        sev = dbs.get("severity")
        if isinstance(sev, str):
            db_severity = sev.strip().upper()
        for c in dbs.get("cwe_ids") or ():
            m = _CWE.match(c) if isinstance(c, str) else None
            if m:
                cwes.append(int(m.group(1)))
    refs = []
    for i, ref in enumerate(r.items(top, "references", "")):
        url = r.text(r.mapping(ref, f"references[{i}]"), "url", f"references[{i}].")
        if url:
            refs.append(url)
    scored = best_score(severity)
    details = r.text(top, "details", "")
    return Advisory(
        id=adv_id,
        modified=r.text(top, "modified", ""),
        published=r.text(top, "published", ""),
        withdrawn=r.text(top, "withdrawn", ""),
        summary=" ".join(r.text(top, "summary", "").split()),
        details=details if len(details) <= MAX_DETAILS else details[:MAX_DETAILS] + "…",
        aliases=tuple(dict.fromkeys(a.strip() for a in r.strings(top, "aliases", "") if a.strip() != adv_id)),
        related=r.strings(top, "related", ""),
        affected=affected,
        severity=tuple(dict.fromkeys(severity)),
        database_severity=db_severity,
        references=tuple(dict.fromkeys(refs)),
        cwes=tuple(sorted(set(cwes))),
        score=None if scored is None else scored[0],
        score_vector="" if scored is None else scored[1],
        ecosystems=tuple(sorted({a.ecosystem for a in affected if a.ecosystem})),
    )


def _severity(r: _Reader, obj: Mapping[str, Any], where: str) -> tuple[Severity, ...]:
    out = []
    for i, s in enumerate(r.items(obj, "severity", where)):
        m = r.mapping(s, f"{where}severity[{i}]")
        out.append(Severity(type=r.text(m, "type", f"{where}severity[{i}]."), score=r.text(m, "score", "")))
    return tuple(out)


def _affected(r: _Reader, a: Mapping[str, Any], where: str) -> Affected:
    pkg = a.get("package")
    ecosystem = name = purl = ""
    if pkg is not None:
        p = r.mapping(pkg, f"{where}package")
        ecosystem = r.text(p, "ecosystem", f"{where}package.", required=True).strip()
        name = r.text(p, "name", f"{where}package.", required=True).strip()
        purl = r.text(p, "purl", f"{where}package.")
    ranges = []
    for j, raw in enumerate(r.items(a, "ranges", where)):
        rw = f"{where}ranges[{j}]"
        rng = r.mapping(raw, rw)
        rtype = r.text(rng, "type", f"{rw}.", required=True)
        events: list[Event] = []
        for k, ev in enumerate(r.items(rng, "events", f"{rw}.")):
            e = r.mapping(ev, f"{rw}.events[{k}]")
            keys = [key for key in e if key in EVENT_KINDS]
            if len(keys) != 1:
                raise r.fail(f"{rw}.events[{k}]", "expected exactly one of introduced, fixed, last_affected, limit")
            kind: EventKind = keys[0]
            events.append(Event(kind, r.text(e, kind, f"{rw}.events[{k}].", required=True).strip()))
        ranges.append(Range(type=rtype, events=tuple(events), repo=r.text(rng, "repo", f"{rw}.")))
    return Affected(
        ecosystem=ecosystem,
        name=name,
        ranges=tuple(ranges),
        versions=tuple(v.strip() for v in r.strings(a, "versions", where)),
        purl=purl,
    )


# -- the compact form stored in the SQLite index -------------------------------------------------------------


def to_record(a: Advisory) -> dict[str, Any]:
    return {
        "id": a.id,
        "modified": a.modified,
        "published": a.published,
        "summary": a.summary,
        "details": a.details,
        "aliases": list(a.aliases),
        "affected": [
            {
                "ecosystem": x.ecosystem,
                "name": x.name,
                "purl": x.purl,
                "versions": list(x.versions),
                "ranges": [
                    {"type": rg.type, "repo": rg.repo, "events": [[e.kind, e.version] for e in rg.events]}
                    for rg in x.ranges
                ],
            }
            for x in a.affected
        ],
        "severity": [[s.type, s.score] for s in a.severity],
        "database_severity": a.database_severity,
        "references": list(a.references),
        "cwes": list(a.cwes),
        "score": a.score,
        "score_vector": a.score_vector,
    }


def from_record(d: Mapping[str, Any]) -> Advisory:
    affected = tuple(
        Affected(
            ecosystem=x["ecosystem"],
            name=x["name"],
            purl=x.get("purl", ""),
            versions=tuple(x["versions"]),
            ranges=tuple(
                Range(type=rg["type"], repo=rg.get("repo", ""), events=tuple(Event(k, v) for k, v in rg["events"]))
                for rg in x["ranges"]
            ),
        )
        for x in d["affected"]
    )
    return Advisory(
        id=d["id"],
        modified=d.get("modified", ""),
        published=d.get("published", ""),
        summary=d.get("summary", ""),
        details=d.get("details", ""),
        aliases=tuple(d.get("aliases", ())),
        affected=affected,
        severity=tuple(Severity(t, s) for t, s in d.get("severity", ())),
        database_severity=d.get("database_severity", ""),
        references=tuple(d.get("references", ())),
        cwes=tuple(d.get("cwes", ())),
        score=d.get("score"),
        score_vector=d.get("score_vector", ""),
        ecosystems=tuple(sorted({a.ecosystem for a in affected if a.ecosystem})),
    )


def to_json(a: Advisory) -> str:
    return json.dumps(to_record(a), separators=(",", ":"), ensure_ascii=False)
