from django.urls import path

from cchc_portal.documents import views

app_name = "plans"
urlpatterns = [
    path("", views.DocumentListView.as_view(), name="list"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="document"),
    path("<int:pk>/import/", views.import_start, name="import_start"),
    path("imports/<int:pk>/", views.import_job, name="import"),
    path("imports/<int:pk>/status/", views.import_status, name="import_status"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/successor/", views.import_successor, name="import_successor"),
    path("imports/<int:pk>/columns/", views.import_columns, name="import_columns"),
    path("imports/<int:pk>/agencies/", views.agency_search, name="agency_search"),
    path("imports/<int:pk>/agencies/new/", views.agency_create, name="agency_create"),
]
