"""Tell the people concerned that a workflow step happened, once the step is committed.

An app that records a step (a report returned, a comment written) calls ``publish`` with the kind of step
and the id of the row that records it. Nothing is read or written here: one job is queued when the
transaction commits (ids only), and the job (``cchc_portal.jobs.notify_event``) works out who must be told,
writes their notifications once and sends the e-mails. So a step costs its request no query per recipient,
and an app need not import the portal's notification code.

The job is queued with ``on_commit(robust=True)``: if the broker cannot be reached, the step stays committed and
the person who took it sees it done; the failure is logged (the queues of the main menu still show the work).
"""

from __future__ import annotations

import functools

from celery import current_app
from django.db import transaction

#: The Celery job that turns a published step into notifications (registered by ``cchc_portal.jobs``).
NOTIFY_JOB = "cchc_portal.jobs.notify_event"


def publish(kind: str, pk: int, **extra: object) -> None:
    """Queue the notifications of step ``kind`` recorded by row ``pk`` after the current transaction commits.

    ``extra`` must be JSON (ids, short strings): it travels through the broker.
    """
    job = current_app.tasks[NOTIFY_JOB]
    transaction.on_commit(functools.partial(job.delay, kind, pk, extra or None), robust=True)
