"""Filters of the list "Nhiệm vụ của đơn vị": document, section, status, role, due soon, overdue, text.

The queryset it filters is ``Assignment.objects.for_user(user).with_status()``: status and effective due
date are SQL annotations, so every filter is one WHERE clause and the page stays one query however it is
filtered. The choices offered (documents, sections, agencies) are those the user may see.
"""

from __future__ import annotations

import datetime
from functools import partial

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.params import whole_number
from core.text import fold
from plans.models import Document, Section
from tasks.models import Assignment, AssignmentRole, OfficialStatus, ReviewState, WorkState

DUE_WITHIN_CHOICES = [
    ("7", _("7 ngày tới")),
    ("15", _("15 ngày tới")),
    ("30", _("30 ngày tới")),
    ("90", _("90 ngày tới")),
]


def section_label(section: Section) -> str:
    return f"{section.document.display_number} – {section}"


class QuickSelect(forms.Select):
    """A ``<select>`` drawn in Python, the same markup as Django's template (one option a line).

    The reviewer's filters list a province's 131 documents, 272 sections and 131 agencies: Django draws each option
    through two templates, which cost more than the rest of the page. ``options``, when the filter set gives it, is a
    callable returning the (value, label) pairs, read when the list is drawn, from a narrow query of its own (the
    field's queryset then only checks a chosen value).
    """

    options = None

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        choices = self.options() if self.options is not None else self.choices
        if isinstance(choices, ModelChoiceIterator):  # a plain query, not ``iterator()``'s server-side cursor
            empty = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
            choices = empty + [choices.choice(obj) for obj in choices.queryset]
        lines = []
        for v, label in choices:
            key = "" if v is None else str(v)
            selected = " selected" if key in chosen else ""
            lines.append(f'  <option value="{escape(key)}"{selected}>{conditional_escape(label)}</option>\n')
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("\n".join(lines)),  # noqa: S308 - every value and label escaped above
        )


class AssignmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Tìm"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tên nhiệm vụ, không cần dấu")}),
    )
    document = django_filters.ModelChoiceFilter(
        label=_("Văn bản"),
        field_name="task__document",
        queryset=Document.objects.none(),
        empty_label=_("Tất cả văn bản"),
        widget=QuickSelect,
    )
    section = django_filters.ModelChoiceFilter(
        label=_("Mục"),
        field_name="task__section",
        queryset=Section.objects.none(),
        empty_label=_("Tất cả các mục"),
        widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("Tình trạng"),
        field_name="status",
        choices=OfficialStatus.choices,
        empty_label=_("Mọi tình trạng"),
        widget=QuickSelect,
    )
    role = django_filters.ChoiceFilter(
        label=_("Vai trò"),
        field_name="role",
        choices=AssignmentRole.choices,
        empty_label=_("Chủ trì và phối hợp"),
        widget=QuickSelect,
    )
    due_within = django_filters.ChoiceFilter(
        label=_("Đến hạn trong"),
        choices=DUE_WITHIN_CHOICES,
        method="filter_due_within",
        empty_label=_("Bất kỳ lúc nào"),
        widget=QuickSelect,
    )
    review_state = django_filters.ChoiceFilter(
        label=_("Xem xét"),
        field_name="review_state",
        choices=ReviewState.choices,
        empty_label=_("Mọi trạng thái"),
        widget=QuickSelect,
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Cơ quan"),
        field_name="agency",
        queryset=Agency.objects.none(),
        empty_label=_("Tất cả cơ quan"),
        widget=QuickSelect,
    )
    overdue = django_filters.BooleanFilter(
        label=_("Chỉ việc quá hạn"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = Assignment
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = request.user
        # The documents with a share the user may see, asked of the plain ``for_user`` rows: the list's queryset carries
        # its status and urgency annotations, which a subquery of it would copy and relabel (half the set-up's cost).
        visible = Assignment.objects.for_user(user).values("task__document_id")
        documents = Document.objects.for_user(user).filter(pk__in=visible)
        self.filters["document"].queryset = documents.order_by("-year", "number", "pk")
        sections = (
            Section.objects.filter(document__in=documents)
            .select_related("document")
            .order_by("document_id", "order", "pk")
        )
        self.chosen_document = whole_number((data or {}).get("document"))
        if self.chosen_document is not None:
            sections = sections.filter(document_id=self.chosen_document)
        self.filters["section"].queryset = sections
        # Every filter's choices are set before ``self.form`` is first read: the form takes them when it is built.
        if user.is_reviewer:
            self.filters["agency"].queryset = (  # EXISTS by the (agency, state) index, not a DISTINCT over the shares
                Agency.objects.for_user(user)
                .filter(Exists(Assignment.objects.filter(agency_id=OuterRef("pk"))))
                .order_by("name")
            )
        else:  # an agency sees its own work: no agency to choose (nor a field for it in the form)
            del self.filters["agency"]
        self.form.fields["section"].label_from_instance = section_label
        kinds = {value: str(label) for value, label in Document._meta.get_field("doc_type").flatchoices}
        # str(document), with the type's label looked up once (``get_doc_type_display`` rebuilds its dict each call)
        self.form.fields["document"].label_from_instance = lambda d: (
            f"{kinds.get(d.doc_type, d.doc_type)} {d.display_number}"
        )
        self._choices: dict[str, list] | None = None
        for name in ("document", "section", "agency"):
            if name in self.form.fields:
                self.form.fields[name].widget.options = partial(self.choices_of, name)

    def choices_of(self, name: str) -> list[tuple]:
        """The (value, label) pairs the list ``name`` offers, its empty choice first; all three lists are read at the
        first call, when the form is drawn (never for an export): the few columns their labels need, the sections
        bound by the documents' ids just read rather than by the documents' subquery again."""
        if self._choices is None:
            fields = self.form.fields
            documents = list(fields["document"].queryset.only("doc_type", "number", "symbol"))
            by_id = {document.pk: document for document in documents}
            wanted = [pk for pk in by_id if self.chosen_document in (None, pk)]
            sections = list(
                Section.objects.filter(document_id__in=wanted)
                .only("document_id", "number", "title")
                .order_by("document_id", "order", "pk")
            )
            for section in sections:
                section.document = by_id[section.document_id]
            self._choices = {"document": documents, "section": sections}
            if "agency" in fields:
                self._choices["agency"] = list(fields["agency"].queryset.only("name"))
        field = self.form.fields[name]
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return empty + [(obj.pk, field.label_from_instance(obj)) for obj in self._choices[name]]

    def filter_text(self, queryset, name, value):
        """Match the agency's name ("so tu phap"), or every word somewhere in the task (number, title, output,
        agencies and deadline as written); accents and case do not matter."""
        words = fold(value).split()
        if not words:
            return queryset
        in_task = Q()
        for word in words:
            in_task &= Q(task__search_text__contains=word)
        return queryset.filter(in_task | Q(agency__search_text__contains=" ".join(words)))

    def filter_due_within(self, queryset, name, value):
        """Open work whose effective due date falls between today and ``value`` days from now."""
        if not value:
            return queryset
        today = timezone.localdate()
        return queryset.exclude(state=WorkState.DONE).filter(
            effective_due__gte=today, effective_due__lte=today + datetime.timedelta(days=int(value))
        )

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(status=OfficialStatus.OVERDUE) if value else queryset
