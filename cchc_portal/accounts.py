"""Password change and reset by e-mail: Django's own views, with the portal's Vietnamese templates.

Every signed-in user changes their password at /accounts/password/; anyone resets it by e-mail from the login
page (the link is valid PASSWORD_RESET_TIMEOUT seconds, once). Passwords follow AUTH_PASSWORD_VALIDATORS:
at least 12 characters, not a common password, not only digits, not like the user's name.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view; the link in the e-mail starts with SITE_URL, never with the Host header a request claims."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


urlpatterns = [
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
