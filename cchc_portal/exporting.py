"""Lists exported to .xlsx with the filters they were shown with: the task list and the admin's big change lists.

``start`` records an ``ExportJob`` (the list's name and its query string) and writes it at once when it holds at
most ``INLINE_ROWS`` rows (a page's worth); a larger one goes to the Celery worker (``jobs.run_export``). Either way
``write`` rebuilds the list as its user sees it (``for_user``, the same filters, the admin's scope and search), reads
it in chunks of plain values (no model instances) and writes each row to disk with openpyxl's write-only mode:
memory stays bounded whatever the number of rows (290,000 assignments of the country), and the progress is stored
every ``PROGRESS_EVERY`` rows for the job's page.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cchc_portal.models import ExportJob
from core.exports import neutralise

INLINE_ROWS = 500  # up to this many rows the file is written during the request
PROGRESS_EVERY = 2000
CHUNK = 2000


@dataclass(frozen=True)
class Column:
    title: str
    path: str
    shown: Callable[[object], object] | None = None


@dataclass(frozen=True)
class Source:
    """A list that can be exported: its rows for a user and a query string, and its columns."""

    title: str
    rows: Callable[[object, QueryDict], object]  # (user, params) -> queryset, or Lines
    columns: list[Column]


@dataclass(frozen=True)
class Lines:
    """Rows a list computes itself (not one queryset): how many, and each as the values of the columns in order."""

    count: int
    values: Iterable[list]


def _labels(choices) -> Callable[[object], object]:
    names = {value: str(label) for value, label in choices}  # translated once, not once per cell
    return lambda value: names.get(value, value or "")


def _assignment_columns() -> list[Column]:
    from tasks.models import AssignmentRole, OfficialStatus, ReviewState, WorkState

    return [
        Column(_("Văn bản"), "task__document__number"),
        Column(_("Số thứ tự"), "task__number"),
        Column(_("Nhiệm vụ"), "task__title"),
        Column(_("Cơ quan"), "agency__name"),
        Column(_("Vai trò"), "role", _labels(AssignmentRole.choices)),
        Column(_("Tình trạng"), "status", _labels(OfficialStatus.choices)),
        Column(_("Tình trạng báo cáo"), "state", _labels(WorkState.choices)),
        Column(_("Tiến độ (%)"), "progress"),
        Column(_("Thời hạn (như văn bản ghi)"), "task__deadline_text"),
        Column(_("Hạn"), "effective_due"),
        Column(_("Ngày hoàn thành"), "completed_on"),
        Column(_("Xem xét"), "review_state", _labels(ReviewState.choices)),
    ]


def _task_list_rows(user, params: QueryDict):
    """The task list ("Nhiệm vụ của đơn vị") as ``tasks.views.TaskListView`` shows it, with the same filters."""
    from django.test import RequestFactory

    from tasks.filters import AssignmentFilter
    from tasks.models import Assignment

    request = RequestFactory().get("/tasks/", params)
    request.user = user
    queryset = Assignment.objects.for_user(user).with_status().by_urgency()
    filterset = AssignmentFilter(params, queryset=queryset, request=request)
    return filterset.qs if filterset.is_valid() else queryset.none()


def _admin_rows(label: str) -> Callable[[object, QueryDict], object]:
    """An admin change list as ``user`` sees it with ``params`` (scope, sidebar filters, search, order)."""

    def rows(user, params: QueryDict):
        from django.apps import apps
        from django.contrib import admin
        from django.test import RequestFactory

        model = apps.get_model(label)
        model_admin = admin.site._registry[model]
        request = RequestFactory().get("/admin/", params)
        request.user = user
        if not model_admin.has_view_permission(request):
            return model._default_manager.none()
        changelist = model_admin.get_changelist_instance(request)
        return changelist.get_queryset(request)

    return rows


def _admin_assignment_rows(user, params: QueryDict):
    return _admin_rows("tasks.Assignment")(user, params).with_status()


def _task_columns() -> list[Column]:
    return [
        Column(_("Văn bản"), "document__number"),
        Column(_("Số thứ tự"), "number"),
        Column(_("Nhiệm vụ"), "title"),
        Column(_("Cơ quan chủ trì (như văn bản ghi)"), "lead_text"),
        Column(_("Cơ quan phối hợp (như văn bản ghi)"), "cooperating_text"),
        Column(_("Thời hạn (như văn bản ghi)"), "deadline_text"),
        Column(_("Hạn"), "due_date"),
    ]


def _dashboard_columns() -> list[Column]:
    return [
        Column(_("Văn bản"), ""),
        Column(_("Số thứ tự"), ""),
        Column(_("Nhiệm vụ"), ""),
        Column(_("Cơ quan (chủ trì)"), ""),
        Column(_("Vai trò"), ""),
        Column(_("Thời hạn (như văn bản ghi)"), ""),
        Column(_("Hạn"), ""),
        Column(_("Tình trạng"), ""),
        Column(_("Tiến độ (%)"), ""),
    ]


def _dashboard_rows(user, params: QueryDict) -> Lines:
    """The dashboard's list behind a number (``dashboard:tasks``) as its user sees it, with the same filters."""
    from cchc_portal.dashboards import pages

    return pages.drilldown_lines(user, params, timezone.localdate())


def sources() -> dict[str, Source]:
    return {
        "tasks": Source(_("Danh sách nhiệm vụ"), _task_list_rows, _assignment_columns()),
        "dashboard:tasks": Source(_("Nhiệm vụ theo số liệu"), _dashboard_rows, _dashboard_columns()),
        "admin:tasks.Assignment": Source(_("Phân công"), _admin_assignment_rows, _assignment_columns()),
        "admin:tasks.Task": Source(_("Nhiệm vụ"), _admin_rows("tasks.Task"), _task_columns()),
    }


def start(user, source: str, params: QueryDict) -> ExportJob:
    """Record the export; write it now when it is a page's worth, else queue it for the worker (after commit)."""
    from cchc_portal import jobs

    found = sources()[source]
    query = {key: params.getlist(key) for key in params if key not in ("csrfmiddlewaretoken", "page", "p")}
    rows = found.rows(user, _query_dict(query))  # first: a list the user may not see (404) records no job
    total = rows.count if isinstance(rows, Lines) else rows.order_by().count()
    job = ExportJob.objects.create(source=source, params=query, created_by=user, total=total)
    if total <= INLINE_ROWS:
        write(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: jobs.run_export.delay(job.pk))
    return job


def _query_dict(query: dict[str, list[str]]) -> QueryDict:
    result = QueryDict(mutable=True)
    for key, values in query.items():
        result.setlist(key, values)
    return result


def _cell(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return neutralise(value)


def _rows(queryset, columns: list[Column]) -> Iterator[list]:
    if isinstance(queryset, Lines):
        for values in queryset.values:
            yield [_cell(v) for v in values]
        return
    paths = [c.path for c in columns]
    for values in queryset.values_list(*paths).iterator(chunk_size=CHUNK):
        yield [_cell(c.shown(v) if c.shown else v) for c, v in zip(columns, values, strict=True)]


def write(job_id: int) -> None:
    """Write the job's file (in the worker, or in the request for a small list); record progress and the result."""
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    claimed = ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.PENDING).update(state=ExportJob.State.RUNNING)
    if not claimed:  # another worker has it, or it is finished
        return
    found = sources()[job.source]
    user = job.created_by
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="cchc-export-")
    os.close(fd)
    try:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(found.title)[:31])
        sheet.append([str(c.title) for c in found.columns])
        written = 0
        for row in _rows(found.rows(user, _query_dict(job.params)), found.columns):
            sheet.append(row)
            written += 1
            if written % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(progress=written)
        workbook.save(path)
        name = f"{found.title} {timezone.localtime():%Y-%m-%d %H%M}.xlsx"
        with open(path, "rb") as handle:
            job.file.save(name, File(handle), save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.DONE,
            progress=written,
            total=max(written, job.total),
            file=job.file.name,
            filename=name,
            finished_at=timezone.now(),
        )
    except Exception as error:  # noqa: BLE001 - any failure is shown on the job's page, never lost
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED,
            error=_("Không xuất được tệp: %(error)s") % {"error": error.__class__.__name__},
            finished_at=timezone.now(),
        )
        raise
    finally:
        if os.path.exists(path):
            os.unlink(path)
