"""Run the reminder sweep by hand: the same decisions as the 07:00 beat job, printed one line per reminder.

By default the reminders are sent here, synchronously, by the same function the worker runs, so the
command delivers without any worker (the embedded default). ``--queue`` hands them to Celery instead;
``--dry-run`` only prints what would be sent and writes nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from agencies.models import Agency, User
from cchc_portal.jobs import queue_reminders
from cchc_portal.models import Reminder
from cchc_portal.notifications import delivery, services
from cchc_portal.notifications.emails import header_safe
from plans.models import ReportingDuty
from tasks.models import Assignment

logger = logging.getLogger(__name__)


def describe(reminder: Reminder) -> str:
    """One line: date, kind, recipient, agency, task number and title (or report period, or digest)."""
    if reminder.assignment_id:
        task = reminder.assignment.task
        what = f"{task.full_number} {task.title}".strip()
    elif reminder.duty_id:
        what = f"{reminder.duty.get_frequency_display()} {date_format(reminder.period_start, 'd/m/Y')}–{date_format(reminder.period_end, 'd/m/Y')}"
    else:
        what = "—"
    if len(what) > 100:
        what = what[:99] + "…"
    recipient = reminder.recipient
    who = f"{recipient.username} <{recipient.email}>" if recipient.email else recipient.username
    fields = [reminder.day.isoformat(), reminder.get_kind_display(), who, reminder.agency.name, what]
    return "\t".join(header_safe(field, 1000) for field in fields)  # one line per reminder, whatever the data holds


class Command(BaseCommand):
    help = (
        "Quét và gửi nhắc hạn (như công việc 07:00 hằng ngày), in mỗi nhắc nhở một dòng. Mặc định gửi ngay trong "
        "tiến trình này (không cần worker); --queue để giao cho Celery; --dry-run chỉ in, không ghi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Ngày quét, dạng YYYY-MM-DD (mặc định: hôm nay theo giờ Việt Nam).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ in những nhắc nhở sẽ gửi; không ghi, không gửi."
        )
        parser.add_argument("--queue", action="store_true", help="Giao việc gửi cho Celery worker thay vì gửi ngay.")

    def handle(self, *args, today: str | None, dry_run: bool, queue: bool, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today: cần dạng YYYY-MM-DD, nhận được {today!r}") from None
        if dry_run:
            return self.dry_run(day)
        result = services.run_sweep(day, dispatch=queue_reminders if queue else None)
        rows = (
            Reminder.objects.filter(pk__in=result.claimed)
            .select_related("recipient", "agency", "assignment__task__section", "duty")
            .order_by("pk")
        )
        sent = failed = 0
        for reminder in rows:
            if queue:
                outcome = "đã xếp hàng"
            else:
                try:
                    result_of_send = delivery.deliver(reminder.pk)
                    outcome = result_of_send.label
                except delivery.RetryLater as exc:  # the next sweep (or the worker's requeue job) tries again
                    result_of_send, outcome = delivery.Outcome.RETRY, f"lỗi, sẽ gửi lại sau: {exc}"
                except Exception as exc:  # noqa: BLE001 - the row is marked failed (the admin shows it); go on
                    logger.exception("Reminder %s failed", reminder.pk)
                    result_of_send, outcome = delivery.Outcome.FAILED, f"lỗi: {type(exc).__name__}"
                sent += result_of_send == delivery.Outcome.SENT
                failed += result_of_send in (delivery.Outcome.FAILED, delivery.Outcome.RETRY)
            self.stdout.write(f"{describe(reminder)}\t{outcome}")
        summary = (
            f"Ngày {result.day:%d/%m/%Y}: {result.planned} nhắc nhở cần gửi, {len(result.claimed)} nhận xử lý lượt này"
        )
        if result.requeued:
            summary += f" (trong đó {result.requeued} nhắc nhở bị kẹt được gửi lại)"
        summary += f", {'xếp hàng' if queue else 'đã gửi'} {len(result.claimed) if queue else sent}"
        if failed:
            summary += f", {failed} gửi lỗi (xem trong trang quản trị: Nhắc nhở, lọc 'Gửi lỗi')"
        self.stdout.write(self.style.SUCCESS(summary + "."))
        for failure in result.failures:
            self.stderr.write(f"Không lập được nhắc nhở: {failure}")

    def dry_run(self, day: datetime.date | None) -> None:
        day = day or timezone.localdate()
        reminders = services.unclaimed(services.plan_reminders(day))
        # Attach what describe() reads, in a few queries rather than one per line.
        users = User.objects.in_bulk({r.recipient_id for r in reminders})
        agencies = Agency.objects.in_bulk({r.agency_id for r in reminders})
        assignments = Assignment.objects.select_related("task__section").in_bulk(
            {r.assignment_id for r in reminders if r.assignment_id}
        )
        duties = ReportingDuty.objects.in_bulk({r.duty_id for r in reminders if r.duty_id})
        for reminder in reminders:
            reminder.recipient = users[reminder.recipient_id]
            reminder.agency = agencies[reminder.agency_id]
            if reminder.assignment_id:
                reminder.assignment = assignments[reminder.assignment_id]
            if reminder.duty_id:
                reminder.duty = duties[reminder.duty_id]
            self.stdout.write(f"{describe(reminder)}\t(thử, chưa gửi)")
        self.stdout.write(
            self.style.SUCCESS(f"Ngày {day:%d/%m/%Y}: {len(reminders)} nhắc nhở sẽ được gửi (chạy thử, không ghi gì).")
        )
