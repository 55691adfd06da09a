"""Dashboards for Sở Nội vụ and Văn phòng UBND tỉnh, and the periodic report exports."""

from django.urls import path

from cchc_portal.dashboards import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("tasks/", views.task_list, name="tasks"),
    path("indicators/", views.indicators, name="indicators"),
    path("export/xlsx/", views.export, {"kind": "xlsx"}, name="export_xlsx"),
    path("export/docx/", views.export, {"kind": "docx"}, name="export_docx"),
]
