"""Celery entry points of the reminders (issue 5); the work is in ``cchc_portal.notifications``.

Beat runs ``daily_sweep`` at 07:00 Asia/Ho_Chi_Minh and ``requeue_stuck`` every 15 minutes (both entries
are created by migration 0002 and editable in the admin). The sweep queues one ``send_reminder`` per
claimed reminder; ids in, never instances.
"""

from __future__ import annotations

import datetime

from celery import current_app, shared_task
from django.conf import settings
from django.db import DatabaseError

from cchc_portal.notifications import delivery, events, services


def queue_reminders(ids: list[int]) -> None:
    """Queue one send job per reminder. Publishing costs about 1 ms per message through kombu, so a large
    batch is split into fan-out jobs of REMINDER_FANOUT_CHUNK ids that queue the send jobs from a worker."""
    chunk = settings.REMINDER_FANOUT_CHUNK
    if len(ids) > chunk:
        for start in range(0, len(ids), chunk):
            fan_out.delay(ids[start : start + chunk])
        return
    with current_app.producer_or_acquire() as producer:  # one connection for the whole batch
        for pk in ids:
            send_reminder.apply_async((pk,), producer=producer)


@shared_task(name="cchc_portal.jobs.daily_sweep")
def daily_sweep(day: str | None = None) -> int:
    """Beat entry point: decide and claim today's reminders, then queue them; return how many were claimed."""
    result = services.run_sweep(datetime.date.fromisoformat(day) if day else None, dispatch=queue_reminders)
    return len(result.claimed)


@shared_task(name="cchc_portal.jobs.fan_out")
def fan_out(ids: list[int]) -> int:
    """Queue a send job for each of ``ids`` (a slice of a large sweep)."""
    with current_app.producer_or_acquire() as producer:
        for pk in ids:
            send_reminder.apply_async((pk,), producer=producer)
    return len(ids)


@shared_task(
    bind=True,
    name="cchc_portal.jobs.send_reminder",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.REMINDER_MAX_ATTEMPTS,  # the row's attempts bound it too, across redeliveries
)
def send_reminder(self, reminder_id: int) -> str:
    """Send one reminder; on a delivery error, retry with a bounded exponential countdown."""
    try:
        return delivery.deliver(reminder_id).value
    except delivery.RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(name="cchc_portal.jobs.requeue_stuck")
def requeue_stuck() -> int:
    """Queue again the reminders pending longer than REMINDER_STUCK_MINUTES (killed worker, lost message),
    and the workflow e-mails left unsent as long."""
    emails = events.stuck_emails()
    queue_emails(emails)
    return len(services.requeue_stuck(dispatch=queue_reminders)) + len(emails)


def queue_emails(ids: list[int]) -> None:
    """Queue one e-mail job per notification (ids in)."""
    for pk in ids:  # a step concerns tens of people at most: the producer pool keeps one connection
        send_notification_email.delay(pk)


@shared_task(
    name="cchc_portal.jobs.notify_event",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    max_retries=5,
)
def notify_event(kind: str, pk: int, extra: dict | None = None) -> int:
    """A workflow step was committed (``core.outbox.publish``): write its notifications once, queue their e-mails."""
    ids = events.notify(kind, pk, extra)
    queue_emails(ids)
    return len(ids)


@shared_task(
    bind=True,
    name="cchc_portal.jobs.send_notification_email",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.REMINDER_MAX_ATTEMPTS,
)
def send_notification_email(self, notification_id: int) -> str:
    """Send the e-mail of one notification; on a delivery error, retry with a bounded exponential countdown."""
    try:
        return events.deliver_email(notification_id).value
    except delivery.RetryLater as exc:
        raise self.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(name="cchc_portal.jobs.run_export", acks_late=True, time_limit=1800, soft_time_limit=1770)
def run_export(job_id: int) -> None:
    """Write one spreadsheet export (``cchc_portal.exporting``): a list larger than a page's worth."""
    from cchc_portal import exporting

    exporting.write(job_id)
