from django.urls import path

from cchc_portal.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("<int:duty>/", views.duty_page, name="duty"),
    path("<int:duty>/<str:period>/", views.period_page, name="period"),
    path("<int:duty>/<str:period>/<int:agency>/", views.report_page, name="report"),
    path("<int:duty>/<str:period>/<int:agency>/send/", views.send_report, name="send"),
    path("<int:duty>/<str:period>/<int:agency>/decide/", views.decide_report, name="decide"),
    path("files/<int:pk>/", views.report_file, name="file"),
]
