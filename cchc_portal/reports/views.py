"""Pages of the periodic reports: the list of duties, the completeness of a duty, a period, one agency's report.

Every page starts from ``ReportingDuty.objects.for_user`` (the user's province): another province's duty
answers 404, and so does another agency's report for an agency user. Writes go through
``cchc_portal.reports.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agencies.models import Agency
from cchc_portal.notifications.periods import YearPeriod, parse_period
from cchc_portal.reports import services
from cchc_portal.reports.forms import DecisionForm, ReportForm
from plans.models import PeriodicReport, PeriodicReportFile, ReportingDuty
from tasks.models import agency_ids_of


def _duty(request, pk: int) -> ReportingDuty:
    queryset = ReportingDuty.objects.for_user(request.user).select_related("document", "recipient__successor")
    return get_object_or_404(queryset.prefetch_related("reporters"), pk=pk)


def _period(duty: ReportingDuty, param: str) -> YearPeriod:
    period = parse_period(duty.frequency, duty.due_day, param)
    if period is None or period.year != duty.document.year:
        raise Http404
    return period


def _agency(request, duty: ReportingDuty, period: YearPeriod, pk: int) -> Agency:
    """The agency whose report is asked for: the user's own, or any expected one for a reviewer (404 otherwise)."""
    user = request.user
    if not (user.is_reviewer or pk in agency_ids_of(user) or pk == user.agency_id):
        raise Http404
    agency = get_object_or_404(Agency.objects.for_user(user).select_related("successor"), pk=pk)
    expected = {a.pk for a in services.reporters(duty, period.due)}
    if agency.current(period.due).pk not in expected and services.find(duty, agency, period) is None:
        raise Http404
    return agency


def report_url(duty: ReportingDuty, period: YearPeriod, agency_id: int) -> str:
    return reverse("reports:report", args=[duty.pk, period.param, agency_id])


@login_required
@require_safe
def report_index(request):
    """Reviewers: every duty of the province with the rate of its latest due period. Agencies: their reports."""
    user, today = request.user, timezone.localdate()
    duties = services.duties_for(user)
    blocks = []
    for duty in duties:
        if user.is_reviewer:
            summary = services.completeness(duty, today)
            due = [rate for rate in summary.rates if rate.is_due]
            blocks.append({"duty": duty, "rate": due[-1] if due else None, "current": summary.rates[-1]})
        else:
            blocks.append({"duty": duty, "periods": _own_periods(user, duty, today)})
    return render(request, "reports/index.html", {"blocks": blocks, "is_reviewer": user.is_reviewer, "today": today})


def _own_periods(user, duty: ReportingDuty, today) -> list[dict]:
    agency = user.agency  # the user's own agency (a merged one's users are moved to its successor)
    found = {r.period_start: r for r in PeriodicReport.objects.filter(duty=duty, agency_id__in=agency_ids_of(user))}
    rows = []
    for period in services.duty_periods(duty):
        if period.start > today:
            break
        cell = services.Cell(found.get(period.start), period.due, today)
        rows.append({"period": period, "cell": cell, "url": report_url(duty, period, agency.pk)})
    return rows


@login_required
@require_safe
def duty_page(request, duty: int):
    """A duty's completeness and timeliness per period, and the grid of agencies × periods (reviewers)."""
    duty_ = _duty(request, duty)
    if not request.user.is_reviewer:
        return redirect("reports:index")
    summary = services.completeness(duty_, timezone.localdate())
    grid = [
        (
            agency,
            [
                (cell, report_url(duty_, period, agency.pk) if cell else "")
                for cell, period in zip(cells, summary.periods, strict=True)
            ],
        )
        for agency, cells in summary.rows
    ]
    return render(request, "reports/duty.html", {"duty": duty_, "summary": summary, "grid": grid})


@login_required
@require_safe
def period_page(request, duty: int, period: str):
    """One period: each expected agency, whether it sent, when, on time or late; reviewers read and decide."""
    duty_ = _duty(request, duty)
    period_ = _period(duty_, period)
    user, today = request.user, timezone.localdate()
    if not user.is_reviewer:
        return redirect(report_url(duty_, period_, user.agency_id))
    found = {
        r.agency.current(period_.due).pk if r.agency.successor_id else r.agency_id: r
        for r in PeriodicReport.objects.filter(duty=duty_, period_start=period_.start).select_related(
            "agency__successor", "submitted_by"
        )
    }
    rows = [
        {
            "agency": agency,
            "cell": services.Cell(found.get(agency.pk), period_.due, today),
            "url": report_url(duty_, period_, agency.pk),
        }
        for agency in services.reporters(duty_, period_.due)
    ]
    sent = sum(1 for row in rows if row["cell"].sent)
    on_time = sum(1 for row in rows if row["cell"].on_time)
    context = {
        "duty": duty_,
        "period": period_,
        "rows": rows,
        "sent": sent,
        "on_time": on_time,
        "expected": len(rows),
        "missing": [row for row in rows if not row["cell"].sent],
    }
    return render(request, "reports/period.html", context)


def _page(request, duty_, period_, agency, form=None, decision_form=None, status=200):
    user, today = request.user, timezone.localdate()
    report = services.find(duty_, agency, period_)
    editable = services.may_prepare(user, agency) and (report is None or not report.is_locked)
    if report is not None and report.is_sent and report.figures:
        figures = services.figure_view(report.figures)
    else:
        figures = services.figure_view(services.compute_figures(agency, duty_, period_, today))
    if editable and form is None:
        initial = {"version": report.version} if report else {}
        if report:
            initial.update(results=report.results, difficulties=report.difficulties, proposals=report.proposals)
        form = ReportForm(initial=initial)
    can_decide = services.can_decide(user, duty_) and report is not None
    if can_decide and decision_form is None:
        decision_form = DecisionForm()
    context = {
        "duty": duty_,
        "period": period_,
        "agency": agency,
        "report": report,
        "cell": services.Cell(report, period_.due, today),
        "figures": figures,
        "form": form if editable else None,
        "can_send": report is not None
        and services.may_send(user, agency)
        and report.state
        in (
            PeriodicReport.State.DRAFT,
            PeriodicReport.State.RETURNED,
        ),
        "decision_form": decision_form
        if can_decide
        and report.state
        in (
            PeriodicReport.State.SUBMITTED,
            PeriodicReport.State.ACCEPTED,
        )
        else None,
        "steps": list(report.steps.select_related("actor__agency")) if report else [],
        "files": list(report.files.all()) if report else [],
        "is_reviewer": user.is_reviewer,
    }
    return render(request, "reports/report.html", context, status=status)


@login_required
def report_page(request, duty: int, period: str, agency: int):
    """One agency's report: the figures of the period, the text and files, the steps; staff save a draft here."""
    duty_ = _duty(request, duty)
    period_ = _period(duty_, period)
    agency_ = _agency(request, duty_, period_, agency)
    if request.method != "POST":
        return _page(request, duty_, period_, agency_)
    if not services.may_prepare(request.user, agency_):
        raise PermissionDenied(_("Chỉ cán bộ của cơ quan mới soạn được báo cáo này."))
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, duty_, period_, agency_, form=form, status=400)
    try:
        services.save_draft(
            duty_, agency_, period_, request.user, form.text(), form.cleaned_data["files"], form.cleaned_data["version"]
        )
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect(report_url(duty_, period_, agency_.pk))
    if request.user.is_leader:
        messages.success(request, _("Đã lưu báo cáo. Khi nội dung đã đầy đủ, bấm “Gửi báo cáo” để gửi Sở Nội vụ."))
    else:
        messages.success(request, _("Đã lưu báo cáo. Lãnh đạo đơn vị sẽ xem và gửi báo cáo."))
    return redirect(report_url(duty_, period_, agency_.pk))


@login_required
@require_POST
def send_report(request, duty: int, period: str, agency: int):
    """The leader sends the report (its figures are fixed then)."""
    duty_ = _duty(request, duty)
    period_ = _period(duty_, period)
    agency_ = _agency(request, duty_, period_, agency)
    report = services.find(duty_, agency_, period_)
    if report is None:
        raise Http404
    if not services.may_send(request.user, agency_):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan mới gửi được báo cáo."))
    version = request.POST.get("version", "")
    try:
        services.send(report, request.user, int(version) if version.isascii() and version.isdigit() else None)
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Đã gửi báo cáo %(period)s tới %(recipient)s.") % {"period": period_.label, "recipient": duty_.recipient},
        )
    return redirect(report_url(duty_, period_, agency_.pk))


@login_required
@require_POST
def decide_report(request, duty: int, period: str, agency: int):
    """Sở Nội vụ accepts, returns or reopens (with a reason) one agency's report."""
    duty_ = _duty(request, duty)
    period_ = _period(duty_, period)
    agency_ = _agency(request, duty_, period_, agency)
    report = services.find(duty_, agency_, period_)
    if report is None:
        raise Http404
    if not services.can_decide(request.user, duty_):
        raise PermissionDenied(_("Chỉ cán bộ của cơ quan nhận báo cáo mới tiếp nhận hoặc trả lại được."))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, duty_, period_, agency_, decision_form=form, status=400)
    try:
        if form.cleaned_data["decision"] == DecisionForm.ACCEPT:
            services.accept(report, request.user)
            messages.success(request, _("Đã tiếp nhận báo cáo của %(agency)s.") % {"agency": agency_})
        else:
            services.return_report(report, request.user, form.cleaned_data["reason"])
            messages.success(
                request, _("Đã trả lại báo cáo của %(agency)s; cơ quan sẽ được thông báo.") % {"agency": agency_}
            )
    except services.ReportError as error:
        messages.error(request, str(error))
    return redirect(report_url(duty_, period_, agency_.pk))


@login_required
@require_safe
def report_file(request, pk: int):
    """Serve a report's file to those who may read the report (404 otherwise), always as an attachment."""
    attachment = get_object_or_404(
        PeriodicReportFile.objects.filter(report__in=PeriodicReport.objects.for_user(request.user)), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Tệp không còn trên máy chủ.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
