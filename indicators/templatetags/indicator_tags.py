"""Template filters of the indicator pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def num(value) -> str:
    """Write a number the Vietnamese way, without useless zeros: 87.5000 → "87,5", 1500000 → "1.500.000"."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    text = format(number.normalize(), "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


@register.filter
def signed(value) -> str:
    """A change with its sign: +1,5 / -2 / 0."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + num(value)
