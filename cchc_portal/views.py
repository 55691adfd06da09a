"""Pages that span apps."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Send each role to its starting page."""
    return redirect("plans:list")
