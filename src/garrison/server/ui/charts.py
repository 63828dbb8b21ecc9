"""Inline SVG charts (no JavaScript, no external assets)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def line_chart(points: Sequence[tuple[str, int]], *, width: int = 720, height: int = 220, title: str = "") -> str:
    """A step-free line chart of ``(label, value)`` points, with a y axis from 0 to the maximum."""
    pad_l, pad_r, pad_t, pad_b = 48, 16, 24, 36
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    top = max([v for _, v in points] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" class="chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{pad_l + w}" y2="{pad_t + h}" stroke="#888"/>',
        f'<line x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{pad_t + h}" stroke="#888"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        y = pad_t + h - frac * h
        parts.append(f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{top * frac:g}</text>')
    if not points:
        parts.append(f'<text x="{pad_l + 10}" y="{pad_t + h / 2}" font-size="13">no scans yet</text></svg>')
        return "".join(parts)
    n = len(points)
    coords = []
    for i, (_label, value) in enumerate(points):
        x = pad_l + (w * i / (n - 1) if n > 1 else w / 2)
        y = pad_t + h - (value / top) * h
        coords.append((x, y))
    parts.append(
        '<polyline fill="none" stroke="#c0392b" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        + '"/>'
    )
    for (x, y), (label, value) in zip(coords, points):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#c0392b"><title>{escape(label)}: {value}</title></circle>'
        )
    for i in sorted({0, n - 1}):
        x, _ = coords[i]
        anchor = "start" if i == 0 else "end"
        label = escape(points[i][0])
        parts.append(f'<text x="{x:.1f}" y="{pad_t + h + 16}" text-anchor="{anchor}" font-size="11">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)
