"""Celery entry points for appendix imports; the work is in cchc_portal.documents.services."""

from celery import shared_task

from cchc_portal.documents import services
from plans.models import ImportJob


@shared_task(acks_late=True, time_limit=600, soft_time_limit=570)
def parse_import(job_id: int) -> None:
    """Read a large upload in the background (the page shows a progress bar meanwhile)."""
    job = (
        ImportJob.objects.select_related("document__province").filter(pk=job_id, state=ImportJob.State.PENDING).first()
    )
    if job is not None:
        services.parse_job(job)


@shared_task(acks_late=True, time_limit=900, soft_time_limit=870)
def apply_import(
    job_id: int,
    mappings: dict[str, str],
    remember: bool,
    remove_missing: list[int],
    choices: dict[str, str] | None = None,
) -> None:
    """Write a confirmed large import in the background, in one transaction."""
    job = (
        ImportJob.objects.select_related("document__province")
        .filter(pk=job_id, state__in=[ImportJob.State.READY, ImportJob.State.APPLYING])
        .first()
    )
    if job is not None:
        services.apply_job(
            job,
            mappings=services.targets_from_keys(job.document.province, mappings),
            remember=remember,
            remove_missing=remove_missing,
            choices={int(row): choice for row, choice in (choices or {}).items()},  # JSON keys are strings
        )
