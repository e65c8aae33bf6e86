"""Server-rendered SVG charts for the dashboard: no script, no CDN, readable without colour.

Every series has its own fill pattern as well as its colour, and every bar carries its number as
text, so the charts read the same in grey, on a bad screen or with a screen reader.
"""
from __future__ import annotations

from html import escape
from typing import Mapping

# (colour, pattern id) per series; patterns are defined once in DEFS.
STYLES = {
    "scam": ("#b91c1c", "p-cross"), "suspicious": ("#c2410c", "p-diag"), "unknown": ("#6b7280", "p-dots"),
    "legitimate": ("#15803d", "p-solid"), "error": ("#111827", "p-hline"),
    "sms": ("#1d4ed8", "p-solid"), "whatsapp": ("#15803d", "p-diag"), "telegram": ("#0e7490", "p-dots"),
    "email": ("#7c3aed", "p-cross"), "web": ("#6b7280", "p-hline"), "api": ("#a16207", "p-vline"),
}
_DEFAULT = ("#374151", "p-solid")
# Pattern shapes; each series gets its own copy filled with its colour (SVG patterns take
# `currentColor` from where they are defined, not from the bar that uses them).
_SHAPES = {
    "p-diag": '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
              '<rect width="6" height="6" fill="white"/><rect width="3" height="6" fill="{c}"/></pattern>',
    "p-cross": '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" '
               'fill="{c}"/><path d="M0 0L6 6M6 0L0 6" stroke="white" stroke-width="1.2"/></pattern>',
    "p-dots": '<pattern id="{id}" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" '
              'fill="white"/><circle cx="2.5" cy="2.5" r="1.6" fill="{c}"/></pattern>',
    "p-hline": '<pattern id="{id}" width="6" height="4" patternUnits="userSpaceOnUse"><rect width="6" height="4" '
               'fill="white"/><rect width="6" height="2" fill="{c}"/></pattern>',
    "p-vline": '<pattern id="{id}" width="4" height="6" patternUnits="userSpaceOnUse"><rect width="4" height="6" '
               'fill="white"/><rect width="2" height="6" fill="{c}"/></pattern>',
    "p-solid": '<pattern id="{id}" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" '
               'fill="{c}"/></pattern>',
}
DEFS = "<defs>" + "".join(_SHAPES[pattern].format(id=f"vp-{name}", c=colour)
                          for name, (colour, pattern) in {**STYLES, "default": _DEFAULT}.items()) + "</defs>"


def _fill(name: str) -> tuple[str, str]:
    colour, _pattern = STYLES.get(name, _DEFAULT)
    return colour, f"url(#vp-{name if name in STYLES else 'default'})"


def _legend(names: list[str], y: int, labels: Mapping[str, str]) -> str:
    parts = []
    for i, name in enumerate(names):
        colour, fill = _fill(name)
        x = 10 + i * 120
        parts.append(f'<g color="{colour}"><rect x="{x}" y="{y}" width="14" height="14" fill="{fill}" '
                     f'stroke="{colour}"/></g><text x="{x + 20}" y="{y + 12}" font-size="12">{escape(labels.get(name, name))}</text>')
    return "".join(parts)


def stacked_days(title: str, days: tuple[str, ...], series: dict[str, tuple[int, ...]], chart_id: str,
                 names: Mapping[str, str] | None = None) -> str:
    """One bar a day, stacked by series (`names`: their words for people), with each day's total above it."""
    names = names or {}
    width, height, top, left = 760, 260, 30, 34
    plot_h = height - top - 60
    totals = [sum(s[i] for s in series.values()) for i in range(len(days))]
    peak = max(totals + [1])
    step = (width - left - 10) / max(len(days), 1)
    bars = []
    for i, day in enumerate(days):
        x = left + i * step
        y = top + plot_h
        for name, counts in series.items():
            n = counts[i]
            if not n:
                continue
            h = n / peak * plot_h
            y -= h
            colour, fill = _fill(name)
            bars.append(f'<g color="{colour}"><rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" '
                        f'height="{h:.1f}" fill="{fill}" stroke="{colour}" data-series="{escape(name)}" '
                        f'data-day="{day}" data-count="{n}"><title>{day[8:10]}/{day[5:7]} · {escape(names.get(name, name))} : {n}</title></rect></g>')
        if totals[i]:
            bars.append(f'<text x="{x + step * 0.4:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle" '
                        f'class="total" data-day="{day}">{totals[i]}</text>')
    labels = "".join(f'<text x="{left + i * step + step * 0.4:.1f}" y="{top + plot_h + 14}" font-size="9" '
                     f'text-anchor="middle">{day[8:10]}/{day[5:7]}</text>'
                     for i, day in enumerate(days) if i % max(1, len(days) // 10) == 0)
    axis = (f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#111"/>'
            f'<text x="4" y="{top + 8}" font-size="10">{peak}</text>')
    return _svg(chart_id, title, width, height,
                axis + "".join(bars) + labels + _legend(list(series), height - 22, names))


def hbars(title: str, items: tuple[tuple[str, int], ...], chart_id: str, series: str = "scam") -> str:
    """Horizontal bars with their label and number, largest first."""
    width, row = 760, 24
    height = 40 + row * max(len(items), 1)
    peak = max([n for _, n in items] + [1])
    colour, fill = _fill(series)
    rows = []
    for i, (label, n) in enumerate(items):
        y = 30 + i * row
        w = max(n / peak * 380, 2)
        rows.append(f'<text x="10" y="{y + 14}" font-size="12" translate="no">{escape(label[:48])}</text>'
                    f'<g color="{colour}"><rect x="330" y="{y}" width="{w:.1f}" height="18" fill="{fill}" '
                    f'stroke="{colour}" data-label="{escape(label)}" data-count="{n}"/></g>'
                    f'<text x="{336 + w:.1f}" y="{y + 14}" font-size="12" class="count">{n}</text>')
    if not items:
        rows.append('<text x="10" y="44" font-size="12">—</text>')
    return _svg(chart_id, title, width, height, "".join(rows))


def share_trend(title: str, points: tuple[tuple[str, float | None, int], ...], chart_id: str) -> str:
    """Weekly share of machine verdicts overturned by staff, as labelled bars (— where no decision)."""
    width, height, top = 760, 200, 30
    plot_h = height - top - 40
    step = (width - 40) / max(len(points), 1)
    colour, fill = _fill("suspicious")
    parts = []
    for i, (week, share, n) in enumerate(points):
        x = 30 + i * step
        if share is None:
            parts.append(f'<text x="{x + step * 0.4:.1f}" y="{top + plot_h - 4}" font-size="11" '
                         f'text-anchor="middle">—</text>')
        else:
            h = max(share * plot_h, 1)
            parts.append(f'<g color="{colour}"><rect x="{x:.1f}" y="{top + plot_h - h:.1f}" '
                         f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="{fill}" stroke="{colour}" '
                         f'data-week="{week}" data-share="{share}"/></g>'
                         f'<text x="{x + step * 0.35:.1f}" y="{top + plot_h - h - 4:.1f}" font-size="11" '
                         f'text-anchor="middle">{share:.0%} ({n})</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{top + plot_h + 14}" font-size="9" '
                     f'text-anchor="middle">{week[8:10]}/{week[5:7]}</text>')
    parts.append(f'<line x1="30" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#111"/>')
    return _svg(chart_id, title, width, height, "".join(parts))


def _svg(chart_id: str, title: str, width: int, height: int, body: str) -> str:
    t = escape(title)
    return (f'<svg id="{escape(chart_id)}" role="img" aria-labelledby="{escape(chart_id)}-t" '
            f'viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{escape(chart_id)}-t">{t}</title>{DEFS}'
            f'<text x="10" y="18" font-size="14" font-weight="bold">{t}</text>{body}</svg>')
