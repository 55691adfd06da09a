from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.DocumentListView.as_view(), name="list"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="document"),
]
