"""Work queues: what waits for each person, counted in the main menu and listed on its own page.

- reviewers (Sở Nội vụ, Văn phòng UBND tỉnh): "Chờ xem xét" — task reports submitted, new deadlines asked,
  periodic reports sent (the list is ``/tasks/review/``);
- leaders: "Chờ lãnh đạo gửi" — task reports their staff wrote (or answered after a return) and periodic
  reports drafted, not sent yet;
- staff: "Bị trả lại" — task reports, periodic reports and indicator values returned to the agency; and
  "Sắp đến hạn" — the agency's open shares due within ``SOON_DAYS`` days.

``QUEUES`` defines each queue's querysets once: the menu counts them (all of a person's counts in one
query, ``menu_counts``) and the queue page lists the same rows, so the number and the list never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from agencies.models import Role
from indicators.models import Measurement, MeasurementState
from plans.models import PeriodicReport, PeriodicReportStep
from tasks.models import (
    Assignment,
    ExtensionRequest,
    ProgressUpdate,
    Review,
    ReviewDecision,
    ReviewState,
    WorkState,
    agency_ids_of,
)

SOON_DAYS = 7


def _own(user) -> set[int]:
    return agency_ids_of(user)


def review_waiting(user) -> dict[str, QuerySet]:
    return {
        "tasks": Assignment.objects.for_user(user).filter(review_state=ReviewState.SUBMITTED),
        "extensions": ExtensionRequest.objects.filter(
            state=ExtensionRequest.State.PENDING, assignment__in=Assignment.objects.for_user(user)
        ),
        "periodic": PeriodicReport.objects.for_user(user).filter(state=PeriodicReport.State.SUBMITTED),
    }


def leader_waiting(user) -> dict[str, QuerySet]:
    """Reports written but not sent: a draft with a report, or a returned one the staff have answered."""
    last_return = Review.objects.filter(  # inside the update's subquery: its assignment's latest return
        assignment=OuterRef("assignment_id"), decision__in=[ReviewDecision.RETURNED, ReviewDecision.REOPENED]
    ).order_by("-created_at", "-pk")
    answered = ProgressUpdate.objects.filter(
        assignment=OuterRef("pk"), answers_id=Subquery(last_return.values("pk")[:1])
    )
    reported = ProgressUpdate.objects.filter(assignment=OuterRef("pk"))
    tasks = Assignment.objects.filter(agency_id__in=_own(user)).filter(
        (Q(review_state=ReviewState.DRAFT) & Exists(reported))
        | (Q(review_state=ReviewState.RETURNED) & Exists(answered))
    )
    saved_after_return = PeriodicReportStep.objects.filter(
        report=OuterRef("pk"), action=PeriodicReportStep.Action.SAVED, created_at__gt=OuterRef("reviewed_at")
    )
    periodic = PeriodicReport.objects.filter(agency_id__in=_own(user)).filter(
        Q(state=PeriodicReport.State.DRAFT) | (Q(state=PeriodicReport.State.RETURNED) & Exists(saved_after_return))
    )
    return {"tasks": tasks, "periodic": periodic}


def returned(user) -> dict[str, QuerySet]:
    own = _own(user)
    return {
        "tasks": Assignment.objects.filter(agency_id__in=own, review_state=ReviewState.RETURNED),
        "periodic": PeriodicReport.objects.filter(agency_id__in=own, state=PeriodicReport.State.RETURNED),
        "measurements": Measurement.objects.filter(agency_id__in=own, state=MeasurementState.RETURNED),
    }


def due_soon(user, today: datetime.date | None = None) -> dict[str, QuerySet]:
    today = today or timezone.localdate()
    last = today + datetime.timedelta(days=SOON_DAYS)
    shares = (
        Assignment.objects.filter(agency_id__in=_own(user))
        .exclude(state=WorkState.DONE)
        .filter(Q(due_date__range=(today, last)) | Q(due_date__isnull=True, task__due_date__range=(today, last)))
    )
    return {"tasks": shares}


@dataclass(frozen=True)
class Queue:
    name: str
    label: str  # "Chờ xem xét"
    roles: tuple[str, ...]
    build: object  # user -> {part: queryset}
    url_name: str


QUEUES = [
    Queue("review", gettext_lazy("Chờ xem xét"), (Role.REVIEWER, Role.ADMIN), review_waiting, "tasks:review_queue"),
    Queue("leader", gettext_lazy("Chờ lãnh đạo gửi"), (Role.LEADER,), leader_waiting, "queues:leader"),
    Queue("returned", gettext_lazy("Bị trả lại"), (Role.STAFF,), returned, "queues:returned"),
    Queue("soon", gettext_lazy("Sắp đến hạn"), (Role.STAFF,), due_soon, "queues:soon"),
]
BY_NAME = {queue.name: queue for queue in QUEUES}


def queues_of(user) -> list[Queue]:
    if not user.is_authenticated:
        return []
    if user.is_superuser and user.agency_id is None:
        return [BY_NAME["review"]]
    return [queue for queue in QUEUES if user.role in queue.roles]


@dataclass(frozen=True)
class MenuItem:
    name: str
    label: str
    count: int
    url: str


def count_all(querysets: list[QuerySet]) -> list[int]:
    """Count several querysets in one query: ``SELECT (SELECT COUNT(*) FROM (…)), (…)``."""
    if not querysets:
        return []
    parts, params = [], []
    for index, queryset in enumerate(querysets):
        sql, sql_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{index})")  # noqa: S608 - Django's own compiled SQL
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


def menu_counts(user) -> list[MenuItem]:
    """The user's queues with their counts: one query (after the agency's lineage, read once per request)."""
    return top_bar_counts(user)[0]


def top_bar_counts(user, unread: QuerySet | None = None) -> tuple[list[MenuItem], int]:
    """The user's queues with their counts, and how many of ``unread`` (the unread notifications) there are: what
    the top bar shows, in one query."""
    queues = queues_of(user)
    built = [(queue, list(queue.build(user).values())) for queue in queues]
    counts = count_all([qs for _queue, parts in built for qs in parts] + ([unread] if unread is not None else []))
    items, position = [], 0
    for queue, parts in built:
        total = sum(counts[position : position + len(parts)])
        position += len(parts)
        items.append(MenuItem(queue.name, str(queue.label), total, reverse(queue.url_name)))
    return items, counts[position] if unread is not None else 0


# --------------------------------------------------------------------------------------------------
# the queue pages (the reviewers' one is /tasks/review/)
# --------------------------------------------------------------------------------------------------

LIMIT = 200  # rows per part of a queue page; the menu says how many there are


def _rows(user, name: str) -> dict:
    queue = BY_NAME[name]
    parts = queue.build(user)  # an agency's own rows: empty for someone without an agency
    found = {}
    if "tasks" in parts:
        found["tasks"] = list(
            parts["tasks"]
            .with_status()
            .select_related("task__document", "task__section", "agency")
            .order_by(F("effective_due").asc(nulls_last=True), "task__document_id", "task__order", "pk")[:LIMIT]
        )
    if "periodic" in parts:
        found["periodic"] = list(
            parts["periodic"].select_related("agency", "duty__document").order_by("due_date", "pk")[:LIMIT]
        )
    if "measurements" in parts:
        found["measurements"] = list(
            parts["measurements"].select_related("indicator", "agency").order_by("period_end", "pk")[:LIMIT]
        )
    return {"queue": queue, **found}


@login_required
@require_safe
def queue_page(request, name: str):
    if name not in BY_NAME or name == "review":
        raise Http404
    context = _rows(request.user, name)
    context["soon_days"] = SOON_DAYS
    return render(request, "queues/queue.html", context)


app_name = "queues"
urlpatterns = [
    path("cho-lanh-dao-gui/", queue_page, {"name": "leader"}, name="leader"),
    path("bi-tra-lai/", queue_page, {"name": "returned"}, name="returned"),
    path("sap-den-han/", queue_page, {"name": "soon"}, name="soon"),
]
