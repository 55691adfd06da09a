"""Pages of an export: start it from a list (with the list's filters), follow its progress, download the file.

Only the user who asked for an export sees it (404 for anyone else); the file is served through ``export_file``,
never from the media folder directly.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from cchc_portal import exporting
from cchc_portal.models import ExportJob


def _own_job(request, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, created_by=request.user)


@login_required
@require_POST
def export_start(request):
    """Export a list as shown: the posted ``source`` names it, the posted ``query`` is its query string."""
    source = request.POST.get("source", "")
    if source not in exporting.sources():
        raise Http404
    from django.http import QueryDict

    params = QueryDict(request.POST.get("query", "")[:4000])
    job = exporting.start(request.user, source, params)
    return redirect(job)


@login_required
def export_job(request, pk: int):
    return render(request, "exports/job.html", {"job": _own_job(request, pk)})


@login_required
def export_status(request, pk: int):
    """JSON for the progress bar."""
    job = _own_job(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "progress": job.progress,
            "total": job.total,
            "error": job.error,
            "url": job.get_absolute_url(),
        }
    )


@login_required
def export_file(request, pk: int):
    job = _own_job(request, pk)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


app_name = "exports"
urlpatterns = [
    path("new/", export_start, name="start"),
    path("<int:pk>/", export_job, name="job"),
    path("<int:pk>/status/", export_status, name="status"),
    path("<int:pk>/file/", export_file, name="file"),
]
