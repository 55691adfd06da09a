"""What the task pages show, computed in Python from a constant number of queries (views stay thin).

``task_page`` builds one task's page: the parts (one agency's share each) the user may read, their timelines
of reports and decisions, the forms this user may use on each, and the readable change log.
``conflict_page`` builds the 409 answer to a save on a stale version: that one share, as saved now, next to what
the user typed, and the form again with the new version.
``list_summary`` counts the user's assignments by role and official status for the list's tabs and legend;
``page_with_counts`` reads a page of the list with those counts in one query, and ``list_rows`` draws its rows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Subquery, Window, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, AgencyGroup, User
from plans.models import Section
from tasks.forms import ExtensionDecisionForm, ExtensionRequestForm, ProgressForm, ReopenForm, ReviewForm, SubmitForm
from tasks.history import change_log, merge_initial_assignments, newest_history, newest_per_part
from tasks.models import (
    STATUS_COLOURS,
    Assignment,
    AssignmentRole,
    ExtensionRequest,
    Occurrence,
    OfficialStatus,
    ProgressUpdate,
    Review,
    ReviewDecision,
    ReviewState,
    Task,
    WorkState,
    ongoing_q,
)

HISTORY_SHOWN = 60
LEGEND_ORDER = [
    OfficialStatus.OVERDUE,
    OfficialStatus.IN_PROGRESS,
    OfficialStatus.NOT_STARTED,
    OfficialStatus.DONE_ON_TIME,
    OfficialStatus.DONE_LATE,
    OfficialStatus.ONGOING,
]


def status_counters(today) -> dict:
    """Aggregates counting assignments annotated ``with_status`` by official status, written as plain conditions
    on the state, completion and effective due date (the rule of ``with_status``): counting by the status CASE
    evaluates it once per counter and row (six times 8,500 rows for a province's list). ``list_summary`` derives
    the done on time (done less done late) and the not started (none of the others)."""
    done = Q(state=WorkState.DONE)
    due = Q(effective_due__isnull=True)
    ongoing = ongoing_q() & due
    return {
        "done": Count("pk", filter=done),
        OfficialStatus.DONE_LATE.value: Count("pk", filter=done & Q(completed_on__gt=F("effective_due"))),
        OfficialStatus.OVERDUE.value: Count("pk", filter=~done & Q(effective_due__lt=today)),
        OfficialStatus.ONGOING.value: Count("pk", filter=~done & ongoing),
        OfficialStatus.IN_PROGRESS.value: Count(
            "pk", filter=Q(state=WorkState.IN_PROGRESS) & (due | Q(effective_due__gte=today)) & ~ongoing
        ),
    }


def list_counters(today) -> dict:
    """The list's counters: all its assignments, the lead and the cooperating ones, and ``status_counters``."""
    return {
        "total": Count("pk"),
        "lead": Count("pk", filter=Q(role=AssignmentRole.LEAD)),
        "cooperating": Count("pk", filter=Q(role=AssignmentRole.COOPERATING)),
        **status_counters(today),
    }


def list_summary(user, counted: dict | None = None) -> dict:
    """Count the user's assignments by role and by official status: one aggregate query, or none when ``counted``
    holds ``list_counters`` over them already (read with the unfiltered list's page by ``page_with_counts``)."""
    if counted is None:
        counted = Assignment.objects.for_user(user).with_status().aggregate(**list_counters(timezone.localdate()))
    counts = dict(counted)
    counts[OfficialStatus.DONE_ON_TIME.value] = counts.pop("done") - counts[OfficialStatus.DONE_LATE.value]
    known = [status.value for status in OfficialStatus if status != OfficialStatus.NOT_STARTED]
    counts[OfficialStatus.NOT_STARTED.value] = counts["total"] - sum(counts[status] for status in known)
    legend = [
        {"value": s.value, "label": s.label, "colour": STATUS_COLOURS[s], "count": counts[s.value]}
        for s in LEGEND_ORDER
    ]
    return {"counts": counts, "legend": legend}


def page_with_counts(queryset, offset: int, size: int, counters: dict) -> tuple[list[int], dict | None]:
    """Return the ids of ``size`` rows of the ordered ``queryset`` from ``offset``, and ``counters`` (aggregates)
    over all its rows, read in one query: each counter is a window over the whole result (``COUNT(…) OVER ()``),
    computed before the LIMIT. One scan of a province's 8,500 shares instead of two (the page, then the counts).
    The counts are None when the page is empty (no row carries them)."""
    names = {f"all_{name}": name for name in counters}
    windows = {alias: Window(counters[name]) for alias, name in names.items()}
    rows = list(queryset.annotate(**windows).values_list("pk", *names)[offset : offset + size])
    if not rows:
        return [], None
    return [row[0] for row in rows], dict(zip(names.values(), rows[0][1:], strict=True))


ROW_RELATED = ("task__document", "task__section", "agency", "group")
# What ``list_rows`` reads of a share and its task, document, section, agency and group (``QuerySet.only``): the
# tasks' long texts and JSON columns and the documents' would be read, decoded and dropped on every row.
ROW_FIELDS = (
    *("task", "agency", "group", "role", "state", "progress", "completed_on", "due_date", "review_state"),
    *("task__document", "task__section", "task__number", "task__title", "task__deadline_text", "task__due_date"),
    *("task__due_kind", "task__recurrence", "task__due_needs_confirmation"),
    *("task__document__number", "task__document__symbol", "agency__name", "group__name"),
    *("task__section__number", "task__section__path", "task__section__title", "task__section__parent"),
)
# The list's columns, said in each cell for narrow screens (``data-label``), in the table's order.
ROW_LABELS = {
    "status": gettext_lazy("Tình trạng"),
    "task": gettext_lazy("Nhiệm vụ"),
    "role": gettext_lazy("Vai trò"),
    "agency": gettext_lazy("Cơ quan"),
    "due": gettext_lazy("Hạn"),
    "progress": gettext_lazy("Tiến độ"),
    "review": gettext_lazy("Xem xét"),
}
_ROW = (
    '\n  <tr class="status-{status}" data-testid="assignment-row">\n'
    '    <td data-label="{l_status}"><span class="badge badge-{colour}">{status_label}</span></td>\n'
    '    <td data-label="{l_task}" class="task-cell">\n'
    '      <a href="{url}">{number}. {title}</a>\n'
    '      <div class="muted">{document}{section}</div>\n'
    "    </td>\n"
    '    <td data-label="{l_role}"><span class="role role-{role}">{role_label}</span>{group}</td>\n'
    "    {agency}\n"
    '    <td data-label="{l_due}" class="due-cell">\n'
    "      {due}\n"
    "      {confirm}\n"
    "      {hint}\n"
    "    </td>\n"
    '    <td data-label="{l_progress}"><progress max="100" value="{progress}" aria-hidden="true"></progress>'
    " {progress}%</td>\n"
    '    <td data-label="{l_review}"><span class="badge badge-{review_colour}">{review_label}</span></td>\n'
    "  </tr>"
)

# The choices whose labels the rows show (status, role, review).
CHOICES_SHOWN = (OfficialStatus, AssignmentRole, ReviewState)


def truncated(value, length: int) -> str:
    """``value|truncatechars:length``: a text as long or shorter comes back as it is (NFC, as Truncator returns it)
    without Truncator's walk over its characters."""
    text = unicodedata.normalize("NFC", str(value))
    return text if len(text) <= length else Truncator(text).chars(length)


def list_rows(assignments: list[Assignment], reviewer: bool) -> str:
    """The list's table rows, drawn in Python (the markup tasks/task_list.html had): 25 rows through the template
    engine cost more than the rest of the page. Every text is escaped; the rows read no query (``TaskListView.rows``
    loaded each share with its task, document, section, agency and group)."""
    labels = {f"l_{key}": escape(str(label)) for key, label in ROW_LABELS.items()}
    extended, confirm = escape(_("đã gia hạn")), escape(_("cần xác nhận"))
    no_deadline = escape(_("Không nêu thời hạn"))
    # The choices' labels, translated once for the page (``get_FOO_display`` hashes every choice on each call).
    statuses, roles, reviews = ({value: escape(str(label)) for value, label in kind.choices} for kind in CHOICES_SHOWN)
    rows = []
    for a in assignments:
        task, due, status = a.task, a.current_due, a.current_status
        colour = STATUS_COLOURS[status]
        if due:
            shown_due = escape(date_format(due, "d/m/Y"))
            if a.is_extended:
                shown_due += f' <span class="muted">({extended})</span>'
            shown_due += "\n      "
        else:
            shown_due = escape(task.deadline_text or no_deadline)
        hint = a.due_hint
        group = ""
        if a.group:
            group = f'<div class="muted">{_("giao cho “%(group)s”") % {"group": escape(a.group)}}</div>'
        rows.append(
            _ROW.format(
                **labels,
                status=escape(status),
                colour=colour,
                status_label=statuses[status],
                url=escape(a.get_absolute_url()),
                number=escape(task.full_number),
                title=escape(truncated(task.title, 180)),
                document=escape(task.document.display_number),
                section=f" · {escape(truncated(task.section, 70))}" if task.section else "",
                role=escape(a.role),
                role_label=roles.get(a.role) or escape(a.role),
                group=group,
                agency=f'<td data-label="{labels["l_agency"]}">{escape(a.agency)}</td>' if reviewer else "",
                due=shown_due,
                confirm=f'<span class="badge badge-orange">{confirm}</span>' if task.due_needs_confirmation else "",
                hint=f'<div class="muted hint-{colour}">{escape(hint)}</div>' if hint else "",
                progress=escape(localize(a.progress)),
                review_colour=a.review_colour,
                review_label=reviews.get(a.review_state) or escape(a.review_state),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@dataclass
class TimelineItem:
    kind: str  # update, submitted, accepted, returned, extension_asked, extension_decided
    when: object
    who: object
    obj: object


OWN_TIMELINE_SHOWN = 24
OTHER_TIMELINE_SHOWN = 3
CROWDED_PARTS = 8


@dataclass
class Part:
    """One agency's share of the task as the page shows it: status, history, and the forms this user may use."""

    assignment: Assignment
    own: bool
    timeline: list[TimelineItem] = field(default_factory=list)
    last_update: ProgressUpdate | None = None
    last_return: Review | None = None
    answered: bool = False
    last_submission: Review | None = None
    pending_extension: ExtensionRequest | None = None
    report_form: ProgressForm | None = None
    submit_form: SubmitForm | None = None
    review_form: ReviewForm | None = None
    extension_form: ExtensionRequestForm | None = None
    decision_form: ExtensionDecisionForm | None = None
    reopen_form: ReopenForm | None = None
    occurrences: list[Occurrence] = field(default_factory=list)
    submit_blocked: str = ""
    hint: str = ""
    shown_limit: int = OWN_TIMELINE_SHOWN
    update_count: int = 0  # all of the part's reports; only the newest ``shown_limit`` are read

    @property
    def anchor(self) -> str:
        return f"phan-viec-{self.assignment.pk}"

    @property
    def shown_timeline(self) -> list[TimelineItem]:
        """The newest entries: all of one's own part (up to a year of monthly reports), a few of the others'.

        A task given to 100 communes would otherwise render 1,200 reports on one page (2 s of templating).
        """
        return self.timeline[: self.shown_limit]

    @property
    def hidden_timeline(self) -> int:
        updates_read = sum(1 for item in self.timeline if item.kind == "update")
        return max(0, len(self.timeline) + self.update_count - updates_read - len(self.shown_timeline))

    @property
    def has_activity(self) -> bool:
        """Something to show beyond the summary row: reports, decisions, or a form for this user."""
        return bool(
            self.timeline or self.review_form or self.decision_form or self.pending_extension or self.report_form
        )

    @property
    def open(self) -> bool:
        """Shown unfolded: the user's own part, or one waiting for this user's decision."""
        return bool(self.own or self.review_form or self.decision_form)


def _agency_lines(assignments: list[Assignment], role: str) -> list[dict]:
    """Group the agencies of one role as the page lists them: named ones, and each group with its members."""
    lines: dict[object, dict] = {}
    for a in assignments:
        if a.role != role:
            continue
        key = a.group_id or f"agency-{a.agency_id}"
        line = lines.setdefault(key, {"group": a.group, "agencies": []})
        line["agencies"].append(a.agency)
    return list(lines.values())


def task_page(request, task: Task, bound: dict | None = None) -> dict:
    """Build the task page: the task, every part the user may read, their timelines and forms, the change log.

    A constant number of queries (about a dozen) however many agencies, updates or changes there are.
    ``bound`` maps (form kind, object pk) to a form to show instead of a fresh one (a form with errors).
    """
    user = request.user
    bound = bound or {}
    everyone, visible = _readable_assignments(user, task)
    ids = [a.pk for a in visible]
    parts = _new_parts(user, visible)
    updates = _newest_updates(parts)
    _count_updates(parts, ids)
    reviews = list(Review.objects.filter(assignment_id__in=ids).select_related("actor__agency"))
    extensions = list(
        ExtensionRequest.objects.filter(assignment_id__in=ids).select_related(
            "requested_by__agency", "decided_by__agency"
        )
    )
    _add_updates(parts, updates)
    _add_reviews(parts, reviews)
    _add_extensions(parts, extensions)
    _add_occurrences(parts)
    for part in parts.values():
        _settle_part(part)
        _attach_forms(part, user, bound)

    # Evidence only for the reports shown: a task given to 100 communes has 1,200 reports a year.
    shown = [item.obj for part in parts.values() for item in part.shown_timeline if item.kind == "update"]
    prefetch_related_objects(shown, "evidence")

    own_parts = [p for p in parts.values() if p.own]
    other_parts = [p for p in parts.values() if not p.own]
    return {
        "task": task,
        "lead_lines": _agency_lines(everyone, AssignmentRole.LEAD),
        "cooperating_lines": _agency_lines(everyone, AssignmentRole.COOPERATING),
        "own_parts": own_parts,
        "other_parts": other_parts,
        "others_reported": sum(1 for p in other_parts if p.last_update),
        "awaiting": [p for p in parts.values() if p.review_form or p.decision_form],
        "summary_open": len(other_parts) <= 8,
        **_history_context(request, task, visible, updates, reviews, extensions),
        "is_reviewer": user.is_reviewer,
        "has_hidden_parts": len(visible) < len(everyone),
    }


def _readable_assignments(user: User, task: Task) -> tuple[list[Assignment], list[Assignment]]:
    """All the task's assignments (leads first, then by agency name), and those the user may read."""
    everyone = sorted(
        task.assignments.with_status().select_related("agency", "group"),
        key=lambda a: (a.role != AssignmentRole.LEAD, a.agency.name),
    )
    for a in everyone:
        a.task = task
    visible = [a for a in everyone if a.is_readable_among(user, everyone)]
    return everyone, visible


def _new_parts(user: User, visible: list[Assignment]) -> dict[int, Part]:
    """One empty part per readable assignment, by assignment pk, with how many timeline entries it shows."""
    # With many agencies (a task given to 100 communes) the others' parts show only their latest entries.
    crowded = len(visible) > CROWDED_PARTS
    parts = {}
    for a in visible:
        own = a.is_own(user)
        parts[a.pk] = Part(
            assignment=a, own=own, shown_limit=OTHER_TIMELINE_SHOWN if crowded and not own else OWN_TIMELINE_SHOWN
        )
    return parts


def _newest_updates(parts: dict[int, Part]) -> list[ProgressUpdate]:
    """The newest ``shown_limit`` reports of each part: one query per distinct limit."""
    # Only the reports a timeline can show: a part with years of monthly reports (or a load test's thousands)
    # costs the same as one with a few. The newest ``shown_limit`` reports hold every report among the newest
    # ``shown_limit`` entries of the timeline, whatever the reviews and extensions around them.
    updates = []
    for limit in sorted({p.shown_limit for p in parts.values()}):
        chosen = [pk for pk, p in parts.items() if p.shown_limit == limit]
        queryset = ProgressUpdate.objects.select_related("author__agency")
        updates += newest_per_part(queryset, "assignment_id", chosen, limit, ["-created_at", "-id"])
    return updates


def _count_updates(parts: dict[int, Part], ids: list[int]) -> None:
    """Set each part's count of all its reports (one query)."""
    counts = ProgressUpdate.objects.filter(assignment_id__in=ids).values("assignment_id").annotate(n=Count("pk"))
    for row in counts.values_list("assignment_id", "n"):
        parts[row[0]].update_count = row[1]


def _add_updates(parts: dict[int, Part], updates: list[ProgressUpdate]) -> None:
    """Put the reports on their parts' timelines and note each part's latest report."""
    for update in updates:
        part = parts[update.assignment_id]
        part.timeline.append(TimelineItem("update", update.created_at, update.author, update))
        if part.last_update is None or update.created_at > part.last_update.created_at:
            part.last_update = update


def _add_reviews(parts: dict[int, Part], reviews: list[Review]) -> None:
    """Put the review decisions on their parts' timelines and note each part's latest return and submission."""
    for review in reviews:
        part = parts[review.assignment_id]
        part.timeline.append(TimelineItem(review.decision, review.created_at, review.actor, review))
        if review.decision in (ReviewDecision.RETURNED, ReviewDecision.REOPENED) and (
            part.last_return is None or review.created_at > part.last_return.created_at
        ):
            part.last_return = review
        if review.decision == ReviewDecision.SUBMITTED and (
            part.last_submission is None or review.created_at > part.last_submission.created_at
        ):
            part.last_submission = review


def _add_extensions(parts: dict[int, Part], extensions: list[ExtensionRequest]) -> None:
    """Put the extension requests and decisions on their parts' timelines and note each part's pending one."""
    for request_ in extensions:
        part = parts[request_.assignment_id]
        request_.assignment = part.assignment
        part.timeline.append(TimelineItem("extension_asked", request_.requested_at, request_.requested_by, request_))
        if request_.decided_at:
            part.timeline.append(TimelineItem("extension_decided", request_.decided_at, request_.decided_by, request_))
        if request_.state == ExtensionRequest.State.PENDING:
            part.pending_extension = request_


def _add_occurrences(parts: dict[int, Part]) -> None:
    """Give each recurring part its periods, in order (one query, none when no part recurs)."""
    recurring = [pk for pk, p in parts.items() if p.assignment.is_recurring]
    if recurring:  # the periods of a recurring task's shares: one query
        for occurrence in Occurrence.objects.filter(assignment_id__in=recurring).order_by("period_start"):
            parts[occurrence.assignment_id].occurrences.append(occurrence)


def _settle_part(part: Part) -> None:
    """Sort the part's timeline newest first and say whether a return was answered."""
    part.timeline.sort(key=lambda item: item.when, reverse=True)
    if part.last_return:
        part.answered = bool(part.last_update and part.last_update.created_at > part.last_return.created_at)


def _attach_forms(part: Part, user: User, bound: dict) -> None:
    """Give the part the forms this user may use on it (a bound one when given), or why submitting is blocked."""
    a = part.assignment
    if a.can_report(user):
        part.report_form = bound.get(("report", a.pk)) or ProgressForm(assignment=a, occurrences=part.occurrences)
        if a.can_request_extension(user) and not part.pending_extension:
            part.extension_form = bound.get(("extension", a.pk)) or ExtensionRequestForm(assignment=a)
    if a.can_submit(user) and a.review_state in (ReviewState.DRAFT, ReviewState.RETURNED):
        part.submit_form = bound.get(("submit", a.pk)) or SubmitForm(assignment=a)
        if part.last_update is None:
            part.submit_blocked = _("Chưa có báo cáo tiến độ nào để gửi.")
        elif a.review_state == ReviewState.RETURNED and not part.answered:
            part.submit_blocked = _("Cần có báo cáo bổ sung (trả lời ý kiến trả lại) trước khi gửi lại.")
    elif part.own and a.review_state in (ReviewState.DRAFT, ReviewState.RETURNED) and part.last_update:
        part.hint = _("Lãnh đạo đơn vị sẽ gửi báo cáo này để Sở Nội vụ, Văn phòng UBND tỉnh xem xét.")
    if a.can_review(user) and a.review_state == ReviewState.SUBMITTED:
        part.review_form = bound.get(("review", a.pk)) or ReviewForm(assignment=a)
    if a.can_reopen(user):
        part.reopen_form = bound.get(("reopen", a.pk)) or ReopenForm(assignment=a)
    if part.pending_extension and part.pending_extension.can_decide(user):
        part.decision_form = bound.get(("decide", part.pending_extension.pk)) or ExtensionDecisionForm(
            request_id=part.pending_extension.pk
        )


def _history_context(request, task, visible, updates, reviews, extensions) -> dict:
    """The change log as the page shows it: the newest HISTORY_SHOWN changes, or all of them (``?lich_su=tat-ca``)."""
    show_all = request.GET.get("lich_su") == "tat-ca"
    history, more = _change_log(task, visible, updates, reviews, extensions, None if show_all else HISTORY_SHOWN)
    return {
        "history": history if show_all else history[:HISTORY_SHOWN],
        "history_total": f"{HISTORY_SHOWN}+" if more else len(history),
        "history_truncated": not show_all and (more or len(history) > HISTORY_SHOWN),
    }


# Each historical model, with the field that ties its rows to the parts (the task's own: to the task).
HISTORY_KEYS = {
    Task: "id",
    Assignment: "id",
    ProgressUpdate: "assignment_id",
    Review: "assignment_id",
    ExtensionRequest: "assignment_id",
}


def _history_rows(task: Task, ids: list[int], limit: int | None) -> tuple[dict, dict, bool]:
    """The historical rows the change log reads, per model; the rows before them read only to compare with; and
    whether older rows were left unread.

    With ``limit``: the newest ``limit`` rows of each model (``newest_history``: bounded however long the history)
    and the creations of the parts (the import's "given to these agencies": one index entry per part). Without it
    (``?lich_su=tat-ca``): every row, one query per model.
    """
    keys = {model: [task.pk] if model is Task else ids for model in HISTORY_KEYS}
    if limit is None:
        return (
            {
                model: model.history.filter(**{f"{key}__in": keys[model]}).select_related("history_user")
                for model, key in HISTORY_KEYS.items()
            },
            {},
            False,
        )
    first = ["history_date", "history_id"]
    creations = newest_per_part(Assignment.history.select_related("history_user"), "id", ids, 1, first, created=True)
    history: dict = {}
    earlier: dict = {}
    more = False
    for model, key in HISTORY_KEYS.items():
        rows, before, older = newest_history(
            model, key, keys[model], limit, created=False if model is Assignment else None
        )
        more = more or older
        history[model] = rows + (list(creations) if model is Assignment else [])
        known = {r.history_id for r in history[model]}
        earlier[model] = [r for r in before if r.history_id not in known]
    return history, earlier, more


def _change_log(task, assignments, updates, reviews, extensions, limit: int | None = HISTORY_SHOWN):
    """The "Lịch sử thay đổi" of the task and of the parts shown, and whether older changes were left unread.

    With ``limit`` only the newest ``limit`` rows of each historical model are read, with the row before each (to
    say what changed) and the creations of the parts (the import's "given to these agencies", bounded by the number
    of parts): a task shared by 101 agencies after a year of monthly reports reads the same rows as a new one.
    Without it (``?lich_su=tat-ca``) every row: one query per historical model.
    """
    ids = [a.pk for a in assignments]
    by_id = {a.pk: a for a in assignments}
    history, earlier, more = _history_rows(task, ids, limit)
    titles = {
        Assignment: _("Phần việc của %(agency)s"),
        ProgressUpdate: _("Báo cáo tiến độ của %(agency)s"),
        Review: _("Xem xét báo cáo của %(agency)s"),
        ExtensionRequest: _("Đề nghị gia hạn của %(agency)s"),
    }

    def subject(model, record) -> str:
        if model is Task:
            return _("Nhiệm vụ")
        assignment = by_id.get(record.id if model is Assignment else record.assignment_id)
        return titles[model] % {"agency": assignment.agency if assignment else "—"}

    names: dict = {}
    for a in assignments:
        names[(Agency, a.agency_id)] = a.agency.name
        if a.group_id:
            names[(AgencyGroup, a.group_id)] = a.group.name
    for obj in [*updates, *reviews, *extensions]:
        for person in (
            getattr(obj, "author", None),
            getattr(obj, "actor", None),
            getattr(obj, "requested_by", None),
            getattr(obj, "decided_by", None),
        ):
            if person is not None:
                names[(User, person.pk)] = str(person)
    if task.section_id:
        names[(Section, task.section_id)] = str(task.section)
    return merge_initial_assignments(change_log(history, subject, names, earlier), by_id), more


def discussion(request, task: Task, form=None) -> dict:
    """The task's discussion: its comments with their files (two queries) and the form to write one."""
    from tasks.forms import CommentForm
    from tasks.models import Comment

    comments = list(
        Comment.objects.filter(task=task)
        .select_related("author", "agency")
        .prefetch_related("files")
        .order_by("created_at", "pk")
    )
    return {"comments": comments, "comment_form": form or CommentForm()}


# --------------------------------------------------------------------------------------------------
# The conflict page: the 409 answer to a save on a stale version
# --------------------------------------------------------------------------------------------------


@dataclass
class SavedReport:
    """The share's newest report as the conflict page shows it, with its evidence files (pk, name)."""

    created_at: object
    note: str
    completed_on: object
    evidence_link: str
    evidence_number: str
    evidence_date: object
    files: list[tuple[int, str]] = field(default_factory=list)

    @property
    def documents(self) -> list[str]:
        """The evidence given without a file: the link, and the document's number and date."""
        found = [self.evidence_link] if self.evidence_link else []
        if self.evidence_number or self.evidence_date:
            found.append(evidence_text(self.evidence_number, self.evidence_date))
        return found


def evidence_text(number: str | None, date) -> str:
    """A document given as evidence, as the conflict page names it: "số 25/KH-STP ngày 19/03/2024"."""
    parts = [_("số %(number)s") % {"number": number}] if number else []
    if date:
        parts.append(_("ngày %(date)s") % {"date": date_format(date, "d/m/Y")})
    return " ".join(parts)


def newest_report(assignment: Assignment) -> SavedReport | None:
    """The share's newest report with its evidence files: one query, the report joined to its files (a row per
    file), found through the ``update_assignment_recent`` index however many reports the share has had."""
    newest = ProgressUpdate.objects.filter(assignment_id=assignment.pk).order_by("-created_at", "-id").values("pk")
    rows = (
        ProgressUpdate.objects.filter(pk=Subquery(newest[:1]))
        .order_by("evidence__pk")
        .values_list(
            "created_at",
            "note",
            "completed_on",
            "evidence_link",
            "evidence_number",
            "evidence_date",
            "evidence__pk",
            "evidence__original_name",
        )
    )
    report = None
    for *values, file_pk, file_name in rows:
        report = report or SavedReport(*values)
        if file_pk is not None:
            report.files.append((file_pk, file_name))
    return report


def conflict_page(assignment: Assignment, changed_by, changed_at) -> dict:
    """What the 409 page shows of the share ``assignment`` (as saved now, read with its task, document and agency):
    who saved it and when (the newest historical row, read by ``services.StaleAssignment``), its newest report with
    the evidence (one query) and the task's section for its number (one query when the task has one). Nothing else
    of the task is read: not the other shares, the timelines, the change log or the discussion."""
    task = assignment.task
    if task.section_id:
        task.section  # noqa: B018 - the task's full number ("III.4") reads its section: read it here, once
    return {
        "task": task,
        "a": assignment,
        "who": str(changed_by) if changed_by else _("người khác"),
        "when": date_format(timezone.localtime(changed_at), "H:i d/m/Y"),
        "saved": newest_report(assignment),
        # The top bar's current entry, said here: worked out, it would count the user's work queues (two queries).
        "menu_here": reverse("tasks:list"),
    }
