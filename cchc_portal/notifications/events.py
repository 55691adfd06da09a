"""Workflow notifications: who must know that a step happened, what they read, and their e-mails.

An app publishes a step with ``core.outbox.publish(kind, pk)``; once its transaction commits, the job
``cchc_portal.jobs.notify_event`` calls ``notify(kind, pk)`` here. ``notify``

1. reads the row that records the step (a ``Review``, a ``ProgressUpdate``, a ``Comment``…) and works out the
   people who act next (``BUILDERS``): a submitted report → the reviewers who follow the task; a return → the
   agency's staff and leader; an answer → the reviewer who returned it; and so on;
2. keeps only those who may see the task (or the periodic report, or the indicator value): the same
   ``for_user`` querysets the pages use, asked once per agency and role, never a guess;
3. writes one ``Notification`` per person with the step's key (``event``), in one INSERT that skips the keys
   already there: a step is notified once however often the job runs (a retried or redelivered job, two
   workers) — the reminders' record-before-send design;
4. marks each row for its e-mail by the person's choice (``NotificationSettings``): sent now by
   ``deliver_email`` (one job per row, leased, retried with a bounded backoff, failures shown in the admin),
   kept for the daily digest (the daily sweep claims one ``Reminder`` per person and day), or not e-mailed.

``notify`` is a plain function: the demo calls it for past dates (``at``) without sending anything.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agencies.models import Agency, Role, User
from cchc_portal.models import EmailMode, EmailState, EventKind, Notification, email_modes
from cchc_portal.notifications.delivery import (
    DELIVERY_ERRORS,
    Outcome,
    RetryLater,
    retry_countdown,
    send_email,
)
from cchc_portal.notifications.directory import is_standing_agency
from cchc_portal.notifications.emails import compose_event
from cchc_portal.notifications.periods import period_of
from plans.models import Document, PeriodicReport, PeriodicReportStep
from tasks.models import (
    Assignment,
    Comment,
    ExtensionRequest,
    ProgressUpdate,
    Review,
    ReviewDecision,
    ReviewState,
    Task,
)

logger = logging.getLogger(__name__)

AGENCY_ROLES = (Role.STAFF, Role.LEADER)


@dataclass
class Notice:
    """One step as a group of people will read it."""

    kind: str
    event: str  # the step's key: unique per person
    title: str
    body: str
    url: str
    people: list[User]
    task: Task | None = None  # those who may not see it are left out
    report: PeriodicReport | None = None
    allowed: Callable[[User], bool] | None = None  # another visibility rule (indicator values)
    extra_people: list[User] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# who
# --------------------------------------------------------------------------------------------------


def agency_people(agency_ids: Iterable[int], roles: Iterable[str] = AGENCY_ROLES) -> list[User]:
    """Active users with ``roles`` of each agency's current holder (the successor of a merged agency), and of the
    agency itself while its accounts may still act (``DISSOLVED_ACCOUNTS_LOCKED`` off: they keep working)."""
    agency_ids = set(agency_ids)
    if not agency_ids:
        return []
    agencies = list(Agency.objects.filter(pk__in=agency_ids).select_related("successor"))
    holders = {a.current().pk for a in agencies}
    if not settings.DISSOLVED_ACCOUNTS_LOCKED:  # accounts of an ended agency may still act: they are told too
        holders |= agency_ids
    return list(User.objects.filter(agency_id__in=holders, role__in=list(roles), is_active=True).order_by("pk"))


def reviewers_of(document: Document) -> list[User]:
    """The reviewers who follow ``document``: its province's Sở Nội vụ, and agencies the document names
    in ``followed_by`` (Văn phòng UBND tỉnh)."""
    followed = set(document.followed_by.values_list("pk", flat=True))
    # The reviewers of the province the document's province merged into follow it too (issue 12).
    province = Q(agency__province_id=document.province_id) | Q(agency__province__predecessors=document.province_id)
    people = User.objects.filter(province, role=Role.REVIEWER, is_active=True)
    return [p for p in people.order_by("pk") if is_standing_agency(p.agency) or p.agency_id in followed]


def receivers_of(report: PeriodicReport) -> list[User]:
    """The reviewers of the agency a periodic report is sent to (Sở Nội vụ), or of its province if it has none."""
    recipient = report.duty.recipient.current()
    people = list(User.objects.filter(role=Role.REVIEWER, is_active=True, agency_id__in=recipient.lineage_ids()))
    return people or reviewers_of(report.duty.document)


def visible(notice: Notice) -> list[User]:
    """Keep the people of ``notice`` who may see what it is about: one query per agency and role, not per person."""
    people = {p.pk: p for p in [*notice.people, *notice.extra_people] if p.is_active}
    verdicts: dict[tuple, bool] = {}
    kept = []
    for person in people.values():
        key = (person.agency_id, person.is_reviewer, person.is_superuser)
        if key not in verdicts:
            verdicts[key] = _may_see(person, notice)
        if verdicts[key]:
            kept.append(person)
    return kept


def _may_see(person: User, notice: Notice) -> bool:
    if notice.task is not None and not Task.objects.for_user(person).filter(pk=notice.task.pk).exists():
        return False
    if notice.report is not None and not PeriodicReport.objects.for_user(person).filter(pk=notice.report.pk).exists():
        return False
    return notice.allowed is None or notice.allowed(person)


# --------------------------------------------------------------------------------------------------
# what: one builder per kind of step
# --------------------------------------------------------------------------------------------------


def _day(value) -> str:
    return date_format(value, "d/m/Y")


def _task_values(assignment: Assignment) -> dict:
    task = assignment.task
    return {"number": task.full_number or task.pk, "agency": assignment.agency.name, "document": str(task.document)}


def _short(text: str, length: int = 300) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _on_update(pk: int, extra: dict) -> list[Notice]:
    update = (
        ProgressUpdate.objects.select_related(
            "author",
            "answers__actor__agency",
            "assignment__task__document",
            "assignment__task__section",
            "assignment__agency",
        )
        .filter(pk=pk)
        .first()
    )
    if update is None:
        return []
    assignment = update.assignment
    values = _task_values(assignment)
    url = assignment.get_absolute_url()
    notices = []
    if update.answers_id:
        notices.append(
            Notice(
                EventKind.ANSWERED,
                f"answered:{update.pk}",
                _("%(agency)s đã trả lời ý kiến trả lại về nhiệm vụ %(number)s") % values,
                _short(update.note),
                url,
                [update.answers.actor],
                task=assignment.task,
            )
        )
    if assignment.review_state in (ReviewState.DRAFT, ReviewState.RETURNED):
        # One notice per report cycle: a leader is told once that a report waits, not at every save.
        cycle = assignment.reviews.filter(decision=ReviewDecision.SUBMITTED).count()
        leaders = [p for p in agency_people([assignment.agency_id], [Role.LEADER]) if p.pk != update.author_id]
        notices.append(
            Notice(
                EventKind.AWAITING_LEADER,
                f"awaiting:{assignment.pk}:{cycle}",
                _("Báo cáo nhiệm vụ %(number)s chờ lãnh đạo gửi") % values,
                _("%(author)s đã báo cáo tiến độ; lãnh đạo đơn vị xem và gửi báo cáo tới Sở Nội vụ.")
                % {"author": update.author},
                url,
                leaders,
                task=assignment.task,
            )
        )
    return notices


def _previous_return(review: Review) -> Review | None:
    return (
        Review.objects.filter(
            assignment_id=review.assignment_id,
            decision__in=[ReviewDecision.RETURNED, ReviewDecision.REOPENED],
            created_at__lte=review.created_at,
        )
        .exclude(pk=review.pk)
        .select_related("actor__agency")
        .order_by("-created_at", "-pk")
        .first()
    )


def _on_review(pk: int, extra: dict) -> list[Notice]:
    review = (
        Review.objects.select_related(
            "actor", "assignment__task__document", "assignment__task__section", "assignment__agency"
        )
        .filter(pk=pk)
        .first()
    )
    if review is None:
        return []
    assignment, task = review.assignment, review.assignment.task
    values = {**_task_values(assignment), "reason": review.reason, "actor": review.actor}
    url = assignment.get_absolute_url()
    agency = agency_people([assignment.agency_id])
    if review.decision == ReviewDecision.SUBMITTED:
        returned = _previous_return(review)
        if returned is not None:
            return [
                Notice(
                    EventKind.RESUBMITTED,
                    f"review:{review.pk}",
                    _("%(agency)s đã gửi lại báo cáo nhiệm vụ %(number)s sau khi bổ sung") % values,
                    _short(review.reason),
                    url,
                    [returned.actor],
                    task=task,
                )
            ]
        return [
            Notice(
                EventKind.SUBMITTED,
                f"review:{review.pk}",
                _("Báo cáo chờ xem xét: %(agency)s – nhiệm vụ %(number)s (%(document)s)") % values,
                _short(review.reason),
                url,
                reviewers_of(task.document),
                task=task,
            )
        ]
    if review.decision == ReviewDecision.RETURNED:
        title = _("Báo cáo nhiệm vụ %(number)s bị trả lại, cần bổ sung") % values
        body = _("Lý do: %(reason)s") % values
        kind = EventKind.RETURNED
    elif review.decision == ReviewDecision.REOPENED:
        title = _("Báo cáo nhiệm vụ %(number)s đã chấp nhận nay được mở lại để sửa") % values
        body = _("Lý do: %(reason)s") % values
        kind = EventKind.REOPENED
    else:
        title = _("Báo cáo nhiệm vụ %(number)s đã được chấp nhận") % values
        body = _("%(actor)s đã chấp nhận báo cáo của %(agency)s.") % values
        kind = EventKind.ACCEPTED
    return [Notice(kind, f"review:{review.pk}", title, _short(body, 1000), url, agency, task=task)]


def _extension(pk: int) -> ExtensionRequest | None:
    return (
        ExtensionRequest.objects.select_related(
            "requested_by",
            "decided_by",
            "assignment__task__document",
            "assignment__task__section",
            "assignment__agency",
        )
        .filter(pk=pk)
        .first()
    )


def _on_extension_asked(pk: int, extra: dict) -> list[Notice]:
    request = _extension(pk)
    if request is None:
        return []
    assignment = request.assignment
    values = {**_task_values(assignment), "date": _day(request.requested_date)}
    return [
        Notice(
            EventKind.EXTENSION_ASKED,
            f"extension:{request.pk}",
            _("%(agency)s đề nghị gia hạn nhiệm vụ %(number)s đến %(date)s") % values,
            _short(request.reason),
            assignment.get_absolute_url(),
            reviewers_of(assignment.task.document),
            task=assignment.task,
        )
    ]


def _on_extension_decided(pk: int, extra: dict) -> list[Notice]:
    request = _extension(pk)
    if request is None or request.state == ExtensionRequest.State.PENDING:
        return []
    assignment = request.assignment
    values = {**_task_values(assignment), "date": _day(request.requested_date), "note": request.decision_note}
    if request.state == ExtensionRequest.State.GRANTED:
        title = _("Đồng ý gia hạn nhiệm vụ %(number)s đến %(date)s") % values
    else:
        title = _("Không đồng ý gia hạn nhiệm vụ %(number)s") % values
    return [
        Notice(
            EventKind.EXTENSION_DECIDED,
            f"extension-decided:{request.pk}",
            title,
            _short(request.decision_note),
            assignment.get_absolute_url(),
            agency_people([assignment.agency_id]),
            task=assignment.task,
            extra_people=[request.requested_by],
        )
    ]


def followers(task: Task) -> list[User]:
    """Who follows a task's discussion: the staff and leaders of every agency assigned to it, and the reviewers
    and others who took part (wrote in it, decided a report or a new deadline)."""
    people = agency_people(task.assignments.values_list("agency_id", flat=True))
    took_part = (
        set(Comment.objects.filter(task=task).values_list("author_id", flat=True))
        | set(Review.objects.filter(assignment__task=task).values_list("actor_id", flat=True))
        | set(
            ExtensionRequest.objects.filter(assignment__task=task, decided_by__isnull=False).values_list(
                "decided_by_id", flat=True
            )
        )
    )
    known = {p.pk for p in people}
    people += list(User.objects.filter(pk__in=took_part - known, is_active=True))
    return people


def _on_comment(pk: int, extra: dict) -> list[Notice]:
    comment = (
        Comment.objects.select_related("author", "agency", "task__document", "task__section").filter(pk=pk).first()
    )
    if comment is None:
        return []
    task = comment.task
    values = {
        "author": comment.author,
        "agency": comment.agency or "—",
        "number": task.full_number or task.pk,
        "document": str(task.document),
    }
    people = [p for p in followers(task) if p.pk != comment.author_id]
    return [
        Notice(
            EventKind.COMMENT,
            f"comment:{comment.pk}",
            _("%(author)s (%(agency)s) trao đổi về nhiệm vụ %(number)s") % values,
            _short(comment.body),
            comment.get_absolute_url(),
            people,
            task=task,
        )
    ]


def _on_import(pk: int, extra: dict) -> list[Notice]:
    """New assignments after an import: one notice per agency, however many tasks it was given."""
    document = Document.objects.filter(pk=pk).first()
    if document is None or not extra:
        return []
    notices = []
    url = f"{reverse('tasks:list')}?document={document.pk}"
    for agency_id, count in sorted((int(k), v) for k, v in extra.get("agencies", {}).items()):
        values = {"count": count, "document": str(document)}
        notices.append(
            Notice(
                EventKind.ASSIGNED,
                f"import:{extra['token']}:{agency_id}",
                _("Đơn vị được giao %(count)s nhiệm vụ mới theo %(document)s") % values,
                _short(document.title),
                url,
                agency_people([agency_id]),
                allowed=lambda person, document=document: (
                    Document.objects.for_user(person).filter(pk=document.pk).exists()
                ),
            )
        )
    return notices


def _on_periodic(pk: int, extra: dict) -> list[Notice]:
    step = (
        PeriodicReportStep.objects.select_related(
            "actor", "report__agency", "report__duty__document", "report__duty__recipient"
        )
        .filter(pk=pk)
        .first()
    )
    if step is None:
        return []
    report = step.report
    period = period_of(report.duty.frequency, report.duty.due_day, report.period_start)
    values = {"agency": report.agency.name, "period": period.label, "reason": step.reason, "actor": step.actor}
    url = report.get_absolute_url()
    action = PeriodicReportStep.Action
    if step.action == action.SAVED:
        if report.state not in (PeriodicReport.State.DRAFT, PeriodicReport.State.RETURNED):
            return []
        cycle = report.steps.filter(action=action.SENT).count()
        leaders = [p for p in agency_people([report.agency_id], [Role.LEADER]) if p.pk != step.actor_id]
        return [
            Notice(
                EventKind.AWAITING_LEADER,
                f"periodic-awaiting:{report.pk}:{cycle}",
                _("Báo cáo định kỳ %(period)s chờ lãnh đạo gửi") % values,
                _("%(actor)s đã soạn báo cáo; lãnh đạo đơn vị xem và gửi Sở Nội vụ.") % values,
                url,
                leaders,
                report=report,
            )
        ]
    if step.action == action.SENT:
        title = _("%(agency)s đã gửi báo cáo định kỳ %(period)s") % values
        return [Notice(EventKind.PERIODIC, f"periodic:{step.pk}", title, "", url, receivers_of(report), report=report)]
    if step.action == action.ACCEPTED:
        title = _("Báo cáo định kỳ %(period)s đã được tiếp nhận") % values
        body = ""
    elif step.action == action.RETURNED:
        title = _("Báo cáo định kỳ %(period)s bị trả lại, cần bổ sung") % values
        body = _("Lý do: %(reason)s") % values
    else:
        title = _("Báo cáo định kỳ %(period)s đã tiếp nhận nay được mở lại để sửa") % values
        body = _("Lý do: %(reason)s") % values
    people = agency_people([report.agency_id])
    return [Notice(EventKind.PERIODIC, f"periodic:{step.pk}", title, _short(body, 1000), url, people, report=report)]


def _on_measurement(pk: int, extra: dict) -> list[Notice]:
    """An indicator value returned, reopened after acceptance, or accepted (``pk``: its history row)."""
    from indicators.models import Measurement
    from indicators.services import can_see_measurement

    record = Measurement.history.filter(history_id=pk).select_related("history_user").first()
    if record is None:
        return []
    measurement = Measurement.objects.select_related("indicator", "agency", "reported_by").filter(pk=record.id).first()
    if measurement is None:
        return []
    action = (extra or {}).get("action", "")
    values = {
        "indicator": _short(measurement.indicator.name, 120),
        "period": _day(measurement.period_end),
        "reason": record.return_reason,
    }
    if action == "accepted":
        title = _("Số liệu chỉ tiêu “%(indicator)s” kỳ %(period)s đã được xác nhận") % values
        body = ""
    elif action == "reopened":
        title = _("Số liệu chỉ tiêu “%(indicator)s” kỳ %(period)s đã xác nhận nay được mở lại để sửa") % values
        body = _("Lý do: %(reason)s") % values
    else:
        title = _("Số liệu chỉ tiêu “%(indicator)s” kỳ %(period)s bị trả lại") % values
        body = _("Lý do: %(reason)s") % values
    people = agency_people([measurement.agency_id]) if measurement.agency_id else []
    if measurement.reported_by is not None:
        people.append(measurement.reported_by)
    people = [p for p in people if p.pk != record.history_user_id]
    url = reverse("indicators:review", args=[measurement.pk])
    return [
        Notice(
            EventKind.MEASUREMENT,
            f"measurement:{pk}",
            title,
            _short(body, 1000),
            url,
            people,
            allowed=lambda person: can_see_measurement(person, measurement),
        )
    ]


BUILDERS: dict[str, Callable[[int, dict], list[Notice]]] = {
    "update": _on_update,
    "review": _on_review,
    "extension_asked": _on_extension_asked,
    "extension_decided": _on_extension_decided,
    "comment": _on_comment,
    "import": _on_import,
    "periodic": _on_periodic,
    "measurement": _on_measurement,
}


# --------------------------------------------------------------------------------------------------
# writing them, once
# --------------------------------------------------------------------------------------------------


def _email_state(person: User, mode: str, send: bool) -> str:
    if not send or not person.email or mode == EmailMode.NONE:
        return EmailState.NONE
    return EmailState.DAILY if mode == EmailMode.DAILY else EmailState.PENDING


def notify(
    kind: str, pk: int, extra: dict | None = None, *, at: datetime.datetime | None = None, send: bool = True
) -> list[int]:
    """Write the notifications of step ``kind`` recorded by row ``pk``; return the ids whose e-mail is to send now.

    Idempotent: a step already notified writes nothing more and returns no id it has not returned before
    unless its e-mail is still unsent (the send job's lease makes a second send of it a no-op).
    ``at``: when the step happened (the demo writes a past year); ``send=False`` writes no e-mail at all.
    """
    builder = BUILDERS.get(kind)
    if builder is None:
        raise ValueError(f"unknown notification step {kind!r}")
    created_at = at or timezone.now()
    rows: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        notices = builder(pk, extra or {})
        for notice in notices:
            people = visible(notice)
            modes = email_modes([p.pk for p in people])
            rows += [
                Notification(
                    recipient=person,
                    kind=notice.kind,
                    event=notice.event,
                    title=notice.title[:255],
                    body=notice.body,
                    url=notice.url,
                    created_at=created_at,
                    email_state=_email_state(person, modes[person.pk], send),
                )
                for person in people
            ]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Notification.objects.filter(
            event__in={row.event for row in rows}, email_state=EmailState.PENDING, email_attempts=0
        ).values_list("pk", flat=True)
    )


# --------------------------------------------------------------------------------------------------
# e-mail of one notification
# --------------------------------------------------------------------------------------------------


def _lease(notification_id: int, now: datetime.datetime) -> bool:
    return bool(
        Notification.objects.filter(pk=notification_id, email_state=EmailState.PENDING)
        .filter(Q(email_locked_until__isnull=True) | Q(email_locked_until__lt=now))
        .update(
            email_attempts=F("email_attempts") + 1,
            email_locked_until=now + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS),
        )
    )


def _finish(notification_id: int, state: str, **fields) -> None:
    Notification.objects.filter(pk=notification_id).update(email_state=state, email_locked_until=None, **fields)


def deliver_email(notification_id: int) -> Outcome:
    """Send the e-mail of one notification once; return the outcome, or raise ``RetryLater`` to retry.

    The row is leased first (a second job for it does nothing); the person's choice is read again at
    sending time (someone who has just switched to the daily digest gets it there instead).
    """
    now = timezone.now()
    if not _lease(notification_id, now):
        return Outcome.SKIPPED
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if notification.email_attempts > settings.REMINDER_MAX_ATTEMPTS:
        _finish(notification.pk, EmailState.FAILED, email_error=notification.email_error or "max attempts")
        return Outcome.FAILED
    person = notification.recipient
    mode = email_modes([person.pk])[person.pk]
    if not person.is_active or not person.email or mode == EmailMode.NONE:
        _finish(notification.pk, EmailState.NONE)
        return Outcome.CANCELLED
    if mode == EmailMode.DAILY:
        _finish(notification.pk, EmailState.DAILY)
        return Outcome.CANCELLED
    try:
        send_email(person.email, compose_event(notification))
    except DELIVERY_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.email_attempts >= settings.REMINDER_MAX_ATTEMPTS:
            _finish(notification.pk, EmailState.FAILED, email_error=error)
            return Outcome.FAILED
        countdown = retry_countdown(notification.email_attempts)
        # Pending again, lease left to expire: the retry (or the requeue of stuck e-mails) takes it then.
        Notification.objects.filter(pk=notification.pk).update(
            email_error=error, email_locked_until=timezone.now() + datetime.timedelta(seconds=countdown - 1)
        )
        raise RetryLater(countdown, error) from exc
    except DatabaseError:
        raise
    _finish(notification.pk, EmailState.SENT, emailed_at=timezone.now(), email_error="")
    return Outcome.SENT


def stuck_emails(now: datetime.datetime | None = None) -> list[int]:
    """E-mails pending longer than REMINDER_STUCK_MINUTES that nobody holds (a killed worker, a lost message)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.REMINDER_STUCK_MINUTES)
    return list(
        Notification.objects.filter(email_state=EmailState.PENDING, created_at__lt=cutoff)
        .filter(Q(email_locked_until__isnull=True) | Q(email_locked_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
