"""Pages about tasks: an agency's list, one task, evidence downloads."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from tasks.models import Assignment, Evidence, Task


class TaskListView(LoginRequiredMixin, ListView):
    template_name = "tasks/task_list.html"
    context_object_name = "assignments"
    paginate_by = 50

    def get_queryset(self):
        return (
            Assignment.objects.for_user(self.request.user)
            .with_status()
            .select_related("task__document", "task__section", "agency")
            .order_by("effective_due", "task__order")
        )


class TaskDetailView(LoginRequiredMixin, DetailView):
    template_name = "tasks/task_detail.html"
    context_object_name = "task"

    def get_queryset(self):
        return Task.objects.for_user(self.request.user).select_related("document", "section")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignments"] = self.object.assignments.with_status().select_related("agency", "group").order_by("role", "agency__name")
        return context


@login_required
def evidence_download(request, pk: int):
    """Serve an evidence file only to those who may see its task (404 otherwise, like any hidden object)."""
    visible = Assignment.objects.for_user(request.user)
    evidence = get_object_or_404(Evidence.objects.select_related("update__assignment"), pk=pk, update__assignment__in=visible)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)
