from django.urls import path

from cchc_portal.dashboards import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
]
