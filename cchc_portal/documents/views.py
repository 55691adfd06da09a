"""Pages about documents: the list, one document, and the import of its appendix (upload, preview, confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from agencies.roles import is_province_admin
from cchc_portal.documents import jobs, services
from cchc_portal.documents.forms import AgencyInPlaceForm, ImportForm
from core.params import whole_number
from plans.models import Document, ImportJob, ImportKind, Section
from tasks import matching
from tasks.models import Task

# Tables this small are read and written while the admin waits; larger ones go to the worker.
SYNC_MAX_ROWS = 400


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
            .order_by("-year", "number", "pk")
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
                Prefetch(
                    "sections",
                    queryset=Section.objects.order_by("order").prefetch_related(Prefetch("tasks", queryset=tasks)),
                ),
                "indicators__targets",
                "based_on",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["loose_tasks"] = self.object.tasks.filter(section__isnull=True).order_by("order")
        context["can_import"] = self.request.user.can_import
        return context


def _importable_document(request, pk: int) -> Document:
    if not request.user.can_import:
        raise PermissionDenied
    return get_object_or_404(Document.objects.for_user(request.user).select_related("province"), pk=pk)


def _visible_job(request, pk: int) -> ImportJob:
    if not request.user.can_import:
        raise PermissionDenied
    documents = Document.objects.for_user(request.user)
    return get_object_or_404(
        ImportJob.objects.select_related("document__province", "created_by"), pk=pk, document__in=documents
    )


@login_required
def import_start(request, pk: int):
    """Upload a file or paste a table for a document's appendix; small ones are read at once."""
    document = _importable_document(request, pk)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind", ImportKind.TASKS)}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob(
            document=document,
            kind=form.cleaned_data["kind"],
            created_by=request.user,
            pasted_text=form.cleaned_data["pasted"] if not upload else "",
        )
        if upload:
            job.original_name = upload.name[:255]
            job.file.save(upload.name, upload, save=False)
        job.save()
        size = upload.size if upload else len(job.pasted_text.encode())
        if size > services.BACKGROUND_BYTES:
            transaction.on_commit(lambda: jobs.parse_import.delay(job.pk))
        else:
            services.parse_job(job)
        return redirect(job)
    return render(request, "plans/import_start.html", {"document": document, "form": form})


@login_required
def import_job(request, pk: int):
    """The preview of a read table: what will be written, warnings and errors per row, unknown names to map."""
    job = _visible_job(request, pk)
    context = {"job": job, "document": job.document}
    if job.state == ImportJob.State.READY:
        preview = services.preview_job(job)
        context["preview"] = preview
        context["moves_to"] = services.successor_province(job.document)  # "Chuyển sang đơn vị kế thừa"
        if job.kind == ImportKind.TASKS:
            province = job.document.province
            successors = preview.successor_choices()
            context["successor_choices"] = [
                (name, rows, [(f"agency:{a.pk}", a.name) for a in options])
                for name, (rows, options) in sorted(successors.items())
            ]
            # Each unknown name offers the few agencies and groups that look like it; typing searches them all.
            context["unknown"] = [
                (name, rows, services.suggest_targets(province, name))
                for name, rows in sorted(preview.unknown_names().items())
                if name not in successors
            ]
            context["can_create_agency"] = is_province_admin(request.user) or request.user.is_superuser
            context["column_rows"], context["unsure_columns"] = services.column_choices(job)
            context["column_roles"] = services.COLUMN_ROLES.items()
    return render(request, "plans/import_job.html", context)


@login_required
def import_status(request, pk: int):
    """JSON for the progress bar."""
    job = _visible_job(request, pk)
    return JsonResponse({"state": job.state, "progress": job.progress, "total": job.total, "error": job.error})


def _choices(post) -> dict[int, str]:
    """Row -> "same" | "new" from the preview's radio buttons ``bind_<row>``."""
    out = {}
    for field, value in post.items():
        row = whole_number(field[5:]) if field.startswith("bind_") else None
        if row is not None and value in (matching.SAME, matching.NEW):
            out[row] = value
    return out


@login_required
@require_POST
def import_confirm(request, pk: int):
    """Write the previewed table (one transaction), with the names the admin mapped and the removals chosen.

    The job is claimed before anything is written: a second confirmation (another admin, a double click) is told
    the import is already done or under way, and writes nothing.
    """
    job = _visible_job(request, pk)
    if job.state != ImportJob.State.READY:
        if job.state in (ImportJob.State.APPLYING, ImportJob.State.DONE):
            messages.info(
                request, _("Lần nhập này đã được xác nhận (đang ghi hoặc đã ghi xong); không ghi thêm lần nữa.")
            )
            return redirect(job)
        raise Http404
    keys = {}
    for field, value in request.POST.items():
        if field.startswith("name_") and value:
            choice = request.POST.get("map_" + field[5:], "")
            if choice:
                keys[value] = choice
    mappings = services.targets_from_keys(job.document.province, keys)
    remember = request.POST.get("remember") == "on"
    remove = [n for n in map(whole_number, request.POST.getlist("remove")) if n is not None]
    choices = _choices(request.POST)
    if job.kind == ImportKind.TASKS:
        undecided = services.preview_job(job, mappings, choices).undecided
        if undecided:
            rows = ", ".join(str(task.row) for task in undecided)
            messages.error(
                request,
                _("Hàng %(rows)s: hãy chọn cùng nhiệm vụ hay nhiệm vụ mới trước khi ghi; chưa ghi gì.")
                % {"rows": rows},
            )
            return redirect(job)
    if not services.claim_job(job):
        messages.info(request, _("Lần nhập này đã được xác nhận (đang ghi hoặc đã ghi xong); không ghi thêm lần nữa."))
        return redirect(job)
    if job.total > SYNC_MAX_ROWS:
        transaction.on_commit(
            lambda: jobs.apply_import.delay(job.pk, keys, remember, remove, {str(k): v for k, v in choices.items()})
        )
        messages.info(request, _("Đang ghi %(n)s dòng ở chế độ nền; trang sẽ tự cập nhật.") % {"n": job.total})
        return redirect(job)
    services.apply_job(job, mappings=mappings, remember=remember, remove_missing=remove, choices=choices)
    if job.state == ImportJob.State.DONE:
        messages.success(request, _("Đã nhập xong bảng vào văn bản %(doc)s.") % {"doc": job.document.display_number})
    return redirect(job)


@login_required
@require_POST
def import_successor(request, pk: int):
    """ "Chuyển sang đơn vị kế thừa": move the document into the province its own was merged into, or the rows that
    name a unit that had ended (its duties split) to the successor chosen. Nothing is written but that choice."""
    job = _visible_job(request, pk)
    if job.state != ImportJob.State.READY:
        raise Http404
    if request.POST.get("move") == "document":
        successor = services.successor_province(job.document)
        if successor is not None and not (request.user.is_superuser or request.user.sees_province(successor.pk)):
            raise PermissionDenied
        error = services.move_document_to_successor(job.document)
        done = _("Đã chuyển văn bản sang %(province)s; các tên cơ quan được đọc lại theo danh bạ của %(province)s.")
        done %= {"province": successor.name if successor else ""}
    else:
        name = request.POST.get("name", "")[:255]
        error = services.choose_successor_for(job, name, request.POST.get("successor", ""))
        done = _("Đã chuyển các hàng ghi '%(name)s' sang đơn vị kế thừa đã chọn.") % {"name": name}
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(job)


@login_required
@require_POST
def import_cancel(request, pk: int):
    job = _visible_job(request, pk)
    if job.state in (ImportJob.State.READY, ImportJob.State.FAILED, ImportJob.State.PENDING):
        job.state = ImportJob.State.CANCELLED
        job.save(update_fields=["state"])
        messages.info(request, _("Đã hủy lần nhập; không có gì được ghi."))
    return redirect(job.document)


@login_required
def agency_search(request, pk: int):
    """Search as you type over the province's agencies and groups, for mapping an unknown name (JSON, 20 at most)."""
    job = _visible_job(request, pk)
    text = request.GET.get("q", "")[:100]
    return JsonResponse({"results": services.search_targets(job.document.province, text)})


@login_required
@require_POST
def agency_create(request, pk: int):
    """Create the agency a document names and the directory lacks, in place (province administrators only)."""
    job = _visible_job(request, pk)
    if not (is_province_admin(request.user) or request.user.is_superuser):
        raise PermissionDenied
    form = AgencyInPlaceForm(request.POST, province=job.document.province)
    if not form.is_valid():
        errors = "; ".join(e for field_errors in form.errors.values() for e in field_errors)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"error": errors}, status=400)
        messages.error(request, errors)
        return redirect(job)
    agency = form.save(job.document.province)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"value": f"agency:{agency.pk}", "label": agency.name})
    messages.success(request, _("Đã thêm cơ quan %(name)s vào danh bạ của tỉnh.") % {"name": agency.name})
    return redirect(job)


@login_required
@require_POST
def import_columns(request, pk: int):
    """Read the file again with the columns the admin chose in the preview (which column is the name, the lead…)."""
    job = _visible_job(request, pk)
    if job.state != ImportJob.State.READY or job.kind != ImportKind.TASKS:
        raise Http404
    columns = {}
    for field, value in request.POST.items():
        column = whole_number(field[4:]) if field.startswith("col_") else None
        if column is not None and value in services.COLUMN_ROLES and value not in columns:
            columns[value] = column
    error = services.remap_job(job, columns)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Đã đọc lại bảng theo các cột đã chọn."))
    return redirect(job)
