"""Writes that span models: an agency reports progress, its leader submits, a reviewer decides.

Every write on an assignment is guarded by its ``version``: the form carries the version it was rendered
with, and the write is one conditional ``UPDATE … WHERE version = v``. When another person saved first, no
row matches, nothing is written and ``StaleAssignment`` says who changed it and when, so the page can show
the new values instead of silently overwriting them. Conditional updates bypass django-simple-history's
signals, so each one records its historical row itself (``_record``).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import statements
from core.files import removed_on_failure
from core.outbox import publish
from core.uploads import CheckedFile
from tasks import recurring
from tasks.models import (
    Assignment,
    Comment,
    CommentFile,
    Evidence,
    ExtensionRequest,
    Occurrence,
    ProgressUpdate,
    Review,
    ReviewDecision,
    ReviewState,
    Task,
    WorkState,
)


class StaleAssignment(Exception):  # noqa: N818 - reads as what happened
    """Someone saved the assignment after the form was rendered; ``current`` is what it holds now."""

    def __init__(self, current: Assignment):
        super().__init__(f"assignment {current.pk} changed (now version {current.version})")
        self.current = current
        latest = current.history.select_related("history_user").order_by("-history_date", "-history_id").first()
        self.changed_by = latest.history_user if latest else None
        self.changed_at = latest.history_date if latest else current.updated_at


class WorkflowError(Exception):
    """The action is not possible in the assignment's current state; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class Report:
    """What an agency reports on its share of a task (validated by ``forms.ProgressForm``)."""

    state: str
    progress: int
    note: str = ""
    completed_on: datetime.date | None = None
    evidence_number: str = ""
    evidence_date: datetime.date | None = None
    evidence_link: str = ""
    occurrence_id: int | None = None  # the period reported on, for a recurring task


def _claim(assignment: Assignment, version: int, **changes) -> Assignment:
    """Apply ``changes`` only if the assignment still has ``version``; return it as saved, or raise StaleAssignment."""
    claimed = Assignment.objects.filter(pk=assignment.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    fresh = Assignment.objects.select_related("task__document", "agency").get(pk=assignment.pk)
    if not claimed:
        raise StaleAssignment(fresh)
    return fresh


def _record(assignment: Assignment, user) -> None:
    """Write the historical row a conditional UPDATE did not (who, when, the values after)."""
    assignment._history_user = user
    Assignment.history.bulk_history_create([assignment], update=True)


def _returns(assignment: Assignment):
    """The assignment's returns (and reopenings), the latest first."""
    return Review.objects.filter(
        assignment_id=assignment.pk, decision__in=[ReviewDecision.RETURNED, ReviewDecision.REOPENED]
    ).order_by("-created_at", "-pk")


def _latest_return(assignment: Assignment) -> Review | None:
    return _returns(assignment).first()


def report_progress(
    assignment: Assignment, user, version: int, report: Report, files: Iterable[CheckedFile] = ()
) -> ProgressUpdate:
    """Record an update and apply its status and progress to the assignment; raise StaleAssignment on a conflict.

    "Done" keeps the completion date (today unless given); any other state clears it. A new report on a
    submitted or accepted assignment needs the leader to submit again (back to draft); on a returned one it
    is the agency's answer to the return, and the assignment stays returned until the leader resubmits.

    On PostgreSQL a report on a task that is not recurring is one statement (``_report_in_one_statement``);
    ``assignment`` then carries its new values. A version older than the instance's is refused with no write.
    """
    if assignment.is_locked:
        raise WorkflowError(
            _("Báo cáo đã được chấp nhận nên đã khóa. Nếu cần sửa, đề nghị Sở Nội vụ mở lại báo cáo (có ghi lý do).")
        )
    if version < assignment.version:  # saved since the form was rendered, as this very instance shows
        raise StaleAssignment(assignment)
    if report.occurrence_id is None and statements.supported():
        return _report_in_one_statement(assignment, user, version, report, files)
    return _report_step_by_step(assignment, user, version, report, files)


def _report_changes(assignment: Assignment, report: Report) -> dict:
    """The assignment's new state, progress, completion date and review state after ``report``."""
    completed_on = (report.completed_on or timezone.localdate()) if report.state == WorkState.DONE else None
    return {
        "state": report.state,
        "progress": 100 if report.state == WorkState.DONE else report.progress,
        "completed_on": completed_on,
        "review_state": ReviewState.RETURNED if assignment.review_state == ReviewState.RETURNED else ReviewState.DRAFT,
    }


def _new_update(assignment: Assignment, user, report: Report, changes: dict) -> ProgressUpdate:
    update = ProgressUpdate(
        assignment=assignment,
        author=user,
        state=report.state,
        progress=changes["progress"],
        completed_on=changes["completed_on"],
        note=report.note,
        evidence_number=report.evidence_number,
        evidence_date=report.evidence_date,
        evidence_link=report.evidence_link,
    )
    update._history_user = user
    return update


def _report_in_one_statement(
    assignment: Assignment, user, version: int, report: Report, files: Iterable[CheckedFile]
) -> ProgressUpdate:
    """One statement claims the version (``UPDATE … WHERE version = v``) and writes the assignment's historical
    row, the update, its evidence and their historical rows; nothing is written when the version has moved on.
    The notification step is queued once it is committed (``publish``), as on every other path."""
    now = timezone.now()
    changes = _report_changes(assignment, report)
    update = _new_update(assignment, user, report, changes)
    update.created_at = now
    statement = statements.Statement()
    where = {"id": assignment.pk, "version": version}
    statement.update("claimed", Assignment, where, {**changes, "updated_at": now}, increment=["version"])
    statement.history("claimed_history", Assignment, "claimed", "~", user, now)
    values = {**statements.values_of(update), "assignment_id": statements.Column("id")}
    if changes["review_state"] == ReviewState.RETURNED:  # the update answers the latest return
        values["answers_id"] = statements.Raw.scalar(_returns(assignment).values("pk")[:1])
    statement.insert("inserted", ProgressUpdate, values, "claimed")
    statement.history("inserted_history", ProgressUpdate, "inserted", "+", user, now)
    with removed_on_failure() as stored:  # the statement writes nothing on failure, this removes the files
        evidence = _stage_evidence(statement, files, user, now, stored)
        ids = "".join(f", (SELECT id FROM evidence_{i})" for i in range(len(evidence)))  # noqa: S608 - step names
        rows = statement.run(f"SELECT inserted.id, inserted.answers_id{ids} FROM claimed CROSS JOIN inserted")  # noqa: S608
        if not rows:
            raise StaleAssignment(Assignment.objects.select_related("task__document", "agency").get(pk=assignment.pk))
    for name, value in changes.items():
        setattr(assignment, name, value)
    assignment.version, assignment.updated_at = version + 1, now
    update.pk, update.answers_id = rows[0][:2]
    for item, pk in zip([update, *evidence], [update.pk, *rows[0][2:]], strict=True):
        item.pk = pk
        item._state.adding, item._state.db = False, connection.alias
    for item in evidence:
        item.update = update
    publish("update", update.pk)
    return update


def _stage_evidence(statement, files: Iterable[CheckedFile], user, now, stored: list) -> list[Evidence]:
    """Store each file and add its row and historical row to ``statement`` (read from the update it inserts)."""
    staged = []
    for index, checked in enumerate(files):
        evidence = Evidence(original_name=checked.name, content_type=checked.content_type, size=checked.upload.size)
        evidence.file.save(checked.name, checked.upload, save=False)
        stored.append(evidence.file)
        values = {**statements.values_of(evidence), "update_id": statements.Column("id")}
        statement.insert(f"evidence_{index}", Evidence, values, "inserted")
        statement.history(f"evidence_{index}_history", Evidence, f"evidence_{index}", "+", user, now)
        staged.append(evidence)
    return staged


@transaction.atomic
def _report_step_by_step(
    assignment: Assignment, user, version: int, report: Report, files: Iterable[CheckedFile]
) -> ProgressUpdate:
    """``report_progress`` with the ORM: on SQLite, and for a recurring task (the report is on one period)."""
    changes = _report_changes(assignment, report)
    occurrence = None
    if report.occurrence_id is not None:  # a recurring task: the report is on one period
        occurrence = Occurrence.objects.filter(assignment=assignment, pk=report.occurrence_id).first()
        if occurrence is None:
            raise WorkflowError(_("Kỳ báo cáo đã chọn không thuộc phần việc này."))
        # the period's state is written below, once the update exists
        periods = recurring.apply_report(assignment, occurrence, report.state, changes["completed_on"], None)
        changes = {**periods, "review_state": changes["review_state"]}
    saved = _claim(assignment, version, **changes)
    _record(saved, user)
    update = _new_update(saved, user, report, _report_changes(assignment, report))
    update.answers = _latest_return(saved) if changes["review_state"] == ReviewState.RETURNED else None
    update.save()
    if occurrence is not None:
        Occurrence.objects.filter(pk=occurrence.pk).update(update=update)
    publish("update", update.pk)
    with removed_on_failure() as stored:  # the transaction rolls the rows back, this the files
        for checked in files:
            evidence = Evidence(
                update=update, original_name=checked.name, content_type=checked.content_type, size=checked.upload.size
            )
            evidence._history_user = user
            evidence.file.save(checked.name, checked.upload, save=False)
            stored.append(evidence.file)
            evidence.save()
    return update


@transaction.atomic
def submit(assignment: Assignment, user, version: int, note: str = "") -> Review:
    """The agency's leader sends its report to the reviewers (draft or returned → submitted).

    A returned report goes back only with an answer: an update made after the return.
    """
    if assignment.review_state not in (ReviewState.DRAFT, ReviewState.RETURNED):
        raise WorkflowError(_("Báo cáo này đã được gửi, không cần gửi lại."))
    if not assignment.updates.exists():
        raise WorkflowError(_("Chưa có báo cáo tiến độ nào để gửi. Hãy báo cáo tiến độ trước."))
    if assignment.review_state == ReviewState.RETURNED:
        returned = _latest_return(assignment)
        if returned and not assignment.updates.filter(created_at__gt=returned.created_at).exists():
            raise WorkflowError(_("Báo cáo đã bị trả lại; hãy bổ sung bằng một báo cáo tiến độ mới trước khi gửi lại."))
    saved = _claim(assignment, version, review_state=ReviewState.SUBMITTED)
    _record(saved, user)
    return _review(saved, user, ReviewDecision.SUBMITTED, note)


@transaction.atomic
def reopen(assignment: Assignment, user, version: int, reason: str) -> Review:
    """A reviewer reopens an accepted report, with a reason: the agency answers it and its leader sends again."""
    if assignment.review_state != ReviewState.ACCEPTED:
        raise WorkflowError(_("Chỉ mở lại được báo cáo đã được chấp nhận."))
    if not reason.strip():
        raise WorkflowError(_("Hãy ghi lý do mở lại để cơ quan biết cần sửa gì."))
    saved = _claim(assignment, version, review_state=ReviewState.RETURNED)
    _record(saved, user)
    return _review(saved, user, ReviewDecision.REOPENED, reason.strip())


@dataclass
class BulkOutcome:
    """What a decision on several reports did: the reviews written, and the reports left as they were (why)."""

    done: list[Review]
    skipped: list[tuple[Assignment, str]]


def decide_many(assignments: Iterable[Assignment], user, decision: str, reason: str = "") -> BulkOutcome:
    """Accept (or return with one reason) several submitted reports; each gets its own review row and notice.

    Each report is decided in a transaction of its own against the version it has now: one that someone
    else decided a moment ago is skipped and said so, the others go through.
    """
    done, skipped = [], []
    for assignment in assignments:
        try:
            done.append(decide(assignment, user, assignment.version, decision, reason))
        except (WorkflowError, StaleAssignment) as error:
            message = str(error) if isinstance(error, WorkflowError) else _("Báo cáo vừa được người khác xử lý.")
            skipped.append((assignment, message))
    return BulkOutcome(done, skipped)


@transaction.atomic
def decide(assignment: Assignment, user, version: int, decision: str, reason: str = "") -> Review:
    """A reviewer accepts a submitted report or returns it with a reason the agency must answer."""
    if assignment.review_state != ReviewState.SUBMITTED:
        raise WorkflowError(_("Báo cáo này không ở trạng thái chờ xem xét."))
    if decision == ReviewDecision.RETURNED and not reason.strip():
        raise WorkflowError(_("Hãy ghi lý do trả lại để cơ quan biết cần bổ sung gì."))
    if assignment.is_own(user) or assignment.updates.filter(author=user).exists():
        # Four eyes: another reviewer of the province decides on a report of one's own agency or pen.
        raise WorkflowError(
            _("Không thể tự xem xét báo cáo của cơ quan mình hoặc do mình viết; đề nghị cán bộ theo dõi khác xem xét.")
        )
    new_state = ReviewState.ACCEPTED if decision == ReviewDecision.ACCEPTED else ReviewState.RETURNED
    saved = _claim(assignment, version, review_state=new_state)
    _record(saved, user)
    return _review(saved, user, decision, reason.strip())


def _review(assignment: Assignment, user, decision: str, reason: str) -> Review:
    review = Review(assignment=assignment, actor=user, decision=decision, reason=reason)
    review._history_user = user
    review.save()
    publish("review", review.pk)
    return review


@transaction.atomic
def request_extension(assignment: Assignment, user, requested_date: datetime.date, reason: str) -> ExtensionRequest:
    """Ask for a later deadline; one pending request per assignment at a time."""
    request = ExtensionRequest(
        assignment=assignment,
        requested_by=user,
        requested_date=requested_date,
        previous_due=assignment.effective_due_date,
        reason=reason.strip(),
    )
    request._history_user = user
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # the unique pending constraint: someone asked a moment ago
        raise WorkflowError(_("Đã có một đề nghị gia hạn đang chờ quyết định.")) from None
    publish("extension_asked", request.pk)
    return request


@transaction.atomic
def decide_extension(request: ExtensionRequest, user, grant: bool, note: str = "") -> ExtensionRequest:
    """A reviewer grants (the agency's deadline becomes the requested date) or refuses a pending request."""
    if not grant and not note.strip():
        raise WorkflowError(_("Hãy ghi lý do không đồng ý gia hạn."))
    now = timezone.now()
    state = ExtensionRequest.State.GRANTED if grant else ExtensionRequest.State.REFUSED
    claimed = ExtensionRequest.objects.filter(pk=request.pk, state=ExtensionRequest.State.PENDING).update(
        state=state, decided_by=user, decided_at=now, decision_note=note.strip()
    )
    if not claimed:
        raise WorkflowError(_("Đề nghị gia hạn này đã được quyết định trước đó."))
    request.refresh_from_db()
    request._history_user = user  # the instance may still carry the requester from its creation
    ExtensionRequest.history.bulk_history_create([request], update=True, default_date=now)
    if grant:
        open_period = (
            Occurrence.objects.filter(assignment_id=request.assignment_id)
            .exclude(state=WorkState.DONE)
            .order_by("due_date")
            .first()
        )
        if open_period is not None:  # a recurring task: the extension moves the period the agency owes
            Occurrence.objects.filter(pk=open_period.pk).update(due_date=request.requested_date)
        Assignment.objects.filter(pk=request.assignment_id).update(
            due_date=request.requested_date, version=F("version") + 1, updated_at=now
        )
        _record(Assignment.objects.get(pk=request.assignment_id), user)
    publish("extension_decided", request.pk)
    return request


@transaction.atomic
def add_comment(task: Task, user, body: str, files: Iterable[CheckedFile] = ()) -> Comment:
    """Write a comment in the task's discussion, with its files; the others who follow the task are told."""
    comment = Comment.objects.create(task=task, author=user, agency_id=user.agency_id, body=body.strip())
    for checked in files:
        attachment = CommentFile(
            comment=comment, original_name=checked.name, content_type=checked.content_type, size=checked.upload.size
        )
        attachment.file.save(checked.name, checked.upload, save=False)
        attachment.save()
    publish("comment", comment.pk)
    return comment


def after_import(document, new_agency_ids: Iterable[int]) -> None:
    """What an import's written tasks need next: the periods of its recurring tasks, and one notice to each
    agency given new tasks (however many: one message per import, not one per task)."""
    recurring.sync_occurrences(document_ids=[document.pk])
    counts: dict[str, int] = {}
    for agency_id in new_agency_ids:
        counts[str(agency_id)] = counts.get(str(agency_id), 0) + 1
    if counts:
        publish("import", document.pk, token=uuid.uuid4().hex, agencies=counts)


@transaction.atomic
def move_to_agency(assignment: Assignment, user, version: int, agency) -> Assignment:
    """Give the assignment to ``agency`` (a successor of a dissolved one); raise StaleAssignment on a conflict.

    The same guarded write as every other change of an assignment: one conditional UPDATE on ``version``, then
    the historical row that names ``user``. The caller checks that ``agency`` may take it.
    """
    saved = _claim(assignment, version, agency=agency)
    _record(saved, user)
    return saved
