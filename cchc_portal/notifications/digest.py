"""The Monday digest for reviewers: what became overdue last week, what falls due soon, what needs a date.

Sở Nội vụ (the standing agency for CCHC) follows every document of its province; other reviewers' agencies
(Văn phòng UBND tỉnh) follow the documents that name them in ``Document.followed_by``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce

from agencies.models import Agency
from cchc_portal.notifications.directory import is_standing_agency, province_lineage
from plans.models import Document
from tasks.models import Assignment, AssignmentRole, Task, WorkState

#: Rows listed per section of a digest e-mail; the rest are counted and reached through the portal.
LIST_LIMIT = 100


def open_states() -> list[str]:
    """Work states that still owe something (everything but done), as an index-friendly IN list."""
    return [state for state in WorkState.values if state != WorkState.DONE]


def followed_documents(agency: Agency) -> list[int]:
    """Return the ids of the published documents ``agency`` (or a predecessor) follows; a few small queries."""
    scope = Q(followed_by__in=agency.lineage_ids())
    if is_standing_agency(agency):
        scope |= Q(province_id__in=province_lineage(agency.province_id))
    return list(Document.objects.filter(scope, is_draft=False).order_by().values_list("pk", flat=True).distinct())


def _due_between(first: datetime.date, last: datetime.date) -> Q:
    """Effective due date (the assignment's own, else the task's) within [first, last]."""
    return Q(due_date__range=(first, last)) | Q(due_date__isnull=True, task__due_date__range=(first, last))


@dataclass
class Digest:
    day: datetime.date
    became_overdue: list[Assignment]
    due_soon: list[Assignment]
    needs_confirmation: list[Task]
    became_overdue_count: int
    due_soon_count: int
    needs_confirmation_count: int

    @property
    def is_empty(self) -> bool:
        return not (self.became_overdue_count or self.due_soon_count or self.needs_confirmation_count)


def _queries(documents: list[int], day: datetime.date):
    horizon = settings.REMINDER_DIGEST_HORIZON_DAYS
    lead_open = Assignment.objects.filter(
        task__document_id__in=documents,
        role=AssignmentRole.LEAD,
        state__in=open_states(),
        task__due_needs_confirmation=False,
    )
    became_overdue = lead_open.filter(_due_between(day - datetime.timedelta(days=7), day - datetime.timedelta(days=1)))
    due_soon = lead_open.filter(_due_between(day, day + datetime.timedelta(days=horizon)))
    still_open = Assignment.objects.filter(task=OuterRef("pk"), state__in=open_states())
    needs_confirmation = Task.objects.filter(document_id__in=documents, due_needs_confirmation=True).filter(
        Exists(still_open)
    )
    return became_overdue, due_soon, needs_confirmation


def has_content(documents: list[int], day: datetime.date) -> bool:
    """Say whether a digest over ``documents`` would list anything (three EXISTS queries)."""
    return bool(documents) and any(query.exists() for query in _queries(documents, day))


def build_digest(documents: list[int], day: datetime.date, limit: int = LIST_LIMIT) -> Digest:
    """Return the digest's rows (at most ``limit`` per section) and counts; six queries."""
    became_overdue, due_soon, needs_confirmation = _queries(documents, day)

    def rows(query):
        return list(
            query.select_related("task__document", "task__section", "agency")
            .annotate(effective_due=Coalesce(F("due_date"), F("task__due_date")))
            .order_by("effective_due", "task__document_id", "task__order", "pk")[:limit]
        )

    return Digest(
        day=day,
        became_overdue=rows(became_overdue),
        due_soon=rows(due_soon),
        needs_confirmation=list(
            needs_confirmation.select_related("document", "section").order_by("document_id", "order", "pk")[:limit]
        ),
        became_overdue_count=became_overdue.count(),
        due_soon_count=due_soon.count(),
        needs_confirmation_count=needs_confirmation.count(),
    )
