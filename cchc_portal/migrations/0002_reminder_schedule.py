"""Schedule the reminder jobs in django-celery-beat (editable in the admin afterwards).

The daily sweep runs at 07:00 Asia/Ho_Chi_Minh; ``requeue_stuck`` every 15 minutes queues reminders that a
killed worker or a lost message left pending. Idempotent: entries that exist (by name) are left as the admin
edited them, so running migrate again never undoes a change.
"""

from django.db import migrations
from django.utils import timezone

SWEEP = "Nhắc hạn: quét hằng ngày lúc 07:00"
REQUEUE = "Nhắc hạn: gửi lại nhắc nhở bị kẹt (15 phút một lần)"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if not PeriodicTask.objects.filter(name=SWEEP).exists():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Ho_Chi_Minh"
        )
        PeriodicTask.objects.create(
            name=SWEEP, task="cchc_portal.jobs.daily_sweep", crontab=crontab,
            description="Gửi nhắc trước hạn, quá hạn, báo cáo lãnh đạo, nhắc báo cáo định kỳ và tổng hợp thứ Hai.",
        )
    if not PeriodicTask.objects.filter(name=REQUEUE).exists():
        interval, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
        PeriodicTask.objects.create(name=REQUEUE, task="cchc_portal.jobs.requeue_stuck", interval=interval)
    # Tell a running beat that its schedule changed (what PeriodicTask.save() does outside migrations).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[SWEEP, REQUEUE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cchc_portal", "0001_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
