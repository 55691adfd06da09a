"""Fixtures of the reminder tests: personas with e-mail addresses, a real SMTP server on loopback, a real
Celery worker on a real Redis, and child processes that share the test database (to kill or race them).

Nothing here mocks the database, Redis or SMTP. Time is set with time-machine, never waited for.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from aiosmtpd.controller import Controller

from agencies.models import Role, User
from tests.conftest import make_agency, make_user
from tests.notifications.support import SITE_URL, TEST_REDIS_URL, Jobs, Mailbox, free_port, with_email

# --------------------------------------------------------------------------------------------------
# personas
# --------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quiet_demo_accounts(db):
    """The demo accounts (loaded once per session) would get reminders for the demo plan's overdue tasks on
    any day; these tests speak only about their own personas, so the demo accounts are made inactive."""
    User.objects.filter(username__in=["sonoivu", "vpubnd", "sotuphap", "sotuphap_lanhdao"]).update(is_active=False)


@pytest.fixture
def staff(staff):
    """Contact person (staff) of Sở Tư pháp, the lead agency of ``justice_task``."""
    return with_email(staff)


@pytest.fixture
def leader(leader):
    """Leader of Sở Tư pháp."""
    return with_email(leader)


@pytest.fixture
def reviewer(reviewer):
    """Reviewer at Sở Nội vụ, the standing agency for CCHC."""
    return with_email(reviewer)


@pytest.fixture
def colleague_elsewhere(colleague_elsewhere):
    """Contact person of Sở Tài chính, which cooperates on ``justice_task``."""
    return with_email(colleague_elsewhere)


@pytest.fixture
def office(province):
    return make_agency(province, "Văn phòng UBND tỉnh", short_name="VP UBND")


@pytest.fixture
def office_reviewer(office):
    """Reviewer at Văn phòng UBND tỉnh, which follows only the documents that name it."""
    return with_email(make_user("office_reviewer", office, Role.REVIEWER))


# --------------------------------------------------------------------------------------------------
# a real SMTP server
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def mailbox(settings):
    """A real SMTP server on loopback; Django's SMTP backend points at it."""
    box = Mailbox()
    box.controller = Controller(box, hostname="127.0.0.1", port=free_port())
    box.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 10
    settings.DEFAULT_FROM_EMAIL = "Cổng CCHC <cchc@example.gov.vn>"
    settings.SITE_URL = SITE_URL
    yield box
    box.release()
    box.controller.stop()


# --------------------------------------------------------------------------------------------------
# a real Celery worker on a real Redis
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url():
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        # A fresh machine may have no Redis; CI (.ci/run sets REQUIRE_SERVICES) must not pass without it.
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("Redis is required here (REQUIRE_SERVICES) but not running on 127.0.0.1:6379")
        pytest.skip("Redis not running on 127.0.0.1:6379")
    finally:
        client.close()
    return TEST_REDIS_URL


@pytest.fixture
def worker(transactional_db, redis_url, mailbox):
    """A real Celery worker (solo pool, in a thread) consuming a queue of its own on Redis DB 14.

    The app is configured from Django's CELERY_* settings like the project's, with the test broker; it is the
    current and default app while the test runs, so ``shared_task.delay()`` publishes there.
    """
    import celery._state
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    import cchc_portal.jobs  # noqa: F401 - registers the shared tasks with every app

    queue = f"cchc-test-{uuid.uuid4().hex[:10]}"
    app = Celery("cchc_portal_test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_url,
        broker_transport_options={"visibility_timeout": 3600},
        task_always_eager=False,
        task_default_queue=queue,
        task_default_exchange=queue,
        task_default_routing_key=queue,
        worker_hijack_root_logger=False,
    )
    previous = (celery._state.default_app, celery._state._tls.current_app)
    jobs = Jobs()
    task_postrun.connect(jobs.on_postrun, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
            yield jobs
    finally:
        task_postrun.disconnect(jobs.on_postrun)
        celery._state.set_default_app(previous[0])
        celery._state._set_current_app(previous[1])
        client = redis.Redis.from_url(redis_url)
        client.delete(queue, *client.scan_iter(f"_kombu.binding*.{queue}"))
        client.close()


# --------------------------------------------------------------------------------------------------
# child processes that share the test database
# --------------------------------------------------------------------------------------------------
