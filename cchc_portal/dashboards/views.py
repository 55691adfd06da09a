"""Dashboard pages: the overview, the list behind each number, and the periodic report exports.

Each view resolves what the user may see (``scope.resolve_scope``: 404 for anything else), asks
``pages``/``exports`` for the figures and renders them.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cchc_portal.dashboards import exports, pages
from cchc_portal.dashboards.scope import resolve_scope


@login_required
@require_GET
def overview(request):
    scope = resolve_scope(request.user, request.GET, timezone.localdate())
    return render(request, "dashboards/overview.html", pages.overview_context(scope, request.GET.get("trang")))


@login_required
@require_GET
def indicators(request):
    scope = resolve_scope(request.user, request.GET, timezone.localdate())
    return render(request, "dashboards/indicators.html", pages.indicators_context(scope, request.GET.get("trang")))


@login_required
@require_GET
def task_list(request):
    scope = resolve_scope(request.user, request.GET, timezone.localdate())
    context = pages.drilldown_context(scope, pages.drill_filters(request.GET), request.GET.get("page"))
    return render(request, "dashboards/tasks.html", context)


@login_required
@require_GET
def export(request, kind: str):
    """Send the periodic report of the chosen period as .xlsx (the appendix) or .docx (the report)."""
    scope = resolve_scope(request.user, request.GET, timezone.localdate())
    period = pages.period_from(request.GET, scope)
    if period is None or not scope.documents:
        raise Http404
    data = exports.report_data(scope, period)
    if kind == "xlsx":
        content, content_type = exports.build_xlsx(data), exports.XLSX_TYPE
    else:
        content, content_type = exports.build_docx(data), exports.DOCX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, exports.filename(data, kind))
    return response
