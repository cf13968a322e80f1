"""A report's page: its text and items, closing, reopening, the year-end archive
and the draft of next year's report.
"""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import (
    require_POST,
    require_safe,
)

from .. import documents, permissions
from ..exports import (
    docx_response,
)
from ..models import (
    Job,
    Obligation,
    Report,
)
from ..report_text import report_paragraphs
from ..selectors import reports as reports_selectors
from ..selectors.followups import cached_report_followup
from ..selectors.reports import (
    cached_report_events,
    cached_report_open_summary,
    report_obligations,
    report_revision_number,
    visible_report,
)
from ..services import jobs as jobs_services
from ..services import reports as reports_services
from ..services.common import ServiceError
from ..year_forms import (
    ReportCarryOverForm,
    ReportCloseForm,
    ReportFollowUpsForm,
    ReportReopenForm,
)


@require_safe
def report_detail(request, pk):
    """The whole report as imported, every obligation's passage linked to its page.

    One query for the obligations (only the columns the links need); the text is cut
    into segments in Python and the template escapes every one of them."""
    # permissions.get_report_or_404's rule (ReportQuerySet.visible_to) in a query
    # compiled once: with the revision that keys the page's cached parts, without
    # the text, read only when its cached rendering is missing (``report_text``).
    report = visible_report(request.user, pk)
    if report is None:
        raise Http404
    return report_page(request, report)


def report_page(request, report, *, bound=None, status=200):
    """The report page, with the closing forms a supervisor may use (``bound``: the
    one that was refused, with its errors)."""
    followup = cached_report_followup(report)
    may_close = permissions.can_close_report(request.user)
    may_carry = permissions.can_carry_over(request.user)

    def form(form_class, prefix, *, allowed):
        if not (may_close and allowed):
            return None
        if isinstance(bound, form_class):
            return bound
        return form_class(auto_id=f"{prefix}-%s")

    suggestions = [each for row in followup.rows for each in row.suggestions]
    followups_form = None
    if (
        suggestions
        and permissions.can_confirm_followups(request.user)
        and not followup.later_report.is_closed
    ):
        followups_form = (
            bound
            if isinstance(bound, ReportFollowUpsForm)
            else ReportFollowUpsForm(suggestions=suggestions, auto_id="followups-%s")
        )
        for each in suggestions:
            each.decision = followups_form[ReportFollowUpsForm.field_name(each)]
    later = followup.next_report if may_carry else None
    if isinstance(bound, ReportCarryOverForm):
        carry_form = bound
    elif later is not None and not later.is_closed and not report.is_closed:
        carry_form = ReportCarryOverForm(report=report, auto_id="carry-%s")
    else:
        carry_form = None
    context = {
        "report": report,
        "next_report": later,
        # The unfinished items, ticked to carry over (结转) into the next report.
        "carry_form": carry_form,
        # Every follow-up suggestion decided in one form.
        "followups_form": followups_form,
        # What is still open, shown above the close form: only to those who may
        # close (four counts more for them).
        "open_summary": cached_report_open_summary(report)
        if may_close and not report.is_closed
        else None,
        "can_archive": permissions.can_archive_report(request.user),
        "close_form": form(ReportCloseForm, "close", allowed=not report.is_closed),
        "reopen_form": form(ReportReopenForm, "reopen", allowed=report.is_closed),
        # The log is the reviewers' (cached per revision, like the summary).
        "events": cached_report_events(report, limit=REPORT_EVENTS_SHOWN)
        if may_close
        else [],
        "followup": followup,
        "report_text": report_text(request, report, recurring=followup.recurring),
        "can_draft": permissions.can_draft_documents(request.user),
    }
    # A refusal whose form has no place any more (closing a report someone closed
    # meanwhile) still has its say, at the top.
    shown = (
        context["close_form"],
        context["reopen_form"],
        context["carry_form"],
        context["followups_form"],
    )
    context["orphan_errors"] = (
        bound.non_field_errors()
        if bound is not None and all(each is not bound for each in shown)
        else []
    )
    return render(request, "tracker/report_detail.html", context, status=status)


# Replaced by the next write anyway; this only bounds how long an unused key stays.
REPORT_TEXT_CACHE_SECONDS = 3600


def report_text(request, report, *, recurring) -> dict:
    """The report's text with every passage linked, the passages no longer in it
    and the number of obligations, rendered once per report revision and language:
    at 10,000 obligations, reading them and writing their links took most of the
    page. Every change to what it shows bumps the revision (an import, an admin's
    edit of an item, a confirmed follow-up on either side, which makes an item
    recurring: ``services.dashboard.report_invalidate_dashboard``). Nothing of the
    reader: whoever sees the report sees all of its obligations
    (``ObligationQuerySet.visible_to`` scopes by the report's organization, as the
    dashboard's cache key says); the forms around it are drawn per request."""
    key = (
        f"report-text:{report.pk}:{report_revision_number(report)}"
        f":{translation.get_language()}"
    )
    cached = cache.get(key)
    if cached is None:
        obligations = report_obligations(
            Obligation.objects.visible_to(request.user), report=report
        )
        for obligation in obligations:
            obligation.is_recurring = obligation.pk in recurring
        cached = {
            "count": len(obligations),
            "text": render_to_string(
                "tracker/_report_text.html",
                {
                    "paragraphs": report_paragraphs(
                        report.source_text,
                        [o for o in obligations if o.missing_since is None],
                    )
                },
            ),
            # Kept (they may carry evidence and a timeline) but without a passage
            # in this text: listed apart, never linked from words not theirs.
            "missing": render_to_string(
                "tracker/_report_missing.html",
                {"missing": [o for o in obligations if o.missing_since is not None]},
            ),
        }
        cache.set(key, cached, REPORT_TEXT_CACHE_SECONDS)
    return cached


# The latest entries of a report's log shown on its page (the admin has them all).
REPORT_EVENTS_SHOWN = 10


def _report_form_post(request, pk, form_class, prefix, write, message):
    """Close or reopen: the service call, then back to the report page with a
    message; a refusal re-renders the page with the form and the reason (400)."""
    report = permissions.get_report_or_404(
        request, pk, queryset=Report.objects.select_related("closed_by")
    )
    if not (
        permissions.can_close_report(request.user)
        and permissions.acts_in(request.user, report)
    ):
        raise PermissionDenied
    form = form_class(request.POST, auto_id=f"{prefix}-%s")
    if form.is_valid():
        try:
            write(report, form.cleaned_data["reason"])
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect(report)
    report.refresh_from_db()
    return report_page(request, report, bound=form, status=400)


@require_POST
def report_close(request, pk):
    return _report_form_post(
        request,
        pk,
        ReportCloseForm,
        "close",
        lambda report, reason: reports_services.report_close(
            report=report, user=request.user, reason=reason
        ),
        gettext("The report is closed: its obligations are read-only."),
    )


@require_POST
def report_reopen(request, pk):
    return _report_form_post(
        request,
        pk,
        ReportReopenForm,
        "reopen",
        lambda report, reason: reports_services.report_reopen(
            report=report, user=request.user, reason=reason
        ),
        gettext("The report is reopened: its obligations can change again."),
    )


@require_POST
def report_archive(request, pk):
    """Start the report's archive (一事一档 zip): the worker writes it while the
    job's page shows the progress, then the download. Recorded in the report's
    log when written."""
    report = permissions.get_report_or_404(request, pk)
    if not permissions.can_archive_report(request.user):
        raise PermissionDenied
    job = jobs_services.job_start(
        kind=Job.Kind.ARCHIVE, user=request.user, params={"report": report.pk}
    )
    return redirect(job)


@require_safe
def report_draft(request, pk):
    """The Word draft of the report after this one (``manage.py draft_report``
    writes the same file); a report with no finished item returns to its page
    with the reason."""
    if not permissions.can_draft_documents(request.user):
        raise PermissionDenied
    report = permissions.get_report_or_404(request, pk)
    draft = reports_selectors.report_draft(
        Obligation.objects.visible_to(request.user), report=report
    )
    try:
        content = documents.report_draft_docx(draft, today=timezone.localdate())
    except documents.DocumentError as error:
        messages.error(request, str(error))
        return redirect(report)
    filename, fallback = documents.draft_filename(report)
    return docx_response(content, filename, fallback=fallback)
