"""Beat's schedule: the daily sweep at 07:00 Vietnam time, created by a migration, editable in the admin."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from cchc_portal.celery import app
from tests.notifications.support import at

pytestmark = pytest.mark.django_db

schedule_migration = importlib.import_module("cchc_portal.migrations.0002_reminder_schedule")


def test_migrate_schedules_the_daily_sweep_at_7_in_vietnam():
    sweep = PeriodicTask.objects.get(task="cchc_portal.jobs.daily_sweep")
    assert sweep.enabled
    assert (sweep.crontab.minute, sweep.crontab.hour, sweep.crontab.day_of_week) == ("0", "7", "*")
    assert str(sweep.crontab.timezone) == "Asia/Ho_Chi_Minh"
    requeue = PeriodicTask.objects.get(task="cchc_portal.jobs.requeue_stuck")
    assert (requeue.interval.every, requeue.interval.period) == (15, "minutes")


def test_the_scheduled_names_are_real_jobs():
    app.loader.import_default_modules()  # what the worker does at start: autodiscover the jobs.py modules
    for task in PeriodicTask.objects.filter(task__startswith="cchc_portal."):
        assert task.task in app.tasks


def test_the_crontab_fires_at_7_vietnam_time_not_utc(time_machine):
    crontab = PeriodicTask.objects.get(task="cchc_portal.jobs.daily_sweep").crontab.schedule
    time_machine.move_to(at("2024-03-27 06:00"), tick=False)  # 23:00 UTC the day before
    assert crontab.remaining_estimate(at("2024-03-26 07:00")) == datetime.timedelta(hours=1)
    time_machine.move_to(at("2024-03-27 07:00"), tick=False)
    assert crontab.is_due(at("2024-03-26 07:00")).is_due


def test_running_the_migration_again_keeps_one_entry_and_the_admin_s_changes():
    sweep = PeriodicTask.objects.get(task="cchc_portal.jobs.daily_sweep")
    sweep.enabled = False
    sweep.save()
    schedule_migration.create_schedule(apps, None)
    assert PeriodicTask.objects.filter(task="cchc_portal.jobs.daily_sweep").count() == 1
    assert not PeriodicTask.objects.get(task="cchc_portal.jobs.daily_sweep").enabled
