"""What a reminder says: the e-mail (subject, plain text, HTML) and the in-portal notification."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cchc_portal.models import EmailState, Notification, Reminder, ReminderKind
from cchc_portal.notifications.digest import build_digest, followed_documents
from cchc_portal.notifications.periods import period_of

SUBJECT_PREFIX = "[Cổng CCHC] "


@dataclass
class Message:
    subject: str
    text: str
    html: str
    url: str  # relative: the notification links inside the portal, the e-mail prefixes SITE_URL
    title: str
    body: str


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def _date(day) -> str:
    return date_format(day, "d/m/Y")


def _truncate(text: str, length: int = 160) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# Line breaks and other control characters: in a header they are refused by Django (BadHeaderError) or, worse,
# start a new header. A document number typed with a newline made its reminders fail for good.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def header_safe(text: str, length: int = 200) -> str:
    """One line fit for an e-mail header: control characters become spaces, runs of spaces one, at most ``length``."""
    return _truncate(" ".join(_CONTROL.sub(" ", text).split()), length)


def _task_message(reminder: Reminder) -> tuple[str, str, str, dict]:
    assignment = reminder.assignment
    task = assignment.task
    days = reminder.days_to_due or 0
    values = {
        "number": task.full_number or task.pk,
        "days": abs(days),
        "agency": reminder.agency.name,
        "due": _date(reminder.due_date),
        "document": str(task.document),
    }
    if reminder.kind == ReminderKind.DUE_SOON:
        title = _("Còn %(days)s ngày đến hạn nhiệm vụ %(number)s (%(document)s)") % values
        body = _("Hạn hoàn thành %(due)s. Cơ quan: %(agency)s.") % values
    elif reminder.kind == ReminderKind.OVERDUE:
        title = _("Nhiệm vụ %(number)s (%(document)s) đã quá hạn %(days)s ngày") % values
        body = _("Hạn hoàn thành là %(due)s. Đề nghị %(agency)s cập nhật tiến độ hoặc đề nghị gia hạn.") % values
    else:
        title = _("Báo cáo lãnh đạo: nhiệm vụ %(number)s của %(agency)s quá hạn %(days)s ngày") % values
        body = _("Nhiệm vụ thuộc %(document)s, hạn hoàn thành %(due)s, đến nay chưa hoàn thành.") % values
    url = assignment.get_absolute_url()
    context = {
        "task": task,
        "assignment": assignment,
        "days": abs(days),
        "due": reminder.due_date,
        "role": assignment.get_role_display(),
    }
    return title, f"{body} {_truncate(task.title)}", url, context


def _report_message(reminder: Reminder) -> tuple[str, str, str, dict]:
    duty = reminder.duty
    values = {
        "days": reminder.days_to_due,
        "frequency": duty.get_frequency_display().lower(),
        "start": _date(reminder.period_start),
        "end": _date(reminder.period_end),
        "due": _date(reminder.due_date),
        "recipient": duty.recipient.name,
        "document": str(duty.document),
    }
    title = _("Còn %(days)s ngày đến hạn gửi báo cáo %(frequency)s kỳ %(start)s – %(end)s") % values
    body = _("Gửi %(recipient)s trước ngày %(due)s, theo %(document)s.") % values
    period = period_of(duty.frequency, duty.due_day, reminder.period_start)
    url = reverse("reports:report", args=[duty.pk, period.param, reminder.agency_id])
    return title, body, url, {"duty": duty, "days": reminder.days_to_due, "due": reminder.due_date}


def _digest_message(reminder: Reminder) -> tuple[str, str, str, dict]:
    digest = build_digest(followed_documents(reminder.agency), reminder.day)
    values = {
        "date": _date(reminder.day),
        "overdue": digest.became_overdue_count,
        "soon": digest.due_soon_count,
        "unconfirmed": digest.needs_confirmation_count,
    }
    title = _("Tổng hợp tuần %(date)s: %(overdue)s nhiệm vụ mới quá hạn, %(soon)s nhiệm vụ sắp đến hạn") % values
    body = _("%(unconfirmed)s nhiệm vụ có thời hạn cần xác nhận.") % values
    url = reverse("dashboard:overview")
    return title, body, url, {"digest": digest, "horizon": settings.REMINDER_DIGEST_HORIZON_DAYS}


#: Notifications listed in one daily e-mail; the rest are counted and reached through the portal.
EVENTS_LISTED = 50


def _events_message(reminder: Reminder) -> tuple[str, str, str, dict]:
    waiting = Notification.objects.filter(
        recipient_id=reminder.recipient_id, email_state=EmailState.DAILY, created_at__lte=reminder.created_at
    ).order_by("created_at", "pk")
    items = list(waiting[:EVENTS_LISTED])
    count = len(items) if len(items) < EVENTS_LISTED else waiting.count()
    values = {"count": count, "date": _date(reminder.day)}
    title = _("Tổng hợp ngày %(date)s: %(count)s thông báo mới trên Cổng CCHC") % values
    body = _("Các việc dưới đây đã diễn ra từ lần tổng hợp trước.")
    items_out = [
        {"title": n.title, "body": n.body, "link": absolute(n.url) if n.url else "", "at": n.created_at} for n in items
    ]
    url = reverse("notifications:list")
    return title, body, url, {"items": items_out, "more": max(0, count - len(items))}


COMPOSERS = {
    ReminderKind.DUE_SOON: ("email/reminder_task", _task_message),
    ReminderKind.OVERDUE: ("email/reminder_task", _task_message),
    ReminderKind.ESCALATION: ("email/reminder_task", _task_message),
    ReminderKind.REPORT_DUE: ("email/reminder_report", _report_message),
    ReminderKind.DIGEST: ("email/reminder_digest", _digest_message),
    ReminderKind.EVENTS_DIGEST: ("email/events_digest", _events_message),
}


def compose(reminder: Reminder) -> Message:
    """Write the reminder in the portal's language (Vietnamese); a few queries for a digest, none otherwise."""
    template, composer = COMPOSERS[ReminderKind(reminder.kind)]
    with translation.override(settings.LANGUAGE_CODE):
        title, body, url, extra = composer(reminder)
        context = {
            "reminder": reminder,
            "recipient": reminder.recipient,
            "agency": reminder.agency,
            "title": title,
            "body": body,
            "link": absolute(url),
            "site_url": settings.SITE_URL,
            "kind": reminder.get_kind_display(),
            "notifications_link": absolute(reverse("notifications:list")),
            **extra,
        }
        return Message(
            subject=header_safe(SUBJECT_PREFIX + title),
            text=render_to_string(f"{template}.txt", context),
            html=render_to_string(f"{template}.html", context),
            url=url,
            title=header_safe(title, 255),
            body=body,
        )


def compose_event(notification: Notification) -> Message:
    """Write the e-mail of one workflow notification (a report returned, a comment…); no query."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "recipient": notification.recipient,
            "title": notification.title,
            "body": notification.body,
            "kind": notification.get_kind_display(),
            "link": absolute(notification.url) if notification.url else absolute(reverse("notifications:list")),
            "site_url": settings.SITE_URL,
            "notifications_link": absolute(reverse("notifications:list")),
            "settings_link": absolute(reverse("notifications:settings")),
        }
        return Message(
            subject=SUBJECT_PREFIX + notification.title,
            text=render_to_string("email/event.txt", context),
            html=render_to_string("email/event.html", context),
            url=notification.url,
            title=notification.title,
            body=notification.body,
        )
