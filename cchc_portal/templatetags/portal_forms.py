"""``{% error_summary %}``: after a failed save, the top of every page says what is wrong, with links to the fields
(issue 15, point 7). base.html calls it once; a page needs nothing of its own.

The forms are found in the page's context: a bound form (or formset) with errors among its values, among the items
of a list or dict it holds, or in an attribute ending in ``_form`` of such an item (the task page's parts). Only
instance attributes are read, never properties, so looking costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()

MAX_ITEMS = 200  # a long list in the context is rows of a table, not forms


@dataclass
class Problem:
    label: str
    message: str
    anchor: str = ""


def _forms_in(value, depth: int = 0):
    if isinstance(value, forms.BaseForm):
        yield value
    elif isinstance(value, BaseFormSet):
        yield from value.forms
        yield value  # its non-form errors
    elif depth >= 2 or callable(value) or isinstance(value, str | bytes):
        return
    elif isinstance(value, dict):
        yield from _items(list(value.values())[:MAX_ITEMS], depth + 1)
    elif isinstance(value, list | tuple):
        yield from _items(value[:MAX_ITEMS], depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        for name, item in vars(value).items():
            if name == "form" or name.endswith("_form"):
                yield from _forms_in(item, depth + 1)


def _items(items, depth: int):
    """The forms among a list's or dict's items. At the last depth only a form itself counts: the items are
    checked here, without a generator each (a dashboard's context holds thousands of table cells)."""
    if depth >= 2:
        for item in items:
            if isinstance(item, forms.BaseForm | BaseFormSet):
                yield from _forms_in(item, depth)
        return
    for item in items:
        yield from _forms_in(item, depth)


def failed_forms(context) -> list:
    """The bound forms and formsets of the page that have errors, each once, in the order the context gives them."""
    found, seen = [], set()
    for layer in context.dicts:
        for value in layer.values():
            for form in _forms_in(value):
                if id(form) in seen or not form.is_bound:
                    continue
                seen.add(id(form))
                has_errors = bool(form.non_form_errors()) if isinstance(form, BaseFormSet) else bool(form.errors)
                if has_errors:
                    found.append(form)
    return found


def problems_of(form) -> tuple[list[Problem], list[str]]:
    """What is wrong with a form, field by field, and the names of the files it was sent with (not kept)."""
    if isinstance(form, BaseFormSet):
        return [Problem("", str(message)) for message in form.non_form_errors()], []
    problems = [Problem("", str(message)) for message in form.non_field_errors()]
    files = []
    for field in form:
        if isinstance(field.field, forms.FileField):
            files += [upload.name for upload in form.files.getlist(field.html_name) if getattr(upload, "name", "")]
        for message in field.errors:
            if field.is_hidden:
                problems.append(Problem("", str(message)))
            else:
                problems.append(
                    Problem(str(field.label or ""), str(message), field.id_for_label or field.auto_id or "")
                )
    return problems, files


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context):
    problems, files = [], []
    for form in failed_forms(context):
        found, sent = problems_of(form)
        problems += found
        files += sent
    return {"problems": problems, "files": files}
