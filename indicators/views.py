"""Indicator pages (placeholder until issue 7)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def indicator_home(request):
    return render(request, "indicators/home.html", {})
