"""The user's notification list: read, mark one read, mark all read. Everyone sees only their own."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from cchc_portal.models import EmailMode, Notification, NotificationSettings
from tasks.forms import PortalForm


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
def open_notification(request, pk: int):
    """Follow a notification to the place it is about, marking it read on the way (404 for anyone else's)."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    """Mark all the user's unread notifications read (one UPDATE)."""
    count = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    messages.success(request, _("Đã đánh dấu %(count)s thông báo là đã đọc.") % {"count": count})
    return _back(request, "notifications:list")


class SettingsForm(PortalForm):
    email_mode = forms.ChoiceField(
        label=gettext_lazy("Nhận thông báo qua e-mail"),
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Thông báo luôn hiện trên Cổng (mục “Thông báo”). Thư tổng hợp được gửi mỗi sáng, gồm các việc của ngày trước."
        ),
    )


@login_required
def settings_page(request):
    """Every user chooses how notifications reach them by e-mail: each event, one digest a day, or none."""
    current = NotificationSettings.objects.filter(user=request.user).first()
    form = SettingsForm(request.POST or None, initial={"email_mode": current.email_mode if current else EmailMode.EACH})
    if request.method == "POST" and form.is_valid():
        NotificationSettings.objects.update_or_create(
            user=request.user, defaults={"email_mode": form.cleaned_data["email_mode"]}
        )
        messages.success(request, _("Đã lưu cách nhận thông báo qua e-mail."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form, "email": request.user.email})
