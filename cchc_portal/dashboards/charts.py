"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, and they print.

Every segment carries its number as text and a fill pattern besides its colour (solid, hatched, dotted,
blank, cross-hatched), so a chart printed in black and white still reads. Labels are escaped
(``format_html``); titles longer than a bar's room are shortened, the full text kept in ``<title>``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from cchc_portal.dashboards.formatting import number, percent

# Colours of the stylesheet (--green, --orange, --blue, --grey, --red), darkened enough for white text.
FILLS = {"green": "#1e7b34", "orange": "#b85c00", "blue": "#0b5cad", "grey": "#9aa3ad", "red": "#b3261e"}
# The pattern each colour wears, so black-and-white prints tell them apart.
PATTERNS = {
    "green": "",  # solid
    "orange": '<path d="M0,8 L8,0" stroke="#fff" stroke-width="2"/>',  # hatched
    "blue": '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',  # dotted
    "grey": '<rect width="8" height="8" fill="#fff"/><path d="M0,8 L8,0" stroke="#6b7280" stroke-width="1"/>',  # light
    "red": '<path d="M0,0 L8,8 M0,8 L8,0" stroke="#fff" stroke-width="1.6"/>',  # cross-hatched
}
_counter = itertools.count(1)


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    colour: str


def _join(parts: list[SafeString]) -> SafeString:
    """Join pieces that ``format_html`` already escaped."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _defs(prefix: str) -> SafeString:
    parts = []
    for colour, fill in FILLS.items():
        parts.append(
            f'<pattern id="{prefix}-{colour}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{fill}"/>{PATTERNS[colour]}</pattern>'
        )
    return mark_safe(f"<defs>{''.join(parts)}</defs>")  # the module's constants only, no outside text


def _n(value: float) -> str:
    """Return a coordinate with two decimals (SVG wants a dot, whatever the language)."""
    return f"{value:.2f}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def donut(segments: list[Segment], *, title: str, centre: str, centre_caption: str) -> SafeString:
    """Return a donut of ``segments`` with a legend that repeats every label, number and share."""
    prefix = f"c{next(_counter)}"
    cx = cy = 90
    height = max(185, 30 + 26 * len(segments))
    return format_html(
        '<svg class="chart donut" viewBox="0 0 560 {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}{}"
        '<text x="{}" y="{}" text-anchor="middle" class="big">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="small">{}</text>{}</svg>',
        height,
        title,
        title,
        _defs(prefix),
        _join(_donut_arcs(segments, prefix, cx, cy)),
        cx,
        cy + 6,
        centre,
        cx,
        cy + 24,
        centre_caption,
        _donut_legend(segments, prefix),
    )


def _donut_arcs(segments: list[Segment], prefix: str, cx: int, cy: int) -> list[SafeString]:
    """One arc per non-empty segment, clockwise from the top; a full ring for one; a grey ring for none."""
    radius, width = 70, 30
    total = sum(s.value for s in segments)
    shown = [s for s in segments if s.value]
    if not shown:
        return [
            format_html(
                '<circle cx="{}" cy="{}" r="{}" fill="none" stroke="#d6dde6" stroke-width="{}"/>', cx, cy, radius, width
            )
        ]
    if len(shown) == 1:  # a full ring: an SVG arc cannot start and end on the same point
        segment = shown[0]
        return [
            format_html(
                '<circle cx="{}" cy="{}" r="{}" fill="none" stroke="url(#{}-{})" stroke-width="{}"><title>{}: {}</title></circle>',
                cx,
                cy,
                radius,
                prefix,
                segment.colour,
                width,
                segment.label,
                number(segment.value),
            )
        ]
    arcs = []
    angle = -math.pi / 2
    for segment in shown:
        sweep = 2 * math.pi * segment.value / total
        x1, y1 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        angle += sweep
        x2, y2 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        arcs.append(
            format_html(
                '<path d="M{},{} A{},{} 0 {} 1 {},{}" fill="none" stroke="url(#{}-{})" stroke-width="{}">'
                "<title>{}: {}</title></path>",
                _n(x1),
                _n(y1),
                radius,
                radius,
                1 if sweep > math.pi else 0,
                _n(x2),
                _n(y2),
                prefix,
                segment.colour,
                width,
                segment.label,
                number(segment.value),
            )
        )
    return arcs


def _donut_legend(segments: list[Segment], prefix: str) -> SafeString:
    """Every segment's label, number and share, beside the ring."""
    total = sum(s.value for s in segments)
    return format_html_join(
        "",
        '<g transform="translate(200,{})"><rect width="16" height="16" fill="url(#{}-{})" stroke="#1d2733" stroke-width=".5"/>'
        '<text x="24" y="13">{}: {} ({})</text></g>',
        (
            (
                20 + 26 * index,
                prefix,
                s.colour,
                s.label,
                number(s.value),
                percent(100 * s.value / total if total else None),
            )
            for index, s in enumerate(segments)
        ),
    )


@dataclass(frozen=True)
class Bar:
    label: str
    segments: list[Segment]
    note: str = ""  # printed after the bar ("65%")


def stacked_bars(bars: list[Bar], *, title: str, legend: list[Segment]) -> SafeString:
    """Return horizontal stacked bars, one per row, each segment with its number written inside.

    A province has a hundred agencies or more, each bar five segments: the SVG is built from f-strings with
    every outside text escaped once (``escape``), not with a ``format_html`` per element, which took a third
    of the dashboard's time (bench/dashboard.py). Numbers and coordinates are this module's own.
    """
    prefix = f"c{next(_counter)}"
    width = BAR_LABEL_W + BAR_W + BAR_NOTE_W
    escape_once = _EscapeOnce()
    rows = [_bar_row(bar, 10 + index * BAR_ROW_H, prefix, escape_once) for index, bar in enumerate(bars)]
    rows_svg = mark_safe("".join(rows))  # noqa: S308 - every outside text in them went through escape()
    legend_svg, legend_bottom = _bars_legend(legend, prefix, 20 + len(bars) * BAR_ROW_H, width)
    return format_html(
        '<svg class="chart bars" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}{}</svg>',
        width,
        legend_bottom + 26,
        title,
        title,
        _defs(prefix),
        rows_svg,
        legend_svg,
    )


BAR_LABEL_W, BAR_W, BAR_NOTE_W, BAR_ROW_H = 250, 380, 70, 28


class _EscapeOnce:
    """``escape`` with a memory: the same agency names and labels recur on every bar."""

    def __init__(self):
        self.escaped: dict[str, str] = {}

    def __call__(self, text: object) -> str:
        key = str(text)
        found = self.escaped.get(key)
        if found is None:
            found = self.escaped[key] = str(escape(key))
        return found


def _bar_row(bar: Bar, y: int, prefix: str, esc: _EscapeOnce) -> str:
    """One bar: its label, its segments each with its number on a white label when there is room, its note."""
    label_w, bar_w = BAR_LABEL_W, BAR_W
    total = sum(s.value for s in bar.segments)
    parts = [
        f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end"><title>{esc(bar.label)}</title>'
        f"{esc(_shorten(bar.label, 38))}</text>"
    ]
    x = float(label_w)
    for segment in bar.segments:
        if not segment.value:
            continue
        w = bar_w * segment.value / total
        value = esc(number(segment.value))
        parts.append(
            f'<rect x="{_n(x)}" y="{y}" width="{_n(w)}" height="20" fill="url(#{prefix}-{esc(segment.colour)})" '
            f'stroke="#1d2733" stroke-width=".5"><title>{esc(segment.label)}: {value}</title></rect>'
        )
        if w >= 22:  # room for the number, on a white label so it reads on any fill
            parts.append(
                f'<rect x="{_n(x + w / 2 - 10)}" y="{y + 3}" width="20" height="14" rx="2" fill="#fff" opacity=".9"/>'
                f'<text x="{_n(x + w / 2)}" y="{y + 14}" text-anchor="middle" class="small">{value}</text>'
            )
        x += w
    if not total:
        parts.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="20" fill="none" stroke="#d6dde6"/>')
    parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 15}">{esc(bar.note)}</text>')
    return "".join(parts)


def _bars_legend(legend: list[Segment], prefix: str, legend_y: int, width: int) -> tuple[SafeString, int]:
    """The legend under the bars, wrapped to the chart's width; returns it and the y of its last line."""
    items = []
    x = 10
    for segment in legend:
        room = 32 + 6 * len(segment.label)  # about 6 px a character at the legend's size
        if x + room > width:  # next line
            x, legend_y = 10, legend_y + 20
        items.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="url(#{}-{})" stroke="#1d2733" stroke-width=".5"/>'
                '<text x="{}" y="{}" class="small">{}</text>',
                x,
                legend_y,
                prefix,
                segment.colour,
                x + 19,
                legend_y + 12,
                segment.label,
            )
        )
        x += room
    return _join(items), legend_y
