"""Pages about tasks: an agency's list, one task with its reports and forms, the reviewers' queue, evidence.

Every page starts from ``for_user`` (or ``readable_by``): what a user may not see answers 404. A visible
assignment whose action the user may not take answers 403. Writes go through ``tasks.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import ListView
from django_filters.views import FilterView

from core.params import whole_number
from plans.models import PeriodicReport
from tasks import services
from tasks.filters import AssignmentFilter
from tasks.forms import (
    BulkReviewForm,
    CommentForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ProgressForm,
    ReopenForm,
    ReviewForm,
    SubmitForm,
)
from tasks.models import (
    Assignment,
    Comment,
    CommentFile,
    Evidence,
    ExtensionRequest,
    Review,
    ReviewDecision,
    ReviewState,
    Task,
    WorkState,
)
from tasks.pages import (
    ROW_FIELDS,
    ROW_RELATED,
    conflict_page,
    discussion,
    evidence_text,
    list_counters,
    list_rows,
    list_summary,
    page_with_counts,
    task_page,
)


class TaskListView(LoginRequiredMixin, FilterView):
    """The list "Nhiệm vụ của đơn vị": the agency's assignments (a reviewer's: the province's), most urgent first."""

    template_name = "tasks/task_list.html"
    filterset_class = AssignmentFilter
    context_object_name = "assignments"
    paginate_by = 25  # a filter value the user may not choose (another province's document) shows nothing
    summary: dict | None = None

    def get_queryset(self):
        return self.shown(Assignment.objects.for_user(self.request.user)).by_urgency()

    @staticmethod
    def shown(queryset):
        return queryset.with_status().select_related(*ROW_RELATED)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.summary or list_summary(self.request.user))
        context["chosen_role"] = self.request.GET.get("role", "")
        context["is_reviewer"] = self.request.user.is_reviewer
        context["filtered"] = self.filtered
        context["rows"] = list_rows(context["assignments"], context["is_reviewer"])
        return context

    def paginate_queryset(self, queryset, page_size):
        """The page in two steps: the ids of its 25 assignments, sorted by urgency on the narrow rows alone, then
        those 25 with their task, document, section, agency and group. Sorting a province's 8,500 shares joined
        to all of these (a top-25 sort of wide rows) cost three times as much.

        The first step also counts, in the same query (``page_with_counts``): unfiltered, the tabs' and legend's
        counters (the list holds every assignment they count); filtered, the paginator's total. A page number that
        is not a plain one ("last") or past the end is left to Django's pagination (its count, its 404)."""
        number = whole_number(self.request.GET.get(self.page_kwarg) or "1", low=1, high=10**9)
        if number is None:
            return self.paginate_as_django(queryset, page_size)
        counters = {"total": Count("pk")} if self.filtered else list_counters(timezone.localdate())
        ids, counted = page_with_counts(queryset, (number - 1) * page_size, page_size, counters)
        if counted is None and number > 1:
            return self.paginate_as_django(queryset, page_size)
        counted = counted or dict.fromkeys(counters, 0)
        if not self.filtered:
            self.summary = list_summary(self.request.user, counted)
        paginator = self.get_paginator(queryset, page_size)
        paginator.count = counted["total"]
        page = paginator.page(number)
        page.object_list = self.rows(ids)
        return paginator, page, page.object_list, page.has_other_pages()

    def paginate_as_django(self, queryset, page_size):
        """Django's pagination, then the page's rows by their ids (the path of an unusual page number)."""
        if not self.filtered:  # its total is the legend's: no second COUNT over a province's 8,500 shares
            self.summary = list_summary(self.request.user)
        paginator, page, _rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = self.rows(list(page.object_list.values_list("pk", flat=True)))
        return paginator, page, page.object_list, is_paginated

    def rows(self, ids: list[int]) -> list[Assignment]:
        """The page's shares by their ids (of the filtered list: no filter again), with what ``list_rows`` reads.

        Their status and effective due date come from the Python rule (``Assignment.official_status``, which the
        ``with_status`` CASE mirrors; tests/tasks/test_models holds them equal): building the CASE for 25 rows cost
        more than judging them."""
        found = Assignment.objects.only(*ROW_FIELDS).select_related(*ROW_RELATED).order_by().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    @property
    def filtered(self) -> bool:
        return any(v for k, v in self.request.GET.items() if k != "page")

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        paginator = super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        if self.summary is not None:
            paginator.count = self.summary["counts"]["total"]
        return paginator


def _visible_task(request, pk: int) -> Task:
    return get_object_or_404(Task.objects.for_user(request.user).select_related("document", "section"), pk=pk)


def render_task_page(request, task: Task, bound: dict | None = None, status: int = 200, comment_form=None):
    context = task_page(request, task, bound)
    context.update(discussion(request, task, comment_form))
    return render(request, "tasks/task_detail.html", context, status=status)


@login_required
@require_safe
def task_detail(request, pk: int):
    """A task: where it comes from, who does it, by when as written and as understood, every report, the forms."""
    return render_task_page(request, _visible_task(request, pk))


# --------------------------------------------------------------------------------------------------
# Actions on an assignment (POST); GET leads to the task page
# --------------------------------------------------------------------------------------------------


class AssignmentAction(LoginRequiredMixin, View):
    """Find the assignment among those the user may see (404 otherwise), check the action (403), bind, act."""

    kind = ""

    def get_assignment(self, pk: int) -> Assignment:
        """The share if the user may see it (``for_user``, checked on the row read in one query), else 404."""
        try:
            assignment = Assignment.objects.for_one_action().get(pk=pk)  # get(): no ORDER BY, no join for one
        except Assignment.DoesNotExist:
            raise Http404(_("Không tìm thấy phần việc.")) from None
        if not assignment.is_visible_to(self.request.user):
            raise Http404(_("Không tìm thấy phần việc."))
        return assignment

    def get(self, request, pk: int):
        return redirect(self.get_assignment(pk).get_absolute_url())

    def post(self, request, pk: int):
        assignment = self.get_assignment(pk)
        if not self.allowed(assignment, request.user):
            raise PermissionDenied(_("Tài khoản không có quyền thực hiện việc này."))
        form = self.make_form(assignment)
        if not form.is_valid():
            return render_task_page(request, assignment.task, bound={(self.kind, assignment.pk): form})
        try:
            message = self.act(assignment, form)
        except services.StaleAssignment as stale:
            return self.conflict(assignment, form, stale)
        except services.WorkflowError as error:
            messages.error(request, str(error))
            return redirect(assignment.get_absolute_url())
        messages.success(request, message)
        return redirect(self.success_url(assignment))

    def success_url(self, assignment: Assignment) -> str:
        return assignment.get_absolute_url()

    def conflict(self, assignment: Assignment, form, stale: services.StaleAssignment):
        """Answer 409 with that one share as saved now next to what this user typed, and the form again with the new
        version (the typed text kept in it, the files named to be chosen again); nothing else of the task is read."""
        current = stale.current
        context = conflict_page(current, stale.changed_by, stale.changed_at)
        context.update(
            kind=self.kind,
            offered=self.offered(current),
            form=type(form)(assignment=current, initial=self.kept_values(form, current)),
            yours=self.your_values(form),
            files=[checked.name for checked in form.cleaned_data.get("files") or []],
        )
        return render(self.request, "tasks/conflict.html", context, status=409)

    def offered(self, current: Assignment) -> bool:
        """The action is still one the task page would offer on the share as saved now (else no form again)."""
        return self.allowed(current, self.request.user)

    def kept_values(self, form, current: Assignment) -> dict:
        return {"version": current.version}

    def your_values(self, form) -> dict:
        """What the user typed that the conflict page sets next to the saved values (a report's; none otherwise)."""
        return {}


class ReportView(AssignmentAction):
    kind = "report"

    def allowed(self, assignment, user) -> bool:
        return assignment.can_report(user)

    def make_form(self, assignment):
        return ProgressForm(self.request.POST, self.request.FILES, assignment=assignment)

    def act(self, assignment, form) -> str:
        services.report_progress(
            assignment, self.request.user, form.cleaned_data["version"], form.report(), form.cleaned_data["files"]
        )
        if assignment.review_state == ReviewState.RETURNED:
            return _("Đã lưu báo cáo bổ sung. Lãnh đạo đơn vị cần gửi lại báo cáo để được xem xét.")
        return _("Đã lưu báo cáo tiến độ.")

    def kept_values(self, form, current):
        values = ProgressForm.initial_for(current)
        values.update(
            {
                name: form.cleaned_data.get(name)
                for name in ("note", "evidence_link", "evidence_number", "evidence_date")
            }
        )
        return values

    def your_values(self, form) -> dict:
        data = form.cleaned_data
        evidence = [data["evidence_link"]] if data.get("evidence_link") else []
        if data.get("evidence_number") or data.get("evidence_date"):
            evidence.append(evidence_text(data.get("evidence_number"), data.get("evidence_date")))
        return {
            "state": WorkState(data["state"]).label,
            "progress": 100 if data["state"] == WorkState.DONE else data["progress"],
            "note": data.get("note", ""),
            "evidence": evidence,
        }


class ReopenView(AssignmentAction):
    """A reviewer reopens an accepted report with a reason (recorded as a review step, told to the agency)."""

    kind = "reopen"

    def allowed(self, assignment, user) -> bool:
        return assignment.can_reopen(user)

    def make_form(self, assignment):
        return ReopenForm(self.request.POST, assignment=assignment)

    def act(self, assignment, form) -> str:
        services.reopen(assignment, self.request.user, form.cleaned_data["version"], form.cleaned_data["reason"])
        return _("Đã mở lại báo cáo của %(agency)s; cơ quan được thông báo lý do.") % {"agency": assignment.agency}

    def kept_values(self, form, current):
        return {"version": current.version, "reason": form.cleaned_data.get("reason", "")}


class SubmitView(AssignmentAction):
    kind = "submit"

    def allowed(self, assignment, user) -> bool:
        return assignment.can_submit(user)

    def make_form(self, assignment):
        return SubmitForm(self.request.POST, assignment=assignment)

    def offered(self, current) -> bool:
        return super().offered(current) and current.review_state in (ReviewState.DRAFT, ReviewState.RETURNED)

    def act(self, assignment, form) -> str:
        services.submit(assignment, self.request.user, form.cleaned_data["version"], form.cleaned_data["note"].strip())
        return _("Đã gửi báo cáo tới Sở Nội vụ, Văn phòng UBND tỉnh để xem xét.")

    def kept_values(self, form, current):
        return {"version": current.version, "note": form.cleaned_data.get("note", "")}


class ReviewView(AssignmentAction):
    kind = "review"

    def allowed(self, assignment, user) -> bool:
        return assignment.can_review(user)

    def make_form(self, assignment):
        return ReviewForm(self.request.POST, assignment=assignment)

    def offered(self, current) -> bool:
        return super().offered(current) and current.review_state == ReviewState.SUBMITTED

    def act(self, assignment, form) -> str:
        decision = form.cleaned_data["decision"]
        services.decide(
            assignment, self.request.user, form.cleaned_data["version"], decision, form.cleaned_data["reason"]
        )
        if decision == ReviewDecision.ACCEPTED:
            return _("Đã chấp nhận báo cáo của %(agency)s.") % {"agency": assignment.agency}
        return _("Đã trả lại báo cáo của %(agency)s; cơ quan sẽ nhận được ý kiến xem xét.") % {
            "agency": assignment.agency
        }

    def kept_values(self, form, current):
        return {"version": current.version, "reason": form.cleaned_data.get("reason", "")}


class ExtensionRequestView(AssignmentAction):
    kind = "extension"

    def allowed(self, assignment, user) -> bool:
        return assignment.can_request_extension(user)

    def make_form(self, assignment):
        return ExtensionRequestForm(self.request.POST, assignment=assignment)

    def act(self, assignment, form) -> str:
        services.request_extension(
            assignment, self.request.user, form.cleaned_data["requested_date"], form.cleaned_data["reason"]
        )
        return _("Đã gửi đề nghị gia hạn; Sở Nội vụ, Văn phòng UBND tỉnh sẽ xem xét.")


class ExtensionDecisionView(LoginRequiredMixin, View):
    """A reviewer grants or refuses a pending extension request (from the task page or the review queue)."""

    def get_request(self, pk: int) -> ExtensionRequest:
        visible = Assignment.objects.for_user(self.request.user)
        queryset = ExtensionRequest.objects.select_related("assignment__task__document", "assignment__agency")
        return get_object_or_404(queryset, pk=pk, assignment__in=visible)

    def get(self, request, pk: int):
        return redirect(self.get_request(pk).assignment.get_absolute_url())

    def post(self, request, pk: int):
        extension = self.get_request(pk)
        if not extension.assignment.can_review(request.user):
            raise PermissionDenied(_("Chỉ cán bộ theo dõi (Sở Nội vụ, Văn phòng UBND tỉnh) mới quyết định gia hạn."))
        form = ExtensionDecisionForm(request.POST, request_id=extension.pk)
        if not form.is_valid():
            return render_task_page(request, extension.assignment.task, bound={("decide", extension.pk): form})
        try:
            services.decide_extension(extension, request.user, form.grant, form.cleaned_data["note"])
        except services.WorkflowError as error:
            messages.error(request, str(error))
        else:
            if form.grant:
                messages.success(
                    request,
                    _("Đã đồng ý gia hạn cho %(agency)s đến %(date)s.")
                    % {"agency": extension.assignment.agency, "date": date_format(extension.requested_date, "d/m/Y")},
                )
            else:
                messages.success(
                    request, _("Đã không đồng ý gia hạn cho %(agency)s.") % {"agency": extension.assignment.agency}
                )
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(target)
        return redirect(extension.assignment.get_absolute_url())


# --------------------------------------------------------------------------------------------------
# Reviewers' queue
# --------------------------------------------------------------------------------------------------


class ReviewQueueView(LoginRequiredMixin, ListView):
    """Reports waiting for a decision (oldest first) and pending extension requests of the reviewer's province."""

    template_name = "tasks/review_queue.html"
    context_object_name = "submitted"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_reviewer:
            raise PermissionDenied(_("Trang này dành cho cán bộ theo dõi (Sở Nội vụ, Văn phòng UBND tỉnh)."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        latest = Review.objects.filter(assignment=OuterRef("pk"), decision=ReviewDecision.SUBMITTED).order_by(
            "-created_at", "-pk"
        )
        return (
            Assignment.objects.for_user(self.request.user)
            .filter(review_state=ReviewState.SUBMITTED)
            .with_status()
            .select_related("task__document", "task__section", "agency")
            .annotate(
                submitted_at=Subquery(latest.values("created_at")[:1]),
                submitted_by_first=Subquery(latest.values("actor__first_name")[:1]),
                submitted_by_username=Subquery(latest.values("actor__username")[:1]),
            )
            .order_by("submitted_at", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pending = list(
            ExtensionRequest.objects.filter(
                state=ExtensionRequest.State.PENDING, assignment__in=Assignment.objects.for_user(self.request.user)
            )
            .select_related(
                "assignment__task__document", "assignment__task__section", "assignment__agency", "requested_by"
            )
            .order_by("requested_at", "pk")
        )
        for extension in pending:
            extension.form = ExtensionDecisionForm(request_id=extension.pk)
        context["pending_extensions"] = pending
        context["bulk_form"] = BulkReviewForm(choices=[])
        context["periodic_waiting"] = list(
            PeriodicReport.objects.for_user(self.request.user)
            .filter(state=PeriodicReport.State.SUBMITTED)
            .select_related("agency", "duty__document")
            .order_by("submitted_at", "pk")[:100]
        )
        return context


class BulkReviewView(LoginRequiredMixin, View):
    """Accept several submitted reports at once, or return them with one reason recorded on each."""

    def post(self, request):
        if not request.user.is_reviewer:
            raise PermissionDenied(_("Trang này dành cho cán bộ theo dõi (Sở Nội vụ, Văn phòng UBND tỉnh)."))
        waiting = Assignment.objects.for_user(request.user).filter(review_state=ReviewState.SUBMITTED)
        ids = [int(v) for v in request.POST.getlist("chosen") if v.isascii() and v.isdigit()]
        form = BulkReviewForm(request.POST, choices=ids)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("tasks:review_queue")
        chosen = list(
            waiting.filter(pk__in=form.cleaned_data["chosen"]).select_related("task__document", "agency").order_by("pk")
        )
        outcome = services.decide_many(
            chosen, request.user, form.cleaned_data["decision"], form.cleaned_data["reason"].strip()
        )
        if form.cleaned_data["decision"] == BulkReviewForm.ACCEPT:
            text = _("Đã chấp nhận %(count)s báo cáo.")
        else:
            text = _("Đã trả lại %(count)s báo cáo; các cơ quan sẽ thấy ý kiến.")
        if outcome.done:
            messages.success(request, text % {"count": len(outcome.done)})
        for assignment, reason in outcome.skipped:
            messages.warning(
                request,
                _("Chưa xử lý báo cáo của %(agency)s (nhiệm vụ %(number)s): %(reason)s")
                % {"agency": assignment.agency, "number": assignment.task.full_number, "reason": reason},
            )
        missing = len(set(form.cleaned_data["chosen"])) - len(chosen)
        if missing:
            messages.warning(request, _("%(count)s báo cáo đã chọn không còn chờ xem xét.") % {"count": missing})
        return redirect("tasks:review_queue")


# --------------------------------------------------------------------------------------------------
# Discussion
# --------------------------------------------------------------------------------------------------


@login_required
def comment(request, pk: int):
    """Write in a task's discussion (everyone who may see the task); the others who follow it are told."""
    task = _visible_task(request, pk)
    if request.method != "POST":
        return redirect(f"{task.get_absolute_url()}#trao-doi")
    form = CommentForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_task_page(request, task, comment_form=form, status=400)
    created = services.add_comment(task, request.user, form.cleaned_data["body"], form.cleaned_data["files"])
    messages.success(request, _("Đã gửi ý kiến; các cơ quan cùng thực hiện nhiệm vụ được thông báo."))
    return redirect(created.get_absolute_url())


@login_required
@require_safe
def comment_file(request, pk: int):
    """Serve a file of the discussion to those who may see the task (404 otherwise), as an attachment."""
    attachment = get_object_or_404(
        CommentFile.objects.filter(comment__in=Comment.objects.for_user(request.user)), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Tệp không còn trên máy chủ.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------------------------------


@login_required
@require_safe
def evidence_download(request, pk: int):
    """Serve an evidence file only to those who may read its update (404 otherwise, like any hidden object).

    Always as an attachment, with the content type checked at upload, an RFC 6266 file name, and a sandbox
    policy: a file never runs in the portal's origin.
    """
    visible = Assignment.objects.readable_by(request.user)
    evidence = get_object_or_404(Evidence.objects.select_related("update"), pk=pk, update__assignment__in=visible)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Tệp không còn trên máy chủ.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
