"""Small server-side SVG charts for the console's Numbers page: no JavaScript, no chart library.

A `Chart` is the data (labels, one or more series); `svg(chart)` draws it as columns (a time
line: one column per day, series stacked) or as horizontal bars (categories, series side by side),
and `table(chart)` gives the same figures as rows for the data-table fallback under each chart.
The SVG is accessible: `role="img"`, a `<title>` and a `<desc>` (referenced by `aria-labelledby`),
and each bar carries its own `<title>` with its exact value. It scales to its container (viewBox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Literal

Kind = Literal["columns", "bars"]
PALETTE = ("#1f5f99", "#c25400", "#2e7d32", "#7b3fa0", "#8a6d00", "#a1334a")
"""Bar colours (each ≥ 4.5:1 against white, so thin bars stay visible); series beyond wrap round."""
PLOT_W = 400
"""Width of the columns' plot area in viewBox units. On screen a chart is at most 1.5 times its
viewBox wide (text up to 18 px) and scales down to its container (scrolling below 21rem)."""
LABEL_CHARS = 22


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    """None: no figure (drawn as nothing, `—` in the table), e.g. the occupancy of a room never open."""


@dataclass(frozen=True)
class Chart:
    id: str
    """Unique on the page: the ids of the SVG's title and description derive from it."""
    title: str
    desc: str
    """One sentence saying what the chart shows (read by screen readers)."""
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    kind: Kind = "bars"
    percent: bool = False
    """Values are rates in 0..1, shown as percentages (the axis then runs to 100 %)."""
    empty_text: str = ""
    """Shown instead of an empty drawing when there is nothing to draw."""
    columns: tuple[str, ...] = field(default=())
    """Column headers of the table: the label's header, then one per series (default: series names)."""

    @property
    def is_empty(self) -> bool:
        """Nothing to draw at all (no label); zeros are drawn (a room with no booking is a figure)."""
        return not self.labels


def fmt(value: float | None, percent: bool = False) -> str:
    """A figure as the chart and its table show it: `12`, `3.5`, `67 %`, `—` for none."""
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.0f} %"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def table(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of the data-table fallback: exactly the figures the chart draws."""
    headers = list(chart.columns) or ["", *[s.name for s in chart.series]]
    rows = [[label, *[fmt(s.values[i], chart.percent) for s in chart.series]] for i, label in enumerate(chart.labels)]
    return headers, rows


def _nice_max(value: float) -> float:
    """The axis end: 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1.0
    step = 1.0
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def _head(chart: Chart, width: int, height: int) -> list[str]:
    cid = escape(chart.id, quote=True)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart.kind}" role="img" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" style="max-width: {width * 3 // 2}px" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.desc)}</desc>',
    ]


def _legend(chart: Chart, y: float) -> list[str]:
    if len(chart.series) < 2:
        return []
    out, x = [], 0.0
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16:.0f}" y="{y:.0f}" class="chart-legend">{escape(s.name)}</text>')
        x += 24 + 8 * len(s.name)
    return out


def _columns(chart: Chart) -> str:
    """One column per label (a day), series stacked; axis with its maximum; sparse x labels."""
    n = max(len(chart.labels), 1)
    left, top, plot_h, bottom = 40, 28 if len(chart.series) > 1 else 8, 150, 30
    slot = PLOT_W / n
    bar = min(slot * 0.7, 36)
    width = int(left + slot * n + 8)
    height = top + plot_h + bottom
    totals = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.labels))]
    top_value = 1.0 if chart.percent else _nice_max(max(totals, default=0))
    out = _head(chart, width, height) + _legend(chart, 14)
    base = top + plot_h
    out.append(f'<line x1="{left}" y1="{base}" x2="{width - 4}" y2="{base}" class="chart-axis" stroke="#555"/>')
    out.append(f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" class="chart-tick">'
               f'{escape(fmt(top_value, chart.percent))}</text>')
    out.append(f'<text x="{left - 4}" y="{base}" text-anchor="end" class="chart-tick">0</text>')
    every = max(1, -(-n // 6))  # at most about six dates under the columns
    for i, label in enumerate(chart.labels):
        x = left + i * slot + (slot - bar) / 2
        y = float(base)
        for k, s in enumerate(chart.series):
            value = s.values[i]
            h = plot_h * (value or 0) / top_value
            if h > 0:
                y -= h
                tip = f"{label}: {s.name} {fmt(value, chart.percent)}" if len(chart.series) > 1 else \
                    f"{label}: {fmt(value, chart.percent)}"
                out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                           f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(tip)}</title></rect>')
        if i % every == 0 or i == n - 1:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                       f'class="chart-tick">{escape(_short_label(label))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _short_label(label: str) -> str:
    """`2026-11-25` → `11-25` under a column (the table keeps the whole date)."""
    return label[5:] if len(label) == 10 and label[4] == "-" and label[7] == "-" else label[:12]


def _bars(chart: Chart) -> str:
    """One row per label, series side by side, each bar's value written at its end."""
    label_w, bar_w, value_w = 150, 220, 60
    per = 18
    gap = 10
    top = 24 if len(chart.series) > 1 else 4
    row_h = per * max(len(chart.series), 1) + gap
    width = label_w + bar_w + value_w
    height = top + row_h * max(len(chart.labels), 1)
    top_value = 1.0 if chart.percent else _nice_max(max((v or 0 for s in chart.series for v in s.values), default=0))
    out = _head(chart, width, height) + _legend(chart, 14)
    for i, label in enumerate(chart.labels):
        y0 = top + i * row_h
        shown = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y0 + per - 5}" text-anchor="end" class="chart-label">'
                   f'<title>{escape(label)}</title>{escape(shown)}</text>')
        for k, s in enumerate(chart.series):
            value = s.values[i]
            w = bar_w * min(value or 0, top_value) / top_value
            y = y0 + k * per
            name = f"{s.name} " if len(chart.series) > 1 else ""
            tip = escape(f"{label}: {name}{fmt(value, chart.percent)}")
            out.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 0):.1f}" height="{per - 4}" '
                       f'fill="{PALETTE[k % len(PALETTE)]}"><title>{tip}</title></rect>')
            out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + per - 6}" class="chart-value">'
                       f'{escape(fmt(value, chart.percent))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def svg(chart: Chart) -> str:
    """The chart as an inline SVG element (a string of markup, every text escaped)."""
    for s in chart.series:
        if len(s.values) != len(chart.labels):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(chart.labels)} labels")
    return _columns(chart) if chart.kind == "columns" else _bars(chart)
