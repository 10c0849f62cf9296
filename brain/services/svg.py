"""Small static SVG charts for print (WeasyPrint runs no JavaScript): a horizontal bar chart and
a progress bar chart. Plain strings, every label escaped; sizes in SVG user units (pt)."""

from __future__ import annotations

from xml.sax.saxutils import escape

FONT = "'Noto Sans SC', sans-serif"
BLUE = "#1f5fa8"
GREY = "#e6eaf0"
STATUS_COLOURS = {
    "reached": "#067647",
    "on_track": "#1f5fa8",
    "warning": "#b54708",
    "serious": "#b42318",
    "unjudged": "#667085",
    "trend": "#667085",
}


def _text(x, y, text, *, size=8, anchor="start", fill="#111", weight=400) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'font-weight="{weight}" text-anchor="{anchor}" fill="{fill}">{escape(str(text))}</text>'
    )


def _clip(label: str, limit: int) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    items: list[tuple[str, float, str]],
    *,
    width: float = 480,
    label_width: float = 165,
    row: float = 16,
    maximum: float | None = None,
) -> str:
    """Horizontal bars: (label, value, value text) per row, in the given order."""
    if not items:
        return ""
    top = max((v for _l, v, _t in items), default=0)
    maximum = maximum or (top if top > 0 else 1)
    plot = width - label_width - 50
    height = row * len(items) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
    ]
    for n, (label, value, text) in enumerate(items):
        y = 3 + n * row
        length = max(float(value), 0) / maximum * plot
        parts.append(_text(label_width - 6, y + row * 0.68, _clip(label, 17), anchor="end"))
        parts.append(
            f'<rect x="{label_width}" y="{y + 3:.1f}" width="{plot:.1f}" '
            f'height="{row - 6:.1f}" fill="{GREY}"/>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3:.1f}" width="{length:.1f}" '
            f'height="{row - 6:.1f}" fill="{BLUE}"/>'
        )
        parts.append(_text(label_width + plot + 4, y + row * 0.68, text))
    parts.append("</svg>")
    return "".join(parts)


def progress_chart(
    items: list[tuple[str, float | None, float | None, str, str]],
    *,
    width: float = 480,
    label_width: float = 170,
    row: float = 16,
) -> str:
    """Progress bars on a 0–100 scale: (label, percent of the way, elapsed share, status,
    status text) per row. The bar is coloured by status; a dark tick marks the time elapsed."""
    if not items:
        return ""
    plot = width - label_width - 70
    height = row * len(items) + 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
    ]
    for tick in (0, 50, 100):
        x = label_width + plot * tick / 100
        parts.append(_text(x, 8, f"{tick}%", size=6.5, anchor="middle", fill="#555"))
    for n, (label, percent, elapsed, status, text) in enumerate(items):
        y = 12 + n * row
        parts.append(_text(label_width - 6, y + row * 0.68, _clip(label, 16), anchor="end"))
        parts.append(
            f'<rect x="{label_width}" y="{y + 3:.1f}" width="{plot:.1f}" '
            f'height="{row - 6:.1f}" fill="{GREY}"/>'
        )
        if percent is not None:
            length = min(max(float(percent), 0), 100) / 100 * plot
            colour = STATUS_COLOURS.get(status, BLUE)
            parts.append(
                f'<rect x="{label_width}" y="{y + 3:.1f}" width="{length:.1f}" '
                f'height="{row - 6:.1f}" fill="{colour}"/>'
            )
        if elapsed is not None:
            x = label_width + min(max(float(elapsed), 0), 100) / 100 * plot
            parts.append(
                f'<rect x="{x - 0.75:.1f}" y="{y + 1:.1f}" width="1.5" '
                f'height="{row - 2:.1f}" fill="#111"/>'
            )
        parts.append(_text(label_width + plot + 4, y + row * 0.68, text, size=7.5))
    parts.append("</svg>")
    return "".join(parts)
