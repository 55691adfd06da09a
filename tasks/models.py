"""Tasks of a document, the agencies assigned to them, and what those agencies report."""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text import fold, fold_cell
from plans.deadlines import DueKind, Recurrence


def agency_ids_of(user) -> set[int]:
    """Return the ids of the user's agency and of the agencies merged into it; its tasks are the user's.

    Costs one query per generation of mergers, once per user object (the result is kept on it), so a
    page that asks several times pays once.
    """
    if not user.is_authenticated or user.agency_id is None:
        return set()
    cached = getattr(user, "_tasks_agency_ids", None)
    if cached is None:
        cached = user.agency.lineage_ids()
        user._tasks_agency_ids = cached
    return cached


def succeeds_into(agency, target_id: int) -> bool | None:
    """Whether ``agency`` is agency ``target_id`` or was merged into it (its successor chain reaches it), read from
    the agency and whichever successors were loaded with it: no query. None when the loaded part of the chain ends
    before the answer is known (a predecessor's predecessor; ``agency_ids_of`` then answers)."""
    seen = set()
    while agency.pk not in seen:
        if target_id in (agency.pk, agency.successor_id):
            return True
        seen.add(agency.pk)
        if agency.successor_id is None:
            return False
        if not agency._meta.get_field("successor").is_cached(agency):
            return None
        agency = agency.successor
    return False  # a loop in the chain that never reaches the target


class TaskQuerySet(models.QuerySet):
    def for_user(self, user) -> TaskQuerySet:
        """Reviewers and admins see their province's tasks; agency users see tasks their agency (or a predecessor) is assigned."""
        if user.is_superuser:
            return self
        if not user.is_authenticated or user.agency_id is None:
            return self.none()
        if user.is_reviewer:
            return self.filter(document__province_id__in=user.province_scope())
        return self.filter(pk__in=Assignment.objects.filter(agency_id__in=agency_ids_of(user)).values("task_id"))

    def search(self, text: str) -> TaskQuerySet:
        return self.filter(search_text__contains=fold(text)) if text.strip() else self


class Task(models.Model):
    """A deliverable a document asks for: what must be produced, by whom, by when."""

    document = models.ForeignKey("plans.Document", models.PROTECT, related_name="tasks", verbose_name=_("văn bản"))
    section = models.ForeignKey(
        "plans.Section", models.PROTECT, null=True, blank=True, related_name="tasks", verbose_name=_("mục")
    )
    number = models.CharField(_("số thứ tự"), max_length=20, blank=True)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.TextField(_("nhiệm vụ / sản phẩm"))
    description = models.TextField(
        _("nội dung, mô tả"),
        blank=True,
        help_text=_("Cột nội dung hoặc mô tả của bảng, khi bảng có riêng cột tên nhiệm vụ."),
    )
    output = models.TextField(_("sản phẩm đầu ra"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    lead_text = models.TextField(_("cơ quan chủ trì (như văn bản ghi)"), blank=True)
    cooperating_text = models.TextField(_("cơ quan phối hợp (như văn bản ghi)"), blank=True)
    deadline_text = models.CharField(_("thời hạn (như văn bản ghi)"), max_length=255, blank=True)
    due_date = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    due_start = models.DateField(_("bắt đầu"), null=True, blank=True)
    due_kind = models.CharField(_("loại thời hạn"), max_length=12, choices=DueKind, default=DueKind.NONE)
    recurrence = models.CharField(_("định kỳ"), max_length=12, choices=Recurrence, default=Recurrence.NONE, blank=True)
    due_year_inferred = models.BooleanField(_("năm suy ra từ văn bản"), default=False)
    due_needs_confirmation = models.BooleanField(_("thời hạn cần xác nhận"), default=False)
    due_note = models.CharField(_("giải thích thời hạn"), max_length=255, blank=True)
    evidence_required = models.BooleanField(
        _("bắt buộc tài liệu kiểm chứng"),
        default=False,
        help_text=_("Không thể báo cáo hoàn thành nếu thiếu tài liệu kiểm chứng."),
    )
    unresolved_names = models.JSONField(
        _("tên cơ quan chưa xác định"),
        default=list,
        blank=True,
        help_text=_("Tên trong văn bản chưa khớp với cơ quan nào; cần gán trong trang nhập hoặc thêm tên gọi khác."),
    )
    other_parties = models.JSONField(
        _("các bên khác"),
        default=list,
        blank=True,
        help_text=_(
            "Doanh nghiệp, người dân, hiệp hội, tổ chức chính trị - xã hội… mà văn bản nêu cùng nhiệm vụ (không phải cơ quan nhà nước)."
        ),
    )
    source_row = models.PositiveIntegerField(_("hàng trong tệp nhập"), null=True, blank=True)
    extra = models.JSONField(_("cột khác"), default=dict, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = TaskQuerySet.as_manager()
    # The change log reads a task's history by id; indexes on the copied keys would only slow the import.
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"], no_db_index=["document", "section"])

    class Meta:
        ordering = ["document", "order", "pk"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        permissions = [("import_task", _("Nhập bảng nhiệm vụ")), ("export_task", _("Xuất bảng nhiệm vụ"))]
        indexes = [models.Index(fields=["due_date"], name="task_due_date")]

    def __str__(self) -> str:
        title = self.title if len(self.title) <= 80 else self.title[:77] + "…"
        return f"{self.full_number} {title}".strip()

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tasks:detail", args=[self.pk])

    def build_search_text(self) -> str:
        return task_search_text(
            self.number, self.title, self.output, self.lead_text, self.cooperating_text, self.deadline_text
        )

    @property
    def full_number(self) -> str:
        """Return the number with its section's ("III.4"), since sub-numbers restart in each section."""
        if not (self.section_id and self.section.number):
            return self.number
        prefix = self.section.path.replace("/", ".")
        if not self.number:
            return prefix
        if self.number.startswith(f"{self.section.number}."):  # "1.1" under section "1" already says where it is
            return self.number if not self.section.parent_id else f"{prefix.rsplit('.', 1)[0]}.{self.number}"
        return f"{prefix}.{self.number}"

    full_number.fget.short_description = _("số thứ tự")  # the admin's column title

    def apply_deadline(self, deadline) -> None:
        """Copy a parsed ``plans.deadlines.Deadline`` onto the task's due fields."""
        for name, value in deadline_values(deadline).items():
            setattr(self, name, value)


def deadline_values(deadline) -> dict[str, object]:
    """The task fields a parsed ``plans.deadlines.Deadline`` sets (attname -> value)."""
    return {
        "deadline_text": deadline.text,
        "due_kind": deadline.kind,
        "due_date": deadline.due_date,
        "due_start": deadline.start_date,
        "recurrence": deadline.recurrence,
        "due_year_inferred": deadline.year_inferred,
        "due_needs_confirmation": deadline.needs_confirmation,
        "due_note": deadline.reason[:255],
    }


def task_search_text(
    number: str, title: str, output: str, lead_text: str, cooperating_text: str, deadline_text: str
) -> str:
    """The folded text the task search matches: fold() of the fields joined by spaces.

    Folding is word by word, so the fields may be folded apart; the agency and deadline cells, which repeat
    down an appendix, are folded once each (``fold_cell``).
    """
    parts = (
        fold(f"{number} {title} {output}"),
        fold_cell(lead_text),
        fold_cell(cooperating_text),
        fold_cell(deadline_text),
    )
    return " ".join([part for part in parts if part])


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    COOPERATING = "cooperating", _("Phối hợp")


class WorkState(models.TextChoices):
    """What the agency reports; the official status adds the deadline to it."""

    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")


class OfficialStatus(models.TextChoices):
    """The official taxonomy used in CCHC reports."""

    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện trong hạn")
    OVERDUE = "overdue", _("Quá hạn")
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    ONGOING = "ongoing", _("Thực hiện thường xuyên")


STATUS_COLOURS = {
    OfficialStatus.DONE_ON_TIME: "green",
    OfficialStatus.DONE_LATE: "orange",
    OfficialStatus.IN_PROGRESS: "blue",
    OfficialStatus.OVERDUE: "red",
    OfficialStatus.NOT_STARTED: "grey",
    OfficialStatus.ONGOING: "teal",
}

#: Deadlines that name no period at all ("Thường xuyên", "Định kỳ" without saying how often): such work has
#: no due date and is counted apart ("Thực hiện thường xuyên"), never as "Chưa thực hiện" for ever.
ONGOING_KINDS = (DueKind.ONGOING,)


def is_ongoing(due_kind: str, recurrence: str) -> bool:
    """Say whether a task's deadline is ongoing work without any period (see ``ONGOING_KINDS``)."""
    return due_kind in ONGOING_KINDS or (due_kind == DueKind.RECURRING and not recurrence)


def ongoing_q(prefix: str = "task__") -> Q:
    """``is_ongoing`` in SQL, for querysets of tasks (``prefix=""``) or of assignments."""
    return Q(**{f"{prefix}due_kind__in": ONGOING_KINDS}) | Q(
        **{f"{prefix}due_kind": DueKind.RECURRING, f"{prefix}recurrence": ""}
    )


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Chưa gửi")
    SUBMITTED = "submitted", _("Đã gửi, chờ xem xét")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Trả lại, cần bổ sung")


def official_status(
    state: str,
    completed_on: datetime.date | None,
    due: datetime.date | None,
    today: datetime.date,
    ongoing: bool = False,
) -> OfficialStatus:
    """Return the official status; the single source of the rule, mirrored in SQL by ``with_status``.

    ``ongoing``: the task is ongoing work without a period (``is_ongoing``); unless done it is "Thực hiện
    thường xuyên", whatever it reports.
    """
    if state == WorkState.DONE:
        if due is None or completed_on is None or completed_on <= due:
            return OfficialStatus.DONE_ON_TIME
        return OfficialStatus.DONE_LATE
    if ongoing and due is None:
        return OfficialStatus.ONGOING
    if due is not None and due < today:
        return OfficialStatus.OVERDUE
    if state == WorkState.IN_PROGRESS:
        return OfficialStatus.IN_PROGRESS
    return OfficialStatus.NOT_STARTED


class AssignmentQuerySet(models.QuerySet):
    def for_user(self, user) -> AssignmentQuerySet:
        """Reviewers see their province; staff and leaders their own agency's (and its merged predecessors')."""
        if user.is_superuser:
            return self
        if not user.is_authenticated or user.agency_id is None:
            return self.none()
        if user.is_reviewer:
            return self.filter(task__document__province_id__in=user.province_scope())
        return self.filter(agency_id__in=agency_ids_of(user))

    def for_one_action(self) -> AssignmentQuerySet:
        """What an action on one share reads, in one query: the task, its document and the agency, so that
        ``Assignment.is_visible_to`` and the permission checks need no more (the agency's ``successor_id`` answers
        for a share of the user's agency or of one merged into it). Four tables: planning more joins costs more than
        running them."""
        return self.select_related("task__document", "agency")

    def readable_by(self, user) -> AssignmentQuerySet:
        """What a user may read (not change): ``for_user``, plus, for a lead agency, the other agencies' parts
        of the tasks it leads, since it answers for the whole task, and for a cooperating agency the lead's
        parts of the tasks it cooperates on. Two subqueries."""
        if user.is_superuser or not user.is_authenticated or user.agency_id is None or user.is_reviewer:
            return self.for_user(user)
        ids = agency_ids_of(user)
        led = Assignment.objects.filter(agency_id__in=ids, role=AssignmentRole.LEAD).values("task_id")
        # A cooperating agency follows the lead's progress: that is where "phối hợp" happens.
        joined = Assignment.objects.filter(agency_id__in=ids).values("task_id")
        return self.filter(Q(agency_id__in=ids) | Q(task_id__in=led) | Q(role=AssignmentRole.LEAD, task_id__in=joined))

    def by_urgency(self, today: datetime.date | None = None) -> AssignmentQuerySet:
        """Order overdue work first, then open work by its nearest effective due date, then open work without
        a date, then what is done; needs ``with_status`` (of the same ``today``).

        The buckets are written on the state and effective due date, not on the ``status`` CASE: overdue is
        "not done and due before today" (a share with a past due date is never ongoing), done is the state. On
        a province's 8,500 shares sorting by the nested CASE cost half of the list's query."""
        today = today or timezone.localdate()
        done = Q(state=WorkState.DONE)
        bucket = Case(
            When(~done & Q(effective_due__lt=today), then=Value(0)),
            When(done, then=Value(3)),
            When(effective_due__isnull=False, then=Value(1)),
            default=Value(2),
            output_field=models.IntegerField(),
        )
        return self.annotate(urgency=bucket).order_by(
            "urgency", F("effective_due").asc(nulls_last=True), "task__document_id", "task__order", "task_id", "pk"
        )

    def with_status(self, today: datetime.date | None = None) -> AssignmentQuerySet:
        """Annotate ``effective_due`` and ``status`` (OfficialStatus) in SQL, so lists filter and count by it."""
        today = today or timezone.localdate()
        due = Coalesce(F("due_date"), F("task__due_date"))
        return self.annotate(effective_due=due).annotate(
            status=Case(
                When(
                    Q(state=WorkState.DONE)
                    & (
                        Q(effective_due__isnull=True)
                        | Q(completed_on__isnull=True)
                        | Q(completed_on__lte=F("effective_due"))
                    ),
                    then=Value(OfficialStatus.DONE_ON_TIME),
                ),
                When(state=WorkState.DONE, then=Value(OfficialStatus.DONE_LATE)),
                When(ongoing_q() & Q(effective_due__isnull=True), then=Value(OfficialStatus.ONGOING)),
                When(effective_due__lt=today, then=Value(OfficialStatus.OVERDUE)),
                When(state=WorkState.IN_PROGRESS, then=Value(OfficialStatus.IN_PROGRESS)),
                default=Value(OfficialStatus.NOT_STARTED),
                output_field=models.CharField(),
            ),
        )


class Assignment(models.Model):
    """One agency's share of a task, as lead or cooperating, with its own status and progress."""

    # No single-column indexes on task and agency: the unique (task, agency) and the (agency, state) indexes
    # serve those lookups, and every index is paid for by each of the import's thousands of inserts.
    task = models.ForeignKey(
        Task, models.CASCADE, related_name="assignments", verbose_name=_("nhiệm vụ"), db_index=False
    )
    agency = models.ForeignKey(
        "agencies.Agency", models.PROTECT, related_name="assignments", verbose_name=_("cơ quan"), db_index=False
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=AssignmentRole, default=AssignmentRole.LEAD)
    group = models.ForeignKey(
        "agencies.AgencyGroup",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("giao qua nhóm"),
        help_text=_("Nhóm mà văn bản nêu tên, ví dụ 'Các sở, ban, ngành'."),
    )
    state = models.CharField(_("tình trạng"), max_length=12, choices=WorkState, default=WorkState.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0, validators=[MaxValueValidator(100)])
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    due_date = models.DateField(
        _("hạn riêng (gia hạn)"), null=True, blank=True, help_text=_("Để trống: theo hạn của nhiệm vụ.")
    )
    review_state = models.CharField(_("xem xét"), max_length=12, choices=ReviewState, default=ReviewState.DRAFT)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"], no_db_index=["task", "agency", "group"])

    class Meta:
        ordering = ["task", "role", "agency__name"]
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        permissions = [("import_assignment", _("Nhập bảng phân công")), ("export_assignment", _("Xuất bảng phân công"))]
        constraints = [
            models.UniqueConstraint(fields=["task", "agency"], name="assignment_unique_agency_per_task"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="assignment_progress_at_most_100"),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(completed_on__isnull=False), name="assignment_done_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state"], name="assignment_agency_state"),
            models.Index(fields=["state", "due_date"], name="assignment_state_due"),
            # The dashboard's per-task status reads only lead assignments.
            models.Index(fields=["task"], condition=Q(role="lead"), name="assignment_lead_task"),
            # The work queues of the main menu: reports waiting for a reviewer, or returned to the agency.
            models.Index(
                fields=["review_state", "agency"],
                condition=Q(review_state__in=["submitted", "returned"]),
                name="assignment_in_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.get_role_display()} – {self.task.full_number}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:  # any saved change makes the forms rendered before it stale
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{reverse('tasks:detail', args=[self.task_id])}#phan-viec-{self.pk}"

    @property
    def effective_due_date(self) -> datetime.date | None:
        return self.due_date or self.task.due_date

    def official_status(self, today: datetime.date | None = None) -> OfficialStatus:
        ongoing = is_ongoing(self.task.due_kind, self.task.recurrence)
        return official_status(
            self.state, self.completed_on, self.effective_due_date, today or timezone.localdate(), ongoing
        )

    # --- presentation, computed here rather than in templates; they read the ``with_status`` annotations
    # when present and fall back to the Python rule otherwise.

    @property
    def current_status(self) -> OfficialStatus:
        status = getattr(self, "status", None)
        return OfficialStatus(status) if status else self.official_status()

    @property
    def current_due(self) -> datetime.date | None:
        if hasattr(self, "effective_due"):
            return self.effective_due
        return self.effective_due_date

    @property
    def status_label(self) -> str:
        return self.current_status.label

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.current_status]

    @property
    def review_colour(self) -> str:
        return {ReviewState.SUBMITTED: "blue", ReviewState.ACCEPTED: "green", ReviewState.RETURNED: "red"}.get(
            self.review_state, "grey"
        )

    @property
    def due_hint(self) -> str:
        """Return "quá hạn 5 ngày", "còn 3 ngày", "hạn hôm nay" for open work with a date; empty otherwise."""
        due = self.current_due
        if due is None or self.state == WorkState.DONE:
            return ""
        days = (due - timezone.localdate()).days
        if days < 0:
            return _("quá hạn %(n)s ngày") % {"n": -days}
        if days == 0:
            return str(_("hạn hôm nay"))
        return _("còn %(n)s ngày") % {"n": days}

    @property
    def is_extended(self) -> bool:
        """This agency has its own deadline (an extension) instead of the task's.

        A recurring task's share keeps the due date of its earliest open period there (``tasks.recurring``):
        that is not an extension."""
        return self.due_date is not None and not self.is_recurring

    @property
    def is_recurring(self) -> bool:
        """The task recurs each period ("Hằng quý"): the share reports once per period (``Occurrence``)."""
        return self.task.due_kind == DueKind.RECURRING and bool(self.task.recurrence)

    @property
    def is_locked(self) -> bool:
        """An accepted final report is locked: the agency cannot change it until a reviewer reopens it."""
        return self.review_state == ReviewState.ACCEPTED and self.state == WorkState.DONE

    # --- who may do what on this assignment; the views start from ``for_user`` (404 for the rest) and
    # these checks say which actions a visible assignment offers (403 when refused).

    def is_own(self, user) -> bool:
        """The user belongs to this assignment's agency (or to the agency it was merged into).

        No query when the user's lineage is known (``agency_ids_of``) or when this share's agency was loaded and is
        the user's or was merged straight into it (``succeeds_into``); otherwise one query per generation of mergers,
        once per user object.
        """
        if not user.is_authenticated or user.agency_id is None:
            return False
        if getattr(user, "_tasks_agency_ids", None) is None and self._meta.get_field("agency").is_cached(self):
            owned = succeeds_into(self.agency, user.agency_id)
            if owned is not None:
                return owned
        return self.agency_id in agency_ids_of(user)

    def is_visible_to(self, user) -> bool:
        """``Assignment.objects.for_user(user)`` for this one share, on the loaded row: no query when the task's
        document and the agency were loaded with it (``AssignmentQuerySet.for_one_action``)."""
        if user.is_superuser:
            return True
        if not user.is_authenticated or user.agency_id is None:
            return False
        if user.is_reviewer:
            return user.sees_province(self.task.document.province_id)
        return self.is_own(user)

    def is_readable_among(self, user, siblings: list[Assignment]) -> bool:
        """``readable_by`` in Python, given all the assignments of this one's task (no query)."""
        if user.is_superuser or user.is_reviewer or self.is_own(user):
            return True
        if self.role == AssignmentRole.LEAD and any(other.is_own(user) for other in siblings):
            return True  # a cooperating agency follows the lead's progress
        return any(other.role == AssignmentRole.LEAD and other.is_own(user) for other in siblings)

    def can_report(self, user) -> bool:
        return self.is_own(user) and not self.is_locked

    def can_submit(self, user) -> bool:
        return user.is_leader and self.is_own(user)

    def can_review(self, user) -> bool:
        return user.is_reviewer and (user.is_superuser or user.sees_province(self.task.document.province_id))

    def can_request_extension(self, user) -> bool:
        return self.is_own(user) and self.state != WorkState.DONE

    def can_reopen(self, user) -> bool:
        """A reviewer may reopen an accepted report, with a reason."""
        return self.review_state == ReviewState.ACCEPTED and self.can_review(user)


class ProgressUpdate(models.Model):
    """A report an agency makes on its share of a task: status, progress, what was done, evidence."""

    assignment = models.ForeignKey(Assignment, models.CASCADE, related_name="updates", verbose_name=_("phân công"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="progress_updates", verbose_name=_("người báo cáo")
    )
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    state = models.CharField(_("tình trạng"), max_length=12, choices=WorkState)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), validators=[MaxValueValidator(100)])
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    note = models.TextField(_("kết quả thực hiện"), blank=True)
    evidence_number = models.CharField(_("số văn bản kiểm chứng"), max_length=60, blank=True)
    evidence_date = models.DateField(_("ngày văn bản kiểm chứng"), null=True, blank=True)
    evidence_link = models.URLField(_("đường dẫn kiểm chứng"), max_length=500, blank=True)
    answers = models.ForeignKey(
        "Review",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("trả lời ý kiến"),
        help_text=_("Lần trả lại mà báo cáo này bổ sung."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        indexes = [models.Index(fields=["assignment", "-created_at"], name="update_assignment_recent")]

    def __str__(self) -> str:
        return f"{self.assignment} – {self.created_at:%d/%m/%Y}"

    @property
    def has_evidence(self) -> bool:
        """Say whether the update proves anything; reads the prefetched files when there are some (no query)."""
        return bool(self.evidence_number or self.evidence_link) or bool(self.evidence.all())


def evidence_path(evidence: Evidence, filename: str) -> str:
    """Store under a random name: what users call their files never reaches the file system."""
    suffix = PurePath(filename).suffix.lower()[:8]
    today = timezone.localdate()
    return f"evidence/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file attached to a progress update as proof (tài liệu kiểm chứng); served only to those who may see the task."""

    update = models.ForeignKey(ProgressUpdate, models.CASCADE, related_name="evidence", verbose_name=_("báo cáo"))
    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại nội dung"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tasks:evidence", args=[self.pk])


class ReviewDecision(models.TextChoices):
    SUBMITTED = "submitted", _("Lãnh đạo gửi báo cáo")
    ACCEPTED = "accepted", _("Chấp nhận")
    RETURNED = "returned", _("Trả lại")
    REOPENED = "reopened", _("Mở lại báo cáo đã chấp nhận")


class Review(models.Model):
    """One step of the review of an agency's report: its leader submits it, a reviewer accepts or returns it.

    Kept for ever: the history of a report is the list of these steps. A return always says why.
    """

    assignment = models.ForeignKey(Assignment, models.CASCADE, related_name="reviews", verbose_name=_("phân công"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="reviews", verbose_name=_("người thực hiện")
    )
    decision = models.CharField(_("nội dung"), max_length=12, choices=ReviewDecision)
    reason = models.TextField(_("ý kiến"), blank=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("xem xét báo cáo")
        verbose_name_plural = _("xem xét báo cáo")
        constraints = [
            models.CheckConstraint(condition=~Q(decision="returned") | ~Q(reason=""), name="review_return_has_reason"),
            models.CheckConstraint(condition=~Q(decision="reopened") | ~Q(reason=""), name="review_reopen_has_reason"),
        ]
        indexes = [models.Index(fields=["assignment", "-created_at"], name="review_assignment_recent")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} – {self.assignment} – {self.created_at:%d/%m/%Y}"


class ExtensionRequest(models.Model):
    """An agency's request for a later deadline on its share of a task, and the reviewer's decision.

    ``previous_due`` is the deadline when the request was made, so the history keeps both dates.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ quyết định")
        GRANTED = "granted", _("Đồng ý gia hạn")
        REFUSED = "refused", _("Không đồng ý")

    assignment = models.ForeignKey(
        Assignment, models.CASCADE, related_name="extension_requests", verbose_name=_("phân công")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="extension_requests", verbose_name=_("người đề nghị")
    )
    requested_at = models.DateTimeField(_("đề nghị lúc"), default=timezone.now)
    requested_date = models.DateField(_("hạn đề nghị"))
    previous_due = models.DateField(_("hạn trước khi gia hạn"), null=True, blank=True)
    reason = models.TextField(_("lý do"))
    state = models.CharField(_("tình trạng"), max_length=10, choices=State, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="extension_decisions",
        verbose_name=_("người quyết định"),
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_note = models.TextField(_("ý kiến khi quyết định"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(state="pending"), name="extension_one_pending_per_assignment"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="extension_decision_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} – {self.requested_date:%d/%m/%Y} ({self.get_state_display()})"

    @property
    def state_colour(self) -> str:
        return {self.State.GRANTED: "green", self.State.REFUSED: "red"}.get(self.state, "blue")

    def can_decide(self, user) -> bool:
        return self.state == self.State.PENDING and self.assignment.can_review(user)


class OccurrenceQuerySet(models.QuerySet):
    def for_user(self, user) -> OccurrenceQuerySet:
        """The periods of the shares the user may read (``Assignment.readable_by``)."""
        return self.filter(assignment__in=Assignment.objects.readable_by(user))


class Occurrence(models.Model):
    """One period of a recurring share ("Hằng quý" → quarter I, II…): its due date, and whether it was reported.

    Written by ``tasks.recurring.sync_occurrences`` for every period of the document's validity; the share's
    ``due_date`` follows its earliest open period, so reminders, overdue and the lists treat each period as a
    deadline of its own.
    """

    assignment = models.ForeignKey(Assignment, models.CASCADE, related_name="occurrences", verbose_name=_("phân công"))
    period_start = models.DateField(_("kỳ từ ngày"))
    period_end = models.DateField(_("kỳ đến ngày"))
    due_date = models.DateField(_("hạn của kỳ"))
    state = models.CharField(_("tình trạng"), max_length=12, choices=WorkState, default=WorkState.NOT_STARTED)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    update = models.ForeignKey(
        ProgressUpdate,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("báo cáo của kỳ"),
    )

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["assignment", "period_start"]
        verbose_name = _("kỳ thực hiện")
        verbose_name_plural = _("kỳ thực hiện")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "period_start"], name="occurrence_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="occurrence_period_ordered"),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(completed_on__isnull=False), name="occurrence_done_has_date"
            ),
        ]
        indexes = [models.Index(fields=["due_date"], condition=~Q(state="done"), name="occurrence_open_due")]

    def __str__(self) -> str:
        return f"{self.assignment} – {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    def official_status(self, today: datetime.date | None = None) -> OfficialStatus:
        return official_status(self.state, self.completed_on, self.due_date, today or timezone.localdate())

    @property
    def status_label(self) -> str:
        return self.official_status().label

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.official_status()]


class CommentQuerySet(models.QuerySet):
    def for_user(self, user) -> CommentQuerySet:
        """Comments on the tasks the user may see: everyone who may see a task takes part in its discussion."""
        return self.filter(task__in=Task.objects.for_user(user))


class Comment(models.Model):
    """A message in a task's discussion between the lead agency, the cooperating agencies and the reviewers."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="comments", verbose_name=_("nhiệm vụ"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="task_comments", verbose_name=_("người viết")
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="task_comments",
        verbose_name=_("cơ quan của người viết"),
    )
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ý kiến trao đổi")
        verbose_name_plural = _("ý kiến trao đổi")
        indexes = [models.Index(fields=["task", "created_at"], name="comment_task_time")]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_has_body")]

    def __str__(self) -> str:
        return f"{self.author} – {self.created_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return f"{reverse('tasks:detail', args=[self.task_id])}#y-kien-{self.pk}"


def comment_file_path(attachment: CommentFile, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"comments/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class CommentFile(models.Model):
    """A file attached to a comment; served only to those who may see the task."""

    comment = models.ForeignKey(Comment, models.CASCADE, related_name="files", verbose_name=_("ý kiến"))
    file = models.FileField(_("tệp"), upload_to=comment_file_path, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại nội dung"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tệp đính kèm ý kiến")
        verbose_name_plural = _("tệp đính kèm ý kiến")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tasks:comment_file", args=[self.pk])
