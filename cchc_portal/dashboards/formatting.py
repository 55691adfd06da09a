"""Numbers as the portal's users read them, Vietnamese style whatever the interface language: "1.234", "12,5%".

The users are civil servants who write figures this way in every report; the English interface is an aid,
not a reason to show "1,234" on one screen and "1.234" in the exported report. Formatting is plain string
work (no locale lookup per number): a page writes thousands of numbers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

THOUSAND, DECIMAL = ".", ","


def _swap(text: str) -> str:
    """Turn Python's "1,234.5" into "1.234,5"."""
    return text.replace(",", "\0").replace(".", DECIMAL).replace("\0", THOUSAND)


def number(value: int | float | Decimal | None) -> str:
    """Return a count with thousand separators ("1.234"), a decimal as written ("92,5"); an em dash for nothing."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return _swap(f"{value:,}")
    if isinstance(value, Decimal):
        value = value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1))
        return _swap(f"{value:,f}")
    return _swap(f"{value:,}")


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
