"""Contrast of every colour pair the stylesheet sets (issue 15, point 9; WCAG 2.1 AA, 1.4.3 and 1.4.11).

The stylesheet is read as it is shipped: custom properties resolved, every rule's text colour paired with the
background it is drawn on — its own, the badge it belongs to, the top bar, or the page and card backgrounds — and
every purely graphical mark (status dots, swatches, a row's status border, the unread count on the bar) paired with
what surrounds it. Text needs 4.5:1, graphical marks 3:1.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

CSS = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text(encoding="utf-8")
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
TEXT, GRAPHIC = 4.5, 3.0
ON_BAR = (".topbar", ".menu-toggle", ".mainnav", ".userbox", ".brand", ".lang")  # drawn on the red top bar
WHITE = "#ffffff"


def properties() -> dict[str, str]:
    return {name: value for name, value in re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})", CSS)}


def colour(value: str | None) -> str | None:
    """The colour a declaration names (#hex or var(--name)); None for none/transparent/inherit or a pattern."""
    if value is None:
        return None
    value = value.strip().removesuffix("!important").strip()
    match = re.fullmatch(r"var\(--([\w-]+)\)", value)
    if match:
        return properties()[match.group(1)]
    return value if re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value) else None


def luminance(hex_colour: str) -> float:
    digits = hex_colour.lstrip("#")
    digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(first: str, second: str) -> float:
    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def without_print(css: str) -> str:
    """The stylesheet without its ``@media print`` blocks (paper is black on white)."""
    while (start := css.find("@media print")) >= 0:
        depth, position = 0, css.index("{", start)
        while True:
            depth += {"{": 1, "}": -1}.get(css[position], 0)
            if depth == 0:
                break
            position += 1
        css = css[:start] + css[position + 1 :]
    return css


def rules() -> list[tuple[str, dict[str, str]]]:
    found = []
    screen_css = without_print(re.sub(r"/\*.*?\*/", "", CSS, flags=re.S))
    for selector, body in RULE.findall(screen_css):
        declarations = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value:
                declarations[name.strip()] = value.strip()
        for one in selector.split(","):
            found.append((one.strip(), declarations))
    return found


def background(declarations: dict[str, str]) -> str | None:
    return colour(declarations.get("background-color") or declarations.get("background"))


def test_every_text_colour_is_readable_on_what_it_is_drawn_on():
    props = properties()
    page_backgrounds = [WHITE, props["bg"]]
    badge_text = next(colour(d["color"]) for s, d in rules() if s == ".badge")
    failures = []
    for selector, declarations in rules():
        text, own = colour(declarations.get("color")), background(declarations)
        if selector.startswith("@") or (text is None and own is None) or selector == ".badge":
            continue  # .badge's white text is checked on each badge colour below
        if text is None:
            if ".badge-" in selector and not selector.startswith(ON_BAR):
                text = badge_text  # a badge's colour class sets its background; .badge sets its white text
            elif re.match(r"\.(dot|swatch)-", selector) or own == WHITE:
                continue  # graphical marks: the next test
            else:
                text = props["ink"]  # a coloured box holds body text
        grounds = [own] if own else ([props["brand"]] if selector.startswith(ON_BAR) else page_backgrounds)
        for ground in grounds:
            if ratio(text, ground) < TEXT:
                failures.append(f"{selector}: {text} on {ground} = {ratio(text, ground):.2f}:1")
    assert not failures, "\n".join(failures)


def test_every_status_mark_stands_out_from_its_surroundings():
    failures = []
    for selector, declarations in rules():
        marks = []
        if re.match(r"\.(dot|swatch)-", selector) and background(declarations):
            marks.append(background(declarations))
        border = declarations.get("border-left", "")
        if "solid" in border:
            marks.append(colour(border.split("solid", 1)[1]))
        for mark in filter(None, marks):
            if ratio(mark, WHITE) < GRAPHIC:
                failures.append(f"{selector}: {mark} on white = {ratio(mark, WHITE):.2f}:1")
    assert not failures, "\n".join(failures)


def test_the_unread_count_stands_out_on_the_red_bar():
    """It was a red badge on the red bar (1.15:1): now a white badge with the bar's red text."""
    props = properties()
    unread = next(d for s, d in rules() if s == ".topbar .badge-unread")
    assert ratio(background(unread), props["brand"]) >= GRAPHIC
    assert ratio(colour(unread["color"]), background(unread)) >= TEXT
    old = ratio(props["red"], props["brand"])
    assert old < 1.2  # what the old badge was: the test would have failed on it


def test_the_checker_computes_known_ratios():
    assert round(ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(ratio("#777777", "#ffffff"), 2) == 4.48
