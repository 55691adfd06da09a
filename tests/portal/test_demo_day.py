"""One working day of the demo (Phú Yên, plan 275/KH-UBND, Thursday 28/03/2024), with every e-mail it sends counted
at a real SMTP server on loopback: the 07:00 sweep's reminders, then the workflow of the day — Sở Tư pháp reports
on two tasks, its leader sends both, Sở Nội vụ returns one and accepts the other, and writes in a discussion.

The test checks that what the SMTP server received is exactly what the database says was sent (reminders sent,
notifications e-mailed), and prints the figures (run with ``-s`` to read them).
"""

from __future__ import annotations

from collections import Counter

import pytest
from aiosmtpd.controller import Controller

from agencies.models import User
from cchc_portal.models import EmailState, Notification, Reminder, ReminderState
from cchc_portal.notifications import delivery
from cchc_portal.notifications.services import run_sweep
from plans.models import Document
from tasks import services
from tasks.models import Assignment
from tests.notifications.support import SITE_URL, Mailbox, at, free_port, subject_of

pytestmark = pytest.mark.django_db

DEMO_PEOPLE = ["sonoivu", "vpubnd", "sotuphap", "sotuphap_lanhdao"]


@pytest.fixture
def mailbox(settings):
    box = Mailbox()
    box.controller = Controller(box, hostname="127.0.0.1", port=free_port())
    box.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 10
    settings.SITE_URL = SITE_URL
    yield box
    box.release()
    box.controller.stop()


def share(number: str, section: str = "II") -> Assignment:
    plan = Document.objects.get(number="275/KH-UBND")
    return Assignment.objects.select_related("task__document", "agency").get(
        task__document=plan, task__section__number=section, task__number=number, agency__name="Sở Tư pháp"
    )


def test_one_day_of_the_demo_and_the_e_mails_it_sends(demo, mailbox, steps, time_machine):
    people = {u.username: u for u in User.objects.filter(username__in=DEMO_PEOPLE)}
    for user in people.values():
        user.email = f"{user.username}@example.gov.vn"
        user.is_active = True
        user.save(update_fields=["email", "is_active"])

    # 07:00: the daily sweep, delivered as the worker would.
    time_machine.move_to(at("2024-03-28 07:00"))
    swept = run_sweep()
    for pk in swept.claimed:
        delivery.deliver(pk)
    reminders = Counter(Reminder.objects.filter(state=ReminderState.SENT).values_list("kind", flat=True))

    # The working day.
    time_machine.move_to(at("2024-03-28 09:00"))
    staff, leader, reviewer = people["sotuphap"], people["sotuphap_lanhdao"], people["sonoivu"]
    with steps():
        for number, note in (("1", "Đã ban hành Kế hoạch số 25/KH-STP"), ("2", "Đã trình dự thảo Quyết định")):
            part = share(number)
            services.report_progress(part, staff, part.version, services.Report(state="done", progress=100, note=note))
    time_machine.move_to(at("2024-03-28 10:30"))
    with steps():
        for number in ("1", "2"):
            services.submit(share(number), leader, share(number).version)
    time_machine.move_to(at("2024-03-28 15:00"))
    with steps():
        services.decide(share("1"), reviewer, share("1").version, "accepted")
        services.decide(share("2"), reviewer, share("2").version, "returned", "Đề nghị gửi kèm dự thảo Quyết định")
        services.add_comment(share("2").task, reviewer, "Sở Tư pháp lưu ý thời hạn trình UBND tỉnh.")

    emailed = Counter(Notification.objects.filter(email_state=EmailState.SENT).values_list("kind", flat=True))
    received = len(mailbox.messages)
    assert received == sum(reminders.values()) + sum(emailed.values())  # nothing lost, nothing twice
    per_person = Counter(address.addr_spec for m in mailbox.messages for address in m["To"].addresses)
    print(  # noqa: T201 - the figures of the report
        f"\nDemo day 28/03/2024: {received} e-mails — reminders {dict(reminders)}, workflow {dict(emailed)}; "
        f"per person {dict(per_person)}"
    )
    subjects = [subject_of(m) for m in mailbox.to(staff.email)]
    assert "[Cổng CCHC] Báo cáo nhiệm vụ II.2 bị trả lại, cần bổ sung" in subjects
    assert "[Cổng CCHC] Báo cáo nhiệm vụ II.1 đã được chấp nhận" in subjects
    assert (
        sum(emailed.values()) >= 7
    )  # 2 awaiting (leader), 2 submitted (Sở Nội vụ), accepted and returned (×2), comment
