"""Pages that span apps."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Send each role to its starting page: reviewers to the dashboard, agencies to their tasks."""
    if request.user.is_reviewer:
        return redirect("dashboard:overview")
    return redirect("tasks:list")
