"""Server-side SVG bar charts (no JavaScript, CSP-safe), hand-written: a bar chart needs rectangles and text,
not a charting library. One dark colour on white with the value written at each bar, so that the chart reads the same
in black and white and for every kind of colour vision; the data table beside it carries the same figures (WCAG 1.1.1),
so the SVG itself is hidden from screen readers' reading order via aria-hidden on the caller's side if wanted."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .tables import Table

BAR = "#1f3a5f"  # 11:1 against white
TEXT = "#212529"
ROW_HEIGHT = 22
LABEL_WIDTH = 260
BAR_WIDTH = 300


def bar_chart(table: Table, *, title_id: str) -> SafeString:
    rows = table.rows
    height = ROW_HEIGHT * len(rows) + 8
    width = LABEL_WIDTH + BAR_WIDTH + 60
    top = max((r.value or 0) for r in rows) if rows else 0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{title_id}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{title_id}">{escape(table.title)}</title>',
    ]
    for i, row in enumerate(rows):
        y = 4 + i * ROW_HEIGHT
        value = row.value
        label = row.label if len(row.label) <= 36 else row.label[:35] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="{TEXT}">{escape(label)}</text>')
        length = 0 if not value or not top else max(1, round(BAR_WIDTH * float(value) / float(top)))
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW_HEIGHT - 6}" fill="{BAR}"/>')
        shown = "–" if value is None else str(value)
        parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}" font-size="12" fill="{TEXT}">{escape(shown)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
