from django.urls import path

from cchc_portal.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
]
