"""Safe spreadsheet exports: a cell that begins with = + - @ (or a tab or carriage return) is text, never a formula.

Excel and LibreOffice run such a cell as a formula when the file is opened ("CSV/formula injection"); an agency
name or a note typed by a user must not become one. Real numbers are left alone: only text is prefixed with '.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Return ``value`` made inert for a spreadsheet: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeExportMixin:
    """django-import-export Resource mixin: neutralise every exported cell (admin exports included)."""

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))
