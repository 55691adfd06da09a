"""Whole numbers from query strings and form posts. ``"²".isdigit()`` and ``"٣".isdigit()`` are true but ``int()``
refuses the first, and a 30-digit id overflows the database: parse ids and years here, never with isdigit()."""

from __future__ import annotations

BIGINT_MAX = 2**63 - 1


def whole_number(value: object, *, low: int = 0, high: int = BIGINT_MAX) -> int | None:
    """The whole number ``value`` spells in ASCII digits, within [low, high]; None for anything else."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if low <= number <= high else None
