from django.urls import path

from tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.TaskListView.as_view(), name="list"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("assignments/<int:pk>/report/", views.ReportView.as_view(), name="report"),
    path("assignments/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("assignments/<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("assignments/<int:pk>/extension/", views.ExtensionRequestView.as_view(), name="request_extension"),
    path("extensions/<int:pk>/decide/", views.ExtensionDecisionView.as_view(), name="decide_extension"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("review/bulk/", views.BulkReviewView.as_view(), name="review_bulk"),
    path("assignments/<int:pk>/reopen/", views.ReopenView.as_view(), name="reopen"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("comments/files/<int:pk>/", views.comment_file, name="comment_file"),
]
