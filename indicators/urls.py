from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_home, name="home"),
    path("<int:pk>/", views.indicator_detail, name="detail"),
    path("<int:pk>/export.xlsx", views.indicator_export, name="export"),
    path("<int:indicator_pk>/targets/new/", views.target_edit, name="target_new"),
    path("<int:indicator_pk>/targets/<int:pk>/", views.target_edit, name="target_edit"),
    path("<int:indicator_pk>/targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("targets/<int:pk>/report/", views.report, name="report"),
    path("agency/", views.agency_targets, name="agency"),
    path("agency/export.xlsx", views.agency_export, name="agency_export"),
    path("review/", views.review_queue, name="review_queue"),
    path("measurements/<int:pk>/", views.review, name="review"),
    path("measurements/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("indexes/", views.indexes, name="indexes"),
]
