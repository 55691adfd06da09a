"""Pages about documents: the list and one document with its sections and tasks."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Prefetch
from django.views.generic import DetailView, ListView

from plans.models import Document, Section
from tasks.models import Task


class DocumentListView(LoginRequiredMixin, ListView):
    template_name = "plans/document_list.html"
    context_object_name = "documents"
    paginate_by = 50

    def get_queryset(self):
        return (
            Document.objects.for_user(self.request.user)
            .select_related("issuer", "province")
            .annotate(task_count=Count("tasks", distinct=True), indicator_count=Count("indicators", distinct=True))
            .search(self.request.GET.get("q", ""))
        )


class DocumentDetailView(LoginRequiredMixin, DetailView):
    template_name = "plans/document_detail.html"
    context_object_name = "document"

    def get_queryset(self):
        tasks = Task.objects.order_by("order", "pk")
        return (
            Document.objects.for_user(self.request.user)
            .select_related("issuer", "province")
            .prefetch_related(
                Prefetch("sections", queryset=Section.objects.order_by("order").prefetch_related(Prefetch("tasks", queryset=tasks))),
                "indicators__targets",
                "based_on",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["loose_tasks"] = self.object.tasks.filter(section__isnull=True).order_by("order")
        return context
