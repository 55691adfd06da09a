"""What a dashboard page shows to whom: which documents, which agency, which day.

Rules (checked on the server, never by hiding links):

- reviewers (Sở Nội vụ, Văn phòng UBND tỉnh) and administrators see their province, and may open any
  agency of it (``?agency=<id>``);
- agency staff and leaders see their own agency only (with the agencies merged into it); asking for
  another agency answers 404;
- a document or an agency of another province answers 404, for everyone but superusers.

A page shows one document (``?document=<id>``) or every document of a year (``?year=2024``, the default
being the latest year that has documents, up to this year); ``?followed=1`` keeps the documents the
user's agency follows (``Document.followed_by``: Sở Nội vụ, Văn phòng UBND tỉnh).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import Http404, QueryDict
from django.urls import reverse

from agencies.models import Agency, Province
from cchc_portal.dashboards import figures
from plans.models import Document
from tasks.models import agency_ids_of


@lru_cache(maxsize=64)
def path(name: str) -> str:
    """Return the path of a named page; cached, since a page lists hundreds of links to the same few pages."""
    return reverse(name)


def _int(value: str | None) -> int | None:
    """Return the id a query parameter holds, or None; a malformed id is a missing page (404)."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if number < 0:
        raise Http404
    return number


@dataclass
class Scope:
    """The documents, agency and day a dashboard page is about, and the user it is shown to."""

    user: object
    province: Province
    today: datetime.date
    choices: list[Document]
    documents: list[Document]
    year: int | None
    document: Document | None = None
    agency: Agency | None = None
    agency_ids: frozenset[int] = field(default_factory=frozenset)
    followed: bool = False

    @property
    def is_agency_view(self) -> bool:
        return self.agency is not None

    @property
    def document_ids(self) -> list[int]:
        return [d.pk for d in self.documents]

    @property
    def years(self) -> list[int]:
        return sorted({d.year for d in self.choices}, reverse=True)

    @property
    def reference_year(self) -> int:
        """The year whose periods the reports and exports are about."""
        return self.year or self.today.year

    @cached_property
    def figures_versions(self) -> tuple | None:
        """The versions of what the province figures read (the documents' provinces, the directory): one query."""
        return figures.versions({d.province_id for d in self.documents})

    def figures_key(self, name: str) -> tuple | None:
        """The key under which ``figures.remember`` keeps the figures ``name`` of this scope (None: not kept)."""
        versions = self.figures_versions
        return None if versions is None else (name, versions, tuple(self.document_ids), self.today)

    @property
    def can_choose_agency(self) -> bool:
        return bool(getattr(self.user, "is_reviewer", False))

    def params(self, **extra: object) -> dict[str, str]:
        """Return the query parameters that reproduce this scope, plus ``extra`` (None values dropped)."""
        params = dict(self._own_params)
        params.update({key: str(value) for key, value in extra.items() if value not in (None, "")})
        return params

    @cached_property
    def _own_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.document is not None:
            params["document"] = str(self.document.pk)
        elif self.year is not None:
            params["year"] = str(self.year)
        if self.agency is not None and self.can_choose_agency:
            params["agency"] = str(self.agency.pk)
        if self.followed and self.document is None:
            params["followed"] = "1"
        if getattr(self.user, "is_superuser", False):
            params["province"] = str(self.province.pk)
        return params

    def url(self, name: str, **extra: object) -> str:
        """Return the URL of a dashboard page (``"dashboard:tasks"``…) for this scope with ``extra`` filters."""
        extra = {key: value for key, value in extra.items() if value not in (None, "")}
        if extra.keys() & self._own_params.keys():
            return f"{path(name)}?{urlencode(self.params(**extra))}"
        # The scope's own part is encoded once: a page writes a thousand links that differ only by a filter.
        return f"{path(name)}?{self._own_query}{'&' if self._own_query and extra else ''}{urlencode(extra)}"

    @cached_property
    def _own_query(self) -> str:
        return urlencode(self._own_params)


def default_year(years: list[int], today: datetime.date) -> int | None:
    """Return this year if it has documents, else the latest earlier one, else the earliest later one."""
    if not years:
        return None
    past = [y for y in years if y <= today.year]
    return max(past) if past else min(years)


def resolve_scope(user, params: QueryDict | dict, today: datetime.date) -> Scope:
    """Return what ``user`` may see for the request's parameters; raise Http404 for anything else.

    Costs: the user's agency lineage (one query per generation of mergers, agency users only), one query
    for an asked agency, one for the asked document, one for the documents of the province.
    """
    agency_id = _int(params.get("agency"))
    document_id = _int(params.get("document"))
    year = _int(params.get("year"))
    followed = params.get("followed") in ("1", "on", "true")

    agency, agency_ids = _scope_agency(user, agency_id)
    visible = Document.objects.for_user(user)
    document = _asked_document(visible, document_id)
    province = _province(user, params, document, agency)
    if document is not None and document.province_id != province.pk and document.province.successor_id != province.pk:
        raise Http404

    choices = _document_choices(user, visible, province, agency, agency_ids)
    if document is not None:
        documents, year = [document], document.year
        if agency is not None and document.pk not in {c.pk for c in choices}:
            choices.append(document)
    else:
        year = year if year is not None else default_year(sorted({c.year for c in choices}), today)
        documents = [c for c in choices if c.year == year and (c.is_followed or not followed)]
    return Scope(
        user=user,
        province=province,
        today=today,
        choices=choices,
        documents=documents,
        year=year,
        document=document,
        agency=agency,
        agency_ids=agency_ids,
        followed=followed,
    )


def _scope_agency(user, agency_id: int | None) -> tuple[Agency | None, frozenset[int]]:
    """Return the agency shown and its lineage: the one a reviewer asks for, else the user's own (Http404 else)."""
    agency: Agency | None = None
    agency_ids: frozenset[int] = frozenset()
    if user.is_reviewer:
        if agency_id is not None:
            agency = Agency.objects.for_user(user).select_related("province").filter(pk=agency_id).first()
            if agency is None:
                raise Http404
            agency_ids = frozenset(agency.lineage_ids())
    else:
        if user.agency_id is None:
            raise Http404
        agency_ids = frozenset(agency_ids_of(user))  # kept on the user: the menu's queues read it too
        if agency_id is not None and agency_id not in agency_ids:
            raise Http404
        agency = user.agency
    return agency, agency_ids


def _asked_document(visible, document_id: int | None) -> Document | None:
    """Return the asked document among those the user may see (Http404 if not one), or None if none was asked."""
    document = None
    if document_id is not None:
        document = visible.select_related("province", "issuer").filter(pk=document_id).first()
        if document is None:
            raise Http404
    return document


# The documents giving work to the agencies, found from their own shares (a few hundred, by index). "OFFSET 0" keeps
# PostgreSQL from folding it into a semi-join that probes every task of every document of the province for one of
# the agency's shares (4 ms instead of 0.4).
WORK_DOCUMENTS = """SELECT DISTINCT t.document_id FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id
WHERE a.agency_id IN ({agencies}){fence}"""


# What no dashboard page or export reads of the documents it offers (a province has 130 a year): not loaded; their
# issuers are read by the report's reference to its documents only (``exports``).
UNSHOWN_FIELDS = (
    "legal_bases",
    "recipients",
    "notes",
    "search_text",
    "file",
    "signer",
    "signer_title",
    "created_at",
    "updated_at",
)


def _work_documents(agency_ids: list[int]) -> RawSQL:
    placeholders = ", ".join(["%s"] * len(agency_ids)) or "NULL"
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    return RawSQL(WORK_DOCUMENTS.format(agencies=placeholders, fence=fence), agency_ids)  # noqa: S611 - placeholders


def _document_choices(
    user, visible, province: Province, agency: Agency | None, agency_ids: frozenset[int]
) -> list[Document]:
    """Return the documents the page offers (the province's, and its merged ones'), each marked ``is_followed``."""
    choices_qs = visible.filter(Q(province=province) | Q(province__successor=province)).defer(  # +merged
        *UNSHOWN_FIELDS
    )
    if user.agency_id is not None:
        choices_qs = choices_qs.annotate(
            is_followed=Exists(
                Document.followed_by.through.objects.filter(document_id=OuterRef("pk"), agency_id=user.agency_id)
            )
        )
    if agency is not None:  # an agency's dashboard offers the documents that give it work
        choices_qs = choices_qs.filter(pk__in=_work_documents(sorted(agency_ids)))
    choices = list(choices_qs.order_by("-year", "doc_type", "number", "pk"))
    for choice in choices:
        choice.is_followed = getattr(choice, "is_followed", False)
    return choices


def _province(user, params, document: Document | None, agency: Agency | None) -> Province:
    """Return the province the page is about: the user's; superusers choose one (or get the document's)."""
    if not user.is_superuser:
        if user.agency_id is None:
            raise Http404
        if document is not None and document.province_id == user.agency.province_id:
            return document.province  # already loaded with the document
        return user.agency.province
    if document is not None:
        return document.province
    if agency is not None:
        return agency.province
    raw = params.get("province") or ""
    if raw and not (raw.isascii() and raw.isdigit()):  # issue 12: the readable code (?province=dak-lak)
        province = Province.objects.filter(code=raw[:40]).first()
        if province is None:
            raise Http404
        return province
    province_id = _int(raw)
    if province_id is not None:
        province = Province.objects.filter(pk=province_id).first()
        if province is None:
            raise Http404
        return province
    if user.agency_id is not None:
        return user.agency.province
    latest = Document.objects.select_related("province").order_by("-year", "-pk").first()
    if latest is None:
        raise Http404
    return latest.province
