"""Pages that span apps."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Send each role to its starting page: reviewers to the dashboard, agencies to their tasks."""
    if request.user.is_reviewer:
        return redirect("dashboard:overview")
    return redirect("tasks:list")


def bench_ping(request):
    """A bare Django view: the baseline the benchmarks compare real pages with (mounted only when BENCH_ENDPOINTS)."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
