"""``--format html``: one self-contained page (no network): summary, severity chart, filterable findings table."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from garrison.core.finding import Finding, Suppression
from garrison.core.report import Report
from garrison.core.severity import Severity
from garrison.formats.base import WriteOptions
from garrison.formats.table import summary_line
from garrison.formats.text import where

if TYPE_CHECKING:
    from garrison.policy.gate import Decision

_SEV_COLOR = {
    "critical": "#7b1fa2",
    "high": "#c62828",
    "medium": "#ef6c00",
    "low": "#0277bd",
    "info": "#607d8b",
}

_CSS = """
:root{--fg:#1d2330;--muted:#5f6b7a;--line:#e3e7ee;--bg:#f7f8fb}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#c9d1dd}
main{padding:20px 28px;max-width:1400px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:18px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:120px}
.card b{display:block;font-size:22px}.card span{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.pass{color:#2e7d32}.fail{color:#c62828}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px;margin-bottom:18px}
h2{font-size:16px;margin:0 0 12px}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:10px}
.filters input,.filters select{padding:6px 8px;border:1px solid var(--line);border-radius:6px;font:inherit}
.filters input{flex:1;min-width:220px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;position:sticky;top:0;background:#fff}
td code{font-size:12px;word-break:break-all}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
tr.suppressed td{color:var(--muted)}tr.suppressed .sev{opacity:.55}
details summary{cursor:pointer;color:var(--muted)}details pre{white-space:pre-wrap;background:var(--bg);padding:8px;border-radius:6px}
.muted{color:var(--muted)}#count{color:var(--muted);margin-left:auto;align-self:center}
"""

_JS = """
(function(){
  var q=document.getElementById('q'),sev=document.getElementById('sev'),kind=document.getElementById('kind'),
      st=document.getElementById('status'),rows=[].slice.call(document.querySelectorAll('#findings tbody tr')),
      count=document.getElementById('count');
  var rank={info:0,low:1,medium:2,high:3,critical:4};
  function apply(){
    var text=q.value.toLowerCase(),min=sev.value?rank[sev.value]:-1,k=kind.value,s=st.value,n=0;
    rows.forEach(function(r){
      var ok=(!text||r.textContent.toLowerCase().indexOf(text)>=0)&&rank[r.dataset.severity]>=min&&
             (!k||r.dataset.kind===k)&&(!s||r.dataset.status===s);
      r.style.display=ok?'':'none'; if(ok) n++;
    });
    count.textContent=n+' of '+rows.length+' shown';
  }
  [q,sev,kind,st].forEach(function(el){el.addEventListener('input',apply);el.addEventListener('change',apply);});
  apply();
})();
"""


def _chart(counts: dict[str, int]) -> str:
    width, bar_h, gap, label_w = 520, 22, 8, 80
    top = max(counts.values()) or 1
    parts = [
        f'<svg role="img" aria-label="Findings by severity" width="{width}" '
        f'height="{len(counts) * (bar_h + gap)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (sev, n) in enumerate(counts.items()):
        y = i * (bar_h + gap)
        w = int((width - label_w - 60) * n / top)
        parts.append(
            f'<text x="0" y="{y + 16}" font-size="13" fill="#1d2330">{sev}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" rx="4" fill="{_SEV_COLOR[sev]}"/>'
            f'<text x="{label_w + max(w, 1) + 6}" y="{y + 16}" font-size="13" fill="#1d2330">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _row(f: Finding, sup: Suppression | None, decision: Decision | None) -> str:
    status = "suppressed" if sup else ("failing" if decision is not None and decision.fails(f) else "open")
    detail = [f"fingerprint: {f.fingerprint}"]
    if f.rule.description:
        detail.append(f.rule.description)
    if f.rule.remediation:
        detail.append(f"Remediation: {f.rule.remediation}")
    if f.fix.available:
        detail.append("Fix: " + (", ".join(f.fix.versions) or f.fix.instruction))
    for k in sorted(f.evidence):
        v = f.evidence[k]
        detail.append(f"{k}: {', '.join(v) if isinstance(v, tuple) else v}")
    if sup:
        detail.append(f"Suppressed ({sup.kind}) by {sup.source}: {sup.reason}")
    if f.rule.references:
        detail.append("References: " + " ".join(f.rule.references))
    sev = f.severity.label
    return (
        f'<tr class="{status}" data-severity="{sev}" data-kind="{escape(f.kind.value)}" data-status="{status}">'
        f'<td><span class="sev" style="background:{_SEV_COLOR[sev]}">{sev}</span></td>'
        f"<td>{status}</td>"
        f"<td><code>{escape(f.rule.id)}</code><br><span class=muted>{escape(f.rule.title)}</span></td>"
        f"<td><code>{escape(where(f))}</code></td>"
        f"<td>{escape(f.message)}<details><summary>details</summary><pre>{escape(chr(10).join(detail))}</pre>"
        "</details></td></tr>"
    )


class HtmlWriter:
    name = "html"
    extension = "html"

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes:
        s = report.summary
        items: list[tuple[Finding, Suppression | None]] = [(f, None) for f in report.findings]
        items += [(x.finding, x.suppression) for x in report.suppressed]
        kinds = sorted({f.kind.value for f, _ in items})
        if decision is None:
            gate = '<b class="muted">—</b><span>gate not evaluated</span>'
        elif decision.passed:
            gate = '<b class="pass">passed</b><span>gate</span>'
        else:
            gate = f'<b class="fail">failed</b><span>gate · {len(decision.failing)} failing</span>'
        cards = [f'<div class="card">{gate}</div>', f'<div class="card"><b>{s.total}</b><span>findings</span></div>']
        for sev in sorted(Severity, reverse=True):
            n = s.by_severity[sev.label]
            cards.append(
                f'<div class="card"><b style="color:{_SEV_COLOR[sev.label]}">{n}</b><span>{sev.label}</span></div>'
            )
        cards.append(f'<div class="card"><b>{s.suppressed}</b><span>suppressed</span></div>')
        problems = [
            f"<li><b>{escape(a.id)}</b> {e.kind}: <code>{escape(e.path or '-')}</code> {escape(e.message)}</li>"
            for a in report.analyzers
            for e in a.errors
        ]
        warnings = [f"<li>{escape(w)}</li>" for w in report.warnings]
        problems_html = f"<section><h2>Analyzer problems</h2><ul>{''.join(problems)}</ul></section>" if problems else ""
        warnings_html = f"<section><h2>Warnings</h2><ul>{''.join(warnings)}</ul></section>" if warnings else ""
        sev_opts = "".join(f'<option value="{x.label}">≥ {x.label}</option>' for x in sorted(Severity, reverse=True))
        kind_opts = "".join(f'<option value="{escape(k)}">{escape(k)}</option>' for k in kinds)
        analyzers = ", ".join(f"{escape(a.id)} {escape(a.version)}" for a in report.analyzers) or "none"
        body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Garrison report — {escape(report.target.path)}</title><style>{_CSS}</style></head>
<body><header><h1>Garrison report</h1><p>{escape(report.target.kind)} <code>{escape(report.target.path)}</code> · Garrison {escape(report.tool_version)} · analyzers: {analyzers}</p></header>
<main>
<div class="cards">{"".join(cards)}</div>
<section><h2>Findings by severity</h2>{_chart(s.by_severity)}<p class="muted">{escape(summary_line(report, decision))}</p></section>
{problems_html}
{warnings_html}
<section><h2>Findings</h2>
<div class="filters"><input id="q" type="search" placeholder="Filter by rule, path, message…" aria-label="filter">
<select id="sev" aria-label="minimum severity"><option value="">any severity</option>{sev_opts}</select>
<select id="kind" aria-label="kind"><option value="">any kind</option>{kind_opts}</select>
<select id="status" aria-label="status"><option value="">any status</option><option value="failing">failing</option><option value="open">open</option><option value="suppressed">suppressed</option></select>
<span id="count"></span></div>
<table id="findings"><thead><tr><th>Severity</th><th>Status</th><th>Rule</th><th>Location</th><th>Message</th></tr></thead>
<tbody>{"".join(_row(f, sup, decision) for f, sup in items)}</tbody></table>
</section></main><script>{_JS}</script></body></html>
"""
        return body.encode()
