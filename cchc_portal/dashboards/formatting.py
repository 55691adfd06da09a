"""Numbers as people read them: "1.234", "12,5%" in Vietnamese (the active language's format)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import formats, translation

_SEPARATORS: dict[str | None, tuple[str, str]] = {}


def _separators() -> tuple[str, str]:
    """Return the active language's (thousand, decimal) separators: "." and "," in Vietnamese (kept per
    language: a page writes thousands of numbers)."""
    language = translation.get_language()
    found = _SEPARATORS.get(language)
    if found is None:
        found = _SEPARATORS[language] = (
            str(formats.get_format("THOUSAND_SEPARATOR")),
            str(formats.get_format("DECIMAL_SEPARATOR")),
        )
    return found


def _swap(text: str) -> str:
    """Turn Python's "1,234.5" into the active language's way ("1.234,5" in Vietnamese)."""
    thousand, decimal = _separators()
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousand)


def number(value: int | float | Decimal | None) -> str:
    """Return a count with thousand separators ("1.234"); an em dash for nothing.

    Integers take a fast path (a page writes thousands of them); other numbers go through Django.
    """
    if value is None:
        return "—"
    if isinstance(value, int):
        return _swap(f"{value:,}")
    return formats.number_format(value, force_grouping=True)


def share(part: int, whole: int) -> float | None:
    """Return part/whole as a percentage, or None when there is nothing to divide (0/0 is not 0%)."""
    return None if not whole else 100 * part / whole


def percent(value: float | None) -> str:
    """Return "12,5%", "50%" (no ",0"), or an em dash when the share does not exist."""
    if value is None:
        return "—"
    rounded = round(value, 1)
    if rounded == int(rounded):
        return f"{_swap(f'{int(rounded):,}')}%"
    return f"{_swap(f'{rounded:,.1f}')}%"


def day(value: datetime.date | None) -> str:
    """Return dd/mm/yyyy, whatever the language (documents and reports write dates so)."""
    return value.strftime("%d/%m/%Y") if value else ""
