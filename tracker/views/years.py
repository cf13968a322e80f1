"""A year handing over to the next: carrying items over (结转), one by one from the
item's page or ticked on the report's page, and an item's report wording."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from .. import permissions
from ..models import Report
from ..selectors.followups import report_followup
from ..services import followups as followups_services
from ..services import years as years_services
from ..year_forms import (
    CarryOverForm,
    ReportCarryOverForm,
    ReportFollowUpsForm,
    ReportWordingForm,
)
from .obligation_page import FORM_IDS, post_obligation_form
from .reports import report_page


@require_POST
def obligation_carry_over(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_carry_over(request.user):
        raise PermissionDenied

    def write(data):
        return years_services.obligation_carry_over(
            obligation=obligation, user=request.user, version=data["version"]
        )

    def done(successor):
        messages.success(
            request,
            gettext(
                "Carried over (结转) into the %(year)d report as %(code)s: this "
                "item is closed here."
            )
            % {"year": successor.report.year, "code": successor.code},
        )

    form = CarryOverForm(request.POST, auto_id=FORM_IDS["carry_over"])
    return post_obligation_form(request, obligation, "carry_over", form, write, done)


@require_POST
def obligation_report_wording(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_write_report_wording(request.user):
        raise PermissionDenied

    def write(data):
        return years_services.obligation_set_report_wording(
            obligation=obligation,
            user=request.user,
            text=data["text"],
            version=data["version"],
        )

    def done(_result):
        messages.success(request, gettext("The report wording is saved."))

    form = ReportWordingForm(request.POST, auto_id=FORM_IDS["report_wording"])
    return post_obligation_form(
        request, obligation, "report_wording", form, write, done
    )


@require_POST
def report_carry_over(request, pk):
    """The ticked unfinished items carried over together; back to the report page
    with what was carried and what was not, and why."""
    report = permissions.get_report_or_404(
        request, pk, queryset=Report.objects.select_related("closed_by")
    )
    if not permissions.can_carry_over(request.user):
        raise PermissionDenied
    form = ReportCarryOverForm(request.POST, report=report, auto_id="carry-%s")
    if not form.is_valid():
        return report_page(request, report, bound=form, status=400)
    carried, refused = years_services.report_carry_over(
        report=report,
        user=request.user,
        obligation_ids=[o.pk for o in form.cleaned_data["obligations"]],
    )
    if carried:
        messages.success(
            request,
            ngettext(
                "%(count)d item carried over into the %(year)d report.",
                "%(count)d items carried over into the %(year)d report.",
                len(carried),
            )
            % {"count": len(carried), "year": carried[0].report.year},
        )
    for obligation, why in refused:
        messages.error(request, f"{obligation.code} {obligation.title}: {why}")
    return redirect(report)


@require_POST
def report_followups_decide(request, pk):
    """Every follow-up suggestion of the report confirmed, rejected or left, in
    one form; back to the report page with the counts and any refusal."""
    report = permissions.get_report_or_404(
        request, pk, queryset=Report.objects.select_related("closed_by")
    )
    if not permissions.can_confirm_followups(request.user):
        raise PermissionDenied
    followup = report_followup(report)
    suggestions = [each for row in followup.rows for each in row.suggestions]
    form = ReportFollowUpsForm(
        request.POST, suggestions=suggestions, auto_id="followups-%s"
    )
    if not form.is_valid():
        return report_page(request, report, bound=form, status=400)
    confirmed, rejected, refused = followups_services.report_followups_decide(
        report=report, user=request.user, decisions=form.decisions()
    )
    messages.success(
        request,
        gettext("Follow-ups confirmed: %(confirmed)d; rejected: %(rejected)d.")
        % {"confirmed": confirmed, "rejected": rejected},
    )
    for earlier, later, why in refused:
        messages.error(request, f"{earlier} → {later}: {why}")
    return redirect(report)
