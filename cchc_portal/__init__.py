"""The CCHC portal project: settings, URLs, the Celery app and pages that span apps."""

from .celery import app as celery_app

__all__ = ["celery_app"]
