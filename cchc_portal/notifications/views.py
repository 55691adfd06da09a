"""The user's notification list: read, mark one read, mark all read. Everyone sees only their own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from cchc_portal.models import Notification


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        queryset = Notification.objects.for_user(self.request.user)
        if self.request.GET.get("unread"):
            queryset = queryset.unread()
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["only_unread"] = bool(self.request.GET.get("unread"))
        return context


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)  # a path as given: redirect() would try it as a URL name ("²")
    return redirect(default)


@login_required
@require_POST
def mark_read(request, pk: int):
    """Mark one of the user's notifications read (404 for anyone else's), then go to ``next``."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return _back(request, "notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    """Mark all the user's unread notifications read (one UPDATE)."""
    count = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    messages.success(request, _("Đã đánh dấu %(count)s thông báo là đã đọc.") % {"count": count})
    return _back(request, "notifications:list")
