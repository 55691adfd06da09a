"""Indicator pages: the province's indicators, one indicator across agencies, one agency's targets, reporting a
value, accepting or returning it, setting a target, the national index results, and the Excel exports.

Every view starts from a ``for_user()`` queryset (another province's data answers 404); the rules of who may do
what and the data each page shows live in ``indicators.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency, AgencyGroup
from core.dates import MAX_YEAR, MIN_YEAR
from core.params import whole_number
from indicators import exports, services
from indicators.forms import MeasurementForm, ReviewForm, TargetForm
from indicators.judging import Verdict, judge
from indicators.models import Indicator, Measurement, MeasurementState, Target, TargetScope


def _indicator(request, pk: int) -> Indicator:
    return get_object_or_404(Indicator.objects.for_user(request.user).select_related("document"), pk=pk)


def _viewable_indicator(request, pk: int) -> Indicator:
    indicator = _indicator(request, pk)
    if not services.can_view_indicator(request.user, indicator):
        raise PermissionDenied
    return indicator


@login_required
def indicator_home(request):
    """The indicators of the province's documents, with how many judgements fall under each verdict."""
    data = services.home_data(request.user, today=timezone.localdate())
    return render(request, "indicators/home.html", data)


def _indicator_context(request, indicator: Indicator) -> dict:
    groups = AgencyGroup.objects.filter(province_id=indicator.document.province_id).order_by("name")
    group = None
    group_id = request.GET.get("group", "")
    if whole_number(group_id) is not None:
        group = get_object_or_404(groups, pk=whole_number(group_id))
    verdict = request.GET.get("verdict", "")
    data = services.indicator_data(indicator, request.user, today=timezone.localdate(), group=group, verdict=verdict)
    return {
        **data,
        "indicator": indicator,
        "groups": groups,
        "group": group,
        "verdict": verdict,
        "verdicts": services.VERDICT_ORDER,
        "query": request.GET.urlencode(),
    }


@login_required
def indicator_detail(request, pk: int):
    """Every agency against one indicator: target, latest accepted value, verdict; filters by group and verdict."""
    indicator = _viewable_indicator(request, pk)
    return render(request, "indicators/indicator_detail.html", _indicator_context(request, indicator))


@login_required
def indicator_export(request, pk: int):
    indicator = _viewable_indicator(request, pk)
    context = _indicator_context(request, indicator)
    title = _("Chỉ tiêu %(number)s – %(document)s: %(name)s") % {
        "number": indicator.number,
        "document": indicator.document.display_number,
        "name": indicator.name,
    }
    return exports.judgements_workbook(
        f"chi-tieu-{indicator.pk}.xlsx", title, context["judgements"], with_indicator=False
    )


def _agency_for(request) -> Agency:
    """The user's agency; reviewers may pick another agency of their province (?agency=)."""
    picked = request.GET.get("agency", "")
    if picked:
        if whole_number(picked) is None:
            raise Http404
        agency = get_object_or_404(Agency.objects.for_user(request.user), pk=whole_number(picked))
        if agency.pk != request.user.agency_id and not request.user.is_reviewer:
            raise Http404
        return agency
    if request.user.agency is None:
        raise Http404
    return request.user.agency


def _agency_context(request) -> dict:
    agency = _agency_for(request)
    today = timezone.localdate()
    years = services.agency_years(agency)
    year_text = request.GET.get("year", "")
    year = whole_number(year_text, low=2000, high=2100) or services.default_year(years, today)
    data = services.agency_data(agency, request.user, year=year, today=today)
    context = {**data, "agency": agency, "year": year, "years": years or [year], "verdicts": services.VERDICT_ORDER}
    if request.user.is_reviewer:
        context["agencies"] = (
            Agency.objects.for_user(request.user).order_by("level", "name").only("pk", "name", "level")
        )
    return context


@login_required
def agency_targets(request):
    """All the targets of one agency for a year, and the province targets it monitors."""
    return render(request, "indicators/agency.html", _agency_context(request))


@login_required
def agency_export(request):
    context = _agency_context(request)
    agency, year = context["agency"], context["year"]
    title = _("Chỉ tiêu của %(agency)s năm %(year)s") % {"agency": agency.name, "year": year}
    judgements = context["own"] + context["monitored"]
    return exports.judgements_workbook(f"chi-tieu-{agency.pk}-{year}.xlsx", title, judgements, with_indicator=True)


@login_required
def report(request, pk: int):
    """Report a value for a target: an agency for itself (?agency=), a monitoring unit for the province (no agency)."""
    target = get_object_or_404(
        Target.objects.for_user(request.user).select_related("indicator__document", "agency", "group"), pk=pk
    )
    agency = None
    agency_id = request.GET.get("agency", "")
    if agency_id:
        if whole_number(agency_id) is None:
            raise Http404
        agency = get_object_or_404(Agency.objects.for_user(request.user), pk=whole_number(agency_id))
    today = timezone.localdate()
    judgement = next(
        (
            j
            for j in judge([target], today=today)
            if (j.agency.pk if j.agency else None) == (agency.pk if agency else None)
        ),
        None,
    )
    if judgement is None:  # the target does not apply to this agency
        raise Http404
    if not services.can_report(request.user, target, agency):
        raise PermissionDenied
    latest_own = judgement.returned or judgement.pending
    form = MeasurementForm(
        request.POST or None,
        request.FILES or None,
        target=target,
        today=today,
        evidence_on_file=bool(latest_own and latest_own.evidence),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_measurement(
                user=request.user,
                target=target,
                agency=agency,
                period_end=data["period_end"],
                value=data["value"],
                note=data["note"],
                evidence=data["evidence"],
                evidence_extension=getattr(form, "evidence_extension", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã gửi số liệu; số liệu được tính khi đơn vị theo dõi xác nhận."))
            return redirect(_back_from(target, agency))
    return render(
        request,
        "indicators/report.html",
        {"form": form, "target": target, "agency": agency, "judgement": judgement, "back": _back_from(target, agency)},
    )


def _back_from(target: Target, agency: Agency | None) -> str:
    if agency is None:
        return reverse("indicators:detail", args=[target.indicator_id])
    return f"{reverse('indicators:agency')}?agency={agency.pk}&year={target.year}"


def _measurement(request, pk: int) -> Measurement:
    measurement = get_object_or_404(
        Measurement.objects.for_user(request.user).select_related(
            "indicator__document", "agency", "target", "reported_by", "reviewed_by"
        ),
        pk=pk,
    )
    if not services.can_see_measurement(request.user, measurement):
        raise Http404
    return measurement


@login_required
def review(request, pk: int):
    """Accept a value, or return it with a reason (the monitoring unit, reviewers)."""
    measurement = _measurement(request, pk)
    can_review = services.can_review(request.user, measurement)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == ReviewForm.ACCEPT:
                    services.accept_measurement(measurement, request.user)
                    messages.success(request, _("Đã chấp nhận số liệu."))
                else:
                    services.return_measurement(measurement, request.user, form.cleaned_data["reason"])
                    messages.success(request, _("Đã trả lại số liệu cho đơn vị."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect("indicators:review_queue")
    return render(
        request,
        "indicators/review.html",
        {"m": measurement, "form": form, "can_review": can_review, "states": MeasurementState},
    )


@login_required
def review_queue(request):
    """The values waiting for the user's decision."""
    return render(request, "indicators/review_queue.html", {"waiting": services.review_queue(request.user)})


@login_required
def evidence(request, pk: int):
    """Serve a value's evidence to those who may see the value (404 otherwise, like any hidden object)."""
    measurement = _measurement(request, pk)
    if not measurement.evidence:
        raise Http404
    name = measurement.evidence_name or measurement.evidence.name.rsplit("/", 1)[-1]
    try:
        handle = measurement.evidence.open("rb")
    except OSError:  # the row survives a lost file (a restore without media, a disk error): say so, no 500
        raise Http404(_("Tệp không còn trên máy chủ.")) from None
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
def target_edit(request, indicator_pk: int, pk: int | None = None):
    """Set a target by hand, or correct one (the monitoring unit and reviewers)."""
    indicator = _indicator(request, indicator_pk)
    if not services.can_monitor(request.user, indicator):
        raise PermissionDenied
    target = get_object_or_404(Target.objects.filter(indicator=indicator), pk=pk) if pk else None
    form = TargetForm(request.POST or None, instance=target, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu mục tiêu."))
        return redirect("indicators:detail", pk=indicator.pk)
    return render(
        request,
        "indicators/target_form.html",
        {"form": form, "indicator": indicator, "target": target, "scopes": TargetScope},
    )


@login_required
@require_POST
def target_delete(request, indicator_pk: int, pk: int):
    indicator = _indicator(request, indicator_pk)
    if not services.can_monitor(request.user, indicator):
        raise PermissionDenied
    target = get_object_or_404(Target.objects.filter(indicator=indicator), pk=pk)
    if target.measurements.exists():
        messages.error(request, _("Mục tiêu đã có số liệu báo cáo riêng nên không xóa được."))
    else:
        target.delete()
        messages.success(request, _("Đã xóa mục tiêu."))
    return redirect("indicators:detail", pk=indicator.pk)


@login_required
def indexes(request):
    """PAR Index, SIPAS, PAPI and PCI: the province's results by year and each agency's, with the change."""
    if request.user.province_id is None:
        raise Http404
    year_text = request.GET.get("year", "")
    year = whole_number(year_text, low=MIN_YEAR, high=MAX_YEAR)
    blocks = services.index_overview(request.user.province_id, year=year)
    return render(request, "indicators/indexes.html", {"blocks": blocks, "verdicts": Verdict})
