"""Send one claimed reminder: take a short lease on its row, write the notification, e-mail, record the result.

The function is what the Celery job ``cchc_portal.jobs.send_reminder`` runs and what tests and the
``send_reminders`` command call directly. It is idempotent: a row already sent, failed or cancelled, or
leased by another worker, is left alone, so a redelivered or duplicated job sends nothing twice.

Order of writes, and what a crash at each point leaves behind:

1. lease (attempts + 1, ``locked_until``) — killed after this, the row stays pending; once the lease has
   expired and it has been pending ``REMINDER_STUCK_MINUTES``, the next sweep (or the quarter-hourly
   ``requeue_stuck`` job) queues it again;
2. the in-portal notification (unique per reminder, so never twice);
3. the e-mail — no transaction is open while the SMTP server is talked to;
4. ``state=sent``. A crash between 3 and 4 is the one window where an e-mail can go out twice (the SMTP
   server accepted it but the row does not say so yet): we prefer a rare duplicate to a lost reminder.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import DatabaseError, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc_portal.models import (
    ASSIGNMENT_KINDS,
    EmailMode,
    EmailState,
    Notification,
    Reminder,
    ReminderKind,
    ReminderState,
    email_modes,
)
from cchc_portal.notifications.emails import Message, compose, header_safe
from plans.models import PeriodicReport
from tasks.models import WorkState

logger = logging.getLogger(__name__)

#: What a mail server or the network can throw at us; everything else is a bug and is not retried.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


class Outcome(models.TextChoices):
    SENT = "sent", _("đã gửi")
    RETRY = "retry", _("lỗi, sẽ gửi lại")
    FAILED = "failed", _("gửi lỗi")
    CANCELLED = "cancelled", _("không còn cần gửi")
    SKIPPED = "skipped", _("đã xử lý hoặc đang được gửi")


class RetryLater(Exception):  # noqa: N818 - it is an instruction, not an error
    """Delivery failed for a reason that may pass; try again in ``countdown`` seconds."""

    def __init__(self, countdown: int, error: str) -> None:
        super().__init__(error)
        self.countdown = countdown


def retry_countdown(attempt: int) -> int:
    """Seconds to wait after failed attempt number ``attempt``: 60, 120, 240… capped (never days ahead)."""
    return min(settings.REMINDER_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.REMINDER_RETRY_MAX_SECONDS)


def _take_lease(reminder_id: int, now: datetime.datetime) -> bool:
    """Mark the row as being sent by us; False when it is done or another worker holds it (one UPDATE)."""
    return bool(
        Reminder.objects.filter(pk=reminder_id, state=ReminderState.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(
            attempts=F("attempts") + 1, locked_until=now + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
        )
    )


def _finish(reminder: Reminder, state: str, **fields) -> None:
    Reminder.objects.filter(pk=reminder.pk).update(state=state, locked_until=None, **fields)


def still_needed(reminder: Reminder) -> bool:
    """Say whether the reminder still applies: the agency may have reported done, or got an extension."""
    if reminder.kind in ASSIGNMENT_KINDS:
        assignment = reminder.assignment
        return assignment.state != WorkState.DONE and assignment.effective_due_date == reminder.due_date
    if reminder.kind == ReminderKind.REPORT_DUE:
        return not PeriodicReport.objects.filter(
            duty_id=reminder.duty_id,
            period_start=reminder.period_start,
            agency_id__in=reminder.agency.lineage_ids(),
            state__in=[PeriodicReport.State.SUBMITTED, PeriodicReport.State.ACCEPTED],
        ).exists()
    if reminder.kind == ReminderKind.EVENTS_DIGEST:
        return _digested(reminder).exists()
    return True


def _digested(reminder: Reminder):
    """The notifications an events digest carries: the recipient's, waiting for it, written before it was claimed."""
    return Notification.objects.filter(
        recipient_id=reminder.recipient_id, email_state=EmailState.DAILY, created_at__lte=reminder.created_at
    )


def _notify(reminder: Reminder, message: Message) -> None:
    """Write the in-portal notification once per reminder (a redelivered job finds it there)."""
    Notification.objects.get_or_create(  # on a unique clash, get_or_create reads the row the other job wrote
        reminder=reminder,
        defaults={
            "recipient_id": reminder.recipient_id,
            "kind": reminder.kind,
            "title": message.title,
            "body": message.body,
            "url": message.url,
        },
    )


def is_valid_address(address: str) -> bool:
    """One plain e-mail address, with nothing that could end a header."""
    try:
        validate_email(address)
    except ValidationError:
        return False
    return header_safe(address) == address


def send_email(to: str, message: Message) -> None:
    """Send through the e-mail backend configured from the environment (one connection per message)."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=get_connection(fail_silently=False),
    )
    email.attach_alternative(message.html, "text/html")
    email.send()


def deliver(reminder_id: int) -> Outcome:
    """Send reminder ``reminder_id`` once; return the outcome, or raise ``RetryLater`` to be retried."""
    now = timezone.now()
    if not _take_lease(reminder_id, now):
        return Outcome.SKIPPED
    reminder = Reminder.objects.select_related(
        "recipient",
        "agency",
        "assignment__task__document",
        "assignment__task__section",
        "duty__document",
        "duty__recipient",
    ).get(pk=reminder_id)
    if reminder.attempts > settings.REMINDER_MAX_ATTEMPTS:  # killed mid-send again and again
        _finish(reminder, ReminderState.FAILED, last_error=reminder.last_error or str(_("Quá số lần gửi cho phép.")))
        return Outcome.FAILED
    try:
        if not still_needed(reminder):
            _finish(reminder, ReminderState.CANCELLED)
            return Outcome.CANCELLED
        message = compose(reminder)
        digest = reminder.kind == ReminderKind.EVENTS_DIGEST
        if not digest:  # a digest only gathers notifications the person already has in the portal
            _notify(reminder, message)
        address = reminder.recipient.email
        if email_modes([reminder.recipient_id])[reminder.recipient_id] == EmailMode.NONE and not digest:
            address = ""  # the person chose to read notifications in the portal only
        if address and not is_valid_address(address):
            # The notification is written; no mail server would take this address, so do not retry it.
            _finish(
                reminder,
                ReminderState.FAILED,
                last_error=str(_("Địa chỉ e-mail không hợp lệ: %(address)s") % {"address": header_safe(address, 100)}),
            )
            return Outcome.FAILED
        if address:
            send_email(address, message)
        if digest:
            _digested(reminder).update(email_state=EmailState.SENT, emailed_at=timezone.now(), digest=reminder)
    except DELIVERY_ERRORS as exc:
        return _failed(reminder, exc)
    except DatabaseError:  # the database may be back soon: the lease expires and the recovery path requeues the row
        raise
    except Exception as exc:  # a bug: retrying will not fix it; show it to admins now and let Celery log it
        _finish(reminder, ReminderState.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(reminder, ReminderState.SENT, sent_at=timezone.now(), email=address, last_error="")
    return Outcome.SENT


def _failed(reminder: Reminder, exc: Exception) -> Outcome:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        _finish(reminder, ReminderState.FAILED, last_error=error)
        logger.warning("Reminder %s failed for good after %d attempts: %s", reminder.pk, reminder.attempts, error)
        return Outcome.FAILED
    countdown = retry_countdown(reminder.attempts)
    _finish(
        reminder,
        ReminderState.PENDING,
        last_error=error,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=countdown),
    )
    logger.info("Reminder %s attempt %d failed, retry in %d s: %s", reminder.pk, reminder.attempts, countdown, error)
    raise RetryLater(countdown, error)
