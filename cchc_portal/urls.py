"""URLs of the portal: pages of each app, login, the admin, language switch."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cchc_portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("cchc_portal.accounts")),  # password change and reset by e-mail
    path("i18n/", include("django.conf.urls.i18n")),
    path("documents/", include("cchc_portal.documents.urls")),
    path("tasks/", include("tasks.urls")),
    path("dashboard/", include("cchc_portal.dashboards.urls")),
    path("notifications/", include("cchc_portal.notifications.urls")),
    path("indicators/", include("indicators.urls")),
    path("reports/", include("cchc_portal.reports.urls")),
    path("queues/", include("cchc_portal.queues")),
    path("exports/", include("cchc_portal.export_views")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_ENDPOINTS:  # benchmarks only: a bare view served the same way as the portal
    urlpatterns.append(path("bench/ping/", views.bench_ping, name="bench_ping"))
