"""Views: thin functions that fetch through tracker.permissions and write through
tracker.services. Each section below belongs to one area of the product."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from . import (
    archive,
    charts,
    documents,
    notifications,
    permissions,
    selectors,
    services,
)
from .auth import MUST_CHANGE_PASSWORD
from .evidence_files import EVIDENCE_CONTENT_TYPES, preview_kind
from .exports import (
    EXPORT_FORMATS,
    NOTICE_LAYOUT,
    RANKING_LAYOUT,
    docx_response,
    export_filename,
    export_response,
    notice_export_rows,
    ranking_export_rows,
    rows_response,
)
from .filters import ObligationFilter
from .forms import (
    AcknowledgeForm,
    AssignForm,
    ConfirmLinkForm,
    EvidenceForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    FollowUpChoiceForm,
    FollowUpForm,
    FollowUpWithdrawForm,
    NoteForm,
    NoticeReplyForm,
    NotificationPreferenceForm,
    RankingPeriodForm,
    ReportCloseForm,
    ReportReopenForm,
    StatusForm,
    SupervisionForm,
    WithdrawEvidenceForm,
)
from .models import (
    DUE_SOON_DAYS,
    AssessmentWeights,
    Department,
    ExtensionRequest,
    Notification,
    Obligation,
    ProgressUpdate,
    Report,
    display_name,
    due_within_range,
)
from .report_text import report_paragraphs
from .services import ServiceError, StaleVersionError
from .tables import PAGINATION, PER_PAGE, ObligationTable

# --- Progress pages: dashboard, obligation list, departments -----------------


def _report_choice(request):
    """All reports (for the selector) and the one chosen with ?report=, else the
    latest."""
    reports = list(selectors.reports_for_selector())
    return reports, selectors.selected_report(reports, request.GET.get("report"))


def _list_url(**params):
    """The obligation list filtered by ``params`` (a link to "all of them")."""
    return f"{reverse('tracker:obligation_list')}?{urlencode(params, doseq=True)}"


@require_GET
def dashboard(request):
    reports, report = _report_choice(request)
    context = {"reports": reports, "report": report}
    if report is None:
        return render(request, "tracker/dashboard.html", context)
    today = timezone.localdate()
    # The report's figures are the same for every reader and change only with a
    # write (which bumps the report's revision in the key) or the day: rendered
    # once and cached. The page around them (the user's name, role and unread
    # count) is drawn for each request.
    key = selectors.dashboard_cache_key(
        report, today=today, language=translation.get_language()
    )
    figures = cache.get(key)
    if figures is None:
        figures = without_indentation(
            render_to_string(
                "tracker/_dashboard_figures.html",
                _dashboard_figures(request.user, report, today=today),
            )
        )
        cache.set(key, figures, DASHBOARD_CACHE_SECONDS)
    context.update(today=today, figures=mark_safe(figures))  # noqa: S308 - our HTML
    return render(request, "tracker/dashboard.html", context)


# A line's indentation before a tag. Escaped text has no "<", so only the templates'
# own indentation matches; the fragments below hold no <pre> or <textarea>, where it
# would show.
_INDENTATION = re.compile(r"\n[ \t]+(?=<)")


def without_indentation(html):
    """``html`` without the templates' indentation: what the browser collapses into
    one space anyway, 9 % of the dashboard's bytes, written and read on every
    request of a cached page."""
    return _INDENTATION.sub("\n", html)


# A cached rendering is replaced by the next write or day anyway; this only bounds
# how long an unused one takes room.
DASHBOARD_CACHE_SECONDS = 3600


def _dashboard_figures(user, report, *, today):
    """What tracker/_dashboard_figures.html shows of ``report``."""
    visible = Obligation.objects.visible_to(user)
    obligations = visible.filter(report=report)
    overall = selectors.overall_scorecard(obligations, today=today)
    scorecards = selectors.department_scorecards(obligations, today=today)
    tree = selectors.section_tree(obligations, report=report)
    # Today's counts, which the page has just computed, are today's snapshot too
    # (StatusSnapshot: the completion chart's days before today).
    services.status_snapshots_take(
        day=today,
        report=report,
        counts={status: count for status, _label, count in overall.status_values()},
    )
    over_time = selectors.completion_over_time(
        report=report, today=today, done_today=overall.done
    )
    weeks = selectors.completion_by_week(
        over_time, since=timezone.localtime(report.imported_at).date(), today=today
    )
    # The link to "due soon" on the list page: the same dates as the count.
    due_soon_first, due_soon_last = due_within_range(today, DUE_SOON_DAYS)
    return {
        "report": report,
        "today": today,
        "due_soon_days": DUE_SOON_DAYS,
        "list_limit": selectors.LIST_LIMIT,
        "overall": overall,
        "scorecards": scorecards,
        "tree": tree,
        "kinds": overall.kinds,
        "problems": selectors.problems_with_tasks(visible, report=report),
        "problem_limit": selectors.PROBLEM_LIMIT,
        "recurring": selectors.recurring_problems(report),
        "overdue": selectors.overdue_list(obligations, today=today),
        "due_soon": selectors.due_soon_list(obligations, today=today),
        "awaiting_review": selectors.awaiting_review_list(obligations),
        "unacknowledged": selectors.unacknowledged_list(obligations),
        "pending_extensions": selectors.pending_extensions(obligations),
        "queue_counts": selectors.supervision_queue_counts(obligations),
        "unacknowledged_url": _list_url(report=report.pk, acknowledged="no"),
        "extensions_url": _list_url(report=report.pk, extension="pending"),
        "updates": selectors.latest_updates(visible, report=report),
        "over_time": over_time,
        "status_chart": charts.status_by_department(scorecards),
        "chapter_chart": charts.completion_by_chapter(tree),
        "over_time_chart": (
            charts.completion_over_time(weeks, overall.total) if weeks else None
        ),
        "overdue_url": _list_url(report=report.pk, overdue="yes"),
        "due_soon_url": _list_url(
            report=report.pk,
            due_after=due_soon_first.isoformat(),
            due_before=due_soon_last.isoformat(),
            status=[s for s in Obligation.Status if s != Obligation.Status.DONE],
        ),
        "review_url": _list_url(report=report.pk, status=Obligation.Status.SUBMITTED),
        "missing_holiday_years": selectors.years_missing_holidays(
            obligations, today=today
        ),
    }


@require_GET
def department_list(request):
    """Every department's scorecard, those most at risk first
    (``selectors.by_risk``)."""
    reports, report = _report_choice(request)
    obligations = Obligation.objects.visible_to(request.user).filter(report=report)
    scorecards = selectors.by_risk(
        selectors.department_scorecards(
            obligations, today=timezone.localdate(), all_departments=True
        )
    )
    return render(
        request,
        "tracker/department_list.html",
        {
            "reports": reports,
            "report": report,
            "scorecards": scorecards,
            "can_view_ranking": permissions.can_view_ranking(request.user),
        },
    )


@require_safe
def department_ranking(request):
    """考核排名: the departments of a report ordered by their composite score over a
    period, with every indicator (``selectors.department_indicators``), a chart,
    the CSV / XLSX export (``?_export=``), the 通报 in Word (``?_export=docx``) and
    a print layout for meetings. A period that ends before it starts is refused
    (400) with nothing computed."""
    if not permissions.can_view_ranking(request.user):
        raise PermissionDenied
    reports, report = _report_choice(request)
    form = RankingPeriodForm(request.GET)
    context = {"reports": reports, "report": report, "form": form}
    if report is None:
        return render(request, "tracker/department_ranking.html", context)
    if not form.is_valid():
        return render(request, "tracker/department_ranking.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    weights = AssessmentWeights.current()
    today = timezone.localdate()
    rows = selectors.department_indicators(
        report=report, start=start, end=end, today=today, weights=weights
    )
    export_format = request.GET.get("_export")
    if export_format == "docx":
        if not permissions.can_draft_documents(request.user):
            raise PermissionDenied
        return _ranking_circular(report, start, end, rows, today)
    if export_format in EXPORT_FORMATS:
        name = gettext("%(organization)s %(year)s department ranking") % {
            "organization": report.organization,
            "year": report.year,
        }
        return rows_response(
            ranking_export_rows(rows),
            export_format,
            f"{name}-{today:%Y-%m-%d}.{export_format}",
            fallback=f"ranking-{today:%Y-%m-%d}.{export_format}",
            sheet_title=gettext("Department ranking"),
            layout=RANKING_LAYOUT,
        )
    query = {"report": report.pk}
    query.update({k: v.isoformat() for k, v in (("start", start), ("end", end)) if v})
    context.update(
        rows=rows,
        start=start,
        end=end,
        today=today,
        weights=weights,
        chart=charts.ranking_scores(rows),
        has_ranked=any(row.is_ranked for row in rows),
        query=urlencode(query),
        can_draft=permissions.can_draft_documents(request.user),
    )
    return render(request, "tracker/department_ranking.html", context)


def _ranking_circular(report, start, end, rows, today):
    """The 通报 of the ranking shown (``?_export=docx``): the same report, period
    and rows, and the departments with overdue or red-supervised items."""
    flagged = selectors.circular_flagged(
        report=report, start=start, end=end, today=today
    )
    content = documents.circular_docx(
        report=report, start=start, end=end, rows=rows, flagged=flagged, today=today
    )
    filename, fallback = documents.circular_filename(report, start, end)
    return docx_response(content, filename, fallback=fallback)


@require_GET
def department_detail(request, pk):
    department = get_object_or_404(Department, pk=pk)
    reports, report = _report_choice(request)
    obligations = Obligation.objects.visible_to(request.user).filter(report=report)
    scorecard = selectors.department_scorecard(
        obligations, department=department, today=timezone.localdate()
    )
    table = ObligationTable(
        selectors.obligations_for_table(obligations.filter(department=department))
    )
    RequestConfig(request, paginate=PAGINATION).configure(table)
    return render(
        request,
        "tracker/department_detail.html",
        {
            "department": department,
            "reports": reports,
            "report": report,
            "scorecard": scorecard,
            "table": table,
        },
    )


class ObligationListView(SingleTableMixin, FilterView):
    """The filtered, sortable obligation list; ?_export=csv|xlsx downloads every
    row of the current filter (not only the page), in the table's order."""

    table_class = ObligationTable
    filterset_class = ObligationFilter
    template_name = "tracker/obligation_list.html"
    table_pagination = PAGINATION

    def get_queryset(self):
        return selectors.obligations_for_table(
            Obligation.objects.visible_to(self.request.user)
        )

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("_export")
        if export_format not in EXPORT_FORMATS:
            return self._page(request, *args, **kwargs)
        # Straight to the file: no page, count or filter-form choices to compute.
        self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_valid():
            rows = self.filterset.qs
        else:  # an invalid filter exports nothing rather than everything
            rows = self.filterset.queryset.none()
        table = self.get_table_class()(rows)
        RequestConfig(request, paginate=False).configure(table)  # ?sort=
        filename, fallback = export_filename(
            self._export_report(), timezone.localdate(), export_format
        )
        return export_response(table, export_format, filename, fallback=fallback)

    def _page(self, request, *args, **kwargs):
        # The filters and the table are the same for every reader and change only
        # with a write (which bumps a report's revision, and so the key) or the
        # day: rendered once per query string and cached, like the dashboard's
        # figures. The page around them is drawn for each request.
        key = selectors.obligation_list_cache_key(
            query=request.META.get("QUERY_STRING", ""),
            today=timezone.localdate(),
            language=translation.get_language(),
        )
        body = cache.get(key)
        if body is None:
            self.template_name = "tracker/_obligation_list_body.html"
            body = without_indentation(
                super().get(request, *args, **kwargs).rendered_content
            )
            cache.set(key, body, DASHBOARD_CACHE_SECONDS)
        return render(
            request,
            "tracker/obligation_list.html",
            {"body": mark_safe(body)},  # noqa: S308 - our HTML
        )

    def _export_report(self):
        # The file is named after the report: the one filtered on, else the only
        # one there is; None when the rows may come from several.
        data = self.filterset.form.cleaned_data if self.filterset.is_valid() else {}
        if data.get("report"):
            return data["report"]
        return selectors.only_report()


# --- Reports ------------------------------------------------------------------


@require_safe
def report_detail(request, pk):
    """The whole report as imported, every obligation's passage linked to its page.

    One query for the obligations (only the columns the links need); the text is cut
    into segments in Python and the template escapes every one of them."""
    report = get_object_or_404(Report.objects.select_related("closed_by"), pk=pk)
    return _report_page(request, report)


def _report_page(request, report, *, bound=None, status=200):
    """The report page, with the closing forms a supervisor may use (``bound``: the
    one that was refused, with its errors)."""
    obligations = selectors.report_obligations(
        Obligation.objects.visible_to(request.user), report=report
    )
    followup = selectors.report_followup(report)
    for obligation in obligations:
        obligation.is_recurring = obligation.pk in followup.recurring
    may_close = permissions.can_close_report(request.user)

    def form(form_class, prefix, *, allowed):
        if not (may_close and allowed):
            return None
        if isinstance(bound, form_class):
            return bound
        return form_class(auto_id=f"{prefix}-%s")

    context = {
        "report": report,
        "can_archive": permissions.can_archive_report(request.user),
        "close_form": form(ReportCloseForm, "close", allowed=not report.is_closed),
        "reopen_form": form(ReportReopenForm, "reopen", allowed=report.is_closed),
        # The log is the reviewers' (one query more for them only).
        "events": report.events.select_related("user")[:REPORT_EVENTS_SHOWN]
        if may_close
        else [],
        "obligations": obligations,
        "followup": followup,
        "paragraphs": report_paragraphs(
            report.source_text, [o for o in obligations if o.missing_since is None]
        ),
        # Kept (they may carry evidence and a timeline) but without a passage in
        # this text: listed apart, never linked from words that are not theirs.
        "missing": [o for o in obligations if o.missing_since is not None],
        "can_draft": permissions.can_draft_documents(request.user),
    }
    # A refusal whose form has no place any more (closing a report someone closed
    # meanwhile) still has its say, at the top.
    shown = (context["close_form"], context["reopen_form"])
    context["orphan_errors"] = (
        bound.non_field_errors()
        if bound is not None and all(each is not bound for each in shown)
        else []
    )
    return render(request, "tracker/report_detail.html", context, status=status)


# The latest entries of a report's log shown on its page (the admin has them all).
REPORT_EVENTS_SHOWN = 10


def _report_form_post(request, pk, form_class, prefix, write, message):
    """Close or reopen: the service call, then back to the report page with a
    message; a refusal re-renders the page with the form and the reason (400)."""
    report = get_object_or_404(Report.objects.select_related("closed_by"), pk=pk)
    if not permissions.can_close_report(request.user):
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
    return _report_page(request, report, bound=form, status=400)


@require_POST
def report_close(request, pk):
    return _report_form_post(
        request,
        pk,
        ReportCloseForm,
        "close",
        lambda report, reason: services.report_close(
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
        lambda report, reason: services.report_reopen(
            report=report, user=request.user, reason=reason
        ),
        gettext("The report is reopened: its obligations can change again."),
    )


@require_POST
def report_archive(request, pk):
    """The report's archive (一事一档 zip) as a download. A POST: making one is
    recorded in the report's log."""
    report = get_object_or_404(Report.objects.select_related("closed_by"), pk=pk)
    if not permissions.can_archive_report(request.user):
        raise PermissionDenied
    response, result = archive.archive_response(report, user=request.user)
    _say_archive_problems(request, result)
    return response


def _say_archive_problems(request, result):
    """The download cannot carry a message: it waits for the next page."""
    if result.problems:
        messages.warning(
            request,
            gettext(
                "The archive was written, but %(count)d evidence files could not be "
                "archived as uploaded: its summary sheet and manifest name them."
            )
            % {"count": len(result.problems)},
        )


@require_safe
def report_draft(request, pk):
    """The Word draft of the report after this one (``manage.py draft_report``
    writes the same file); a report with no finished item returns to its page
    with the reason."""
    if not permissions.can_draft_documents(request.user):
        raise PermissionDenied
    report = get_object_or_404(Report, pk=pk)
    draft = selectors.report_draft(
        Obligation.objects.visible_to(request.user), report=report
    )
    try:
        content = documents.report_draft_docx(draft, today=timezone.localdate())
    except documents.DocumentError as error:
        messages.error(request, str(error))
        return redirect(report)
    filename, fallback = documents.draft_filename(report)
    return docx_response(content, filename, fallback=fallback)


# --- Staff workflow -------------------------------------------------------------

# DOM ids of the obligation page's forms: several forms share field names (note,
# version), so each gets its own auto_id prefix to keep labels and errors tied to
# the right field.
_FORM_IDS = {
    "status": "status-%s",
    "note": "note-%s",
    "evidence": "evidence-%s",
    "supervision": "supervision-%s",
    "assign": "assign-%s",
    "acknowledge": "acknowledge-%s",
    "extension": "extension-%s",
    "extension_decide": "extension-decide-%s",
    "confirm_link": "confirm-link-%s",
    "followup": "followup-%s",
}

# What the download may be served as: the types evidence_upload stores. Anything
# else (including an old row saying text/html) goes out as opaque bytes.
_DOWNLOAD_CONTENT_TYPES = frozenset(
    content_type.split(";")[0] for content_type in EVIDENCE_CONTENT_TYPES.values()
)


def _breadcrumb_sections(section):
    """The chapter, then the group, the obligation sits in (as printed)."""
    chain = [section]
    if section.parent_id is not None:
        chain.insert(0, section.parent)
    return chain


def _obligation_page(request, obligation, *, bound=None, changes=None, status=200):
    """Render the obligation page with the forms this user may use.

    ``bound`` maps a form name ("status", "withdraw-<evidence pk>" …) to the bound form
    that failed, so its errors appear next to it; every other form starts fresh with
    the obligation's current ``version``. The number of queries does not depend on
    how many evidence rows or timeline entries there are.
    """
    user = request.user
    bound = bound or {}
    selectors.obligation_page_related(obligation)
    # A closed report is read-only for everyone: no form at all, downloads stay.
    writable = permissions.is_writable(obligation.report)
    may_work = permissions.can_work_on(user, obligation)
    can_work = writable and may_work
    can_review = writable and permissions.can_review(user)
    version = {"version": obligation.version}

    def form(name, form_class, *, allowed, initial=None):
        if not allowed:
            return None
        if name in bound:
            return bound[name]
        return form_class(
            initial={**version, **(initial or {})}, auto_id=_FORM_IDS[name]
        )

    open_return = None
    if obligation.status in (Obligation.Status.RETURNED, Obligation.Status.IN_PROGRESS):
        open_return = (
            ProgressUpdate.objects.open_returns()
            .filter(obligation=obligation)
            .select_related("author")
            .order_by("-pk")
            .first()
        )
    transitions = permissions.transition_choices(
        user,
        obligation,
        has_evidence=any(not e.is_withdrawn for e in obligation.evidence_list),
        reworked=can_work
        and obligation.status == Obligation.Status.RETURNED
        and ProgressUpdate.objects.reworked_since_return(obligation),
    )
    if not writable:
        transitions = []
    status_form = form("status", StatusForm, allowed=bool(transitions))
    if status_form is not None and not any(t.rating_required for t in transitions):
        status_form.without_rating()
    context_forms = {
        "status": status_form,
        "note": form("note", NoteForm, allowed=can_work),
        "evidence": form("evidence", EvidenceForm, allowed=can_work),
        "supervision": form(
            "supervision",
            SupervisionForm,
            allowed=can_review,
            initial={"level": obligation.supervision_level},
        ),
        "assign": form(
            "assign",
            AssignForm,
            allowed=writable and permissions.can_assign(user),
            initial={
                "department": obligation.department_id,
                "owner": obligation.owner_id,
                "due_date": obligation.due_date,
            },
        ),
    }
    pending_extension = next(
        (each for each in obligation.extension_list if each.is_pending), None
    )
    context_forms.update(
        acknowledge=form(
            "acknowledge",
            AcknowledgeForm,
            allowed=writable
            and obligation.acknowledged_at is None
            and obligation.status != Obligation.Status.DONE
            and permissions.can_acknowledge(user, obligation),
        ),
        extension=form(
            "extension",
            ExtensionRequestForm,
            allowed=can_work
            and pending_extension is None
            and obligation.due_date is not None
            and obligation.status != Obligation.Status.DONE,
        ),
        extension_decide=form(
            "extension_decide",
            ExtensionDecisionForm,
            allowed=can_review and pending_extension is not None,
        ),
    )
    for evidence in obligation.evidence_list:
        evidence.withdraw_form = None
        if can_work and not evidence.is_withdrawn:
            key = f"withdraw-{evidence.pk}"
            evidence.withdraw_form = bound.get(key) or WithdrawEvidenceForm(
                auto_id=f"{key}-%s"
            )
            evidence.withdraw_error_id = f"withdraw-{evidence.pk}-errors"
    for notice in obligation.notice_list:
        notice.obligation = obligation
        notice.reply_form = None
        if (
            writable
            and not notice.is_replied
            and permissions.can_reply_to_notice(user, notice)
        ):
            key = f"reply-{notice.pk}"
            notice.reply_form = bound.get(key) or NoticeReplyForm(auto_id=f"{key}-%s")
            notice.reply_error_id = f"{key}-errors"
    refused_anchor = None
    for name, bound_form in bound.items():
        refused_anchor = _focus_first_error(bound_form, name)
    suggestions = selectors.suggested_problems(obligation)
    if writable and permissions.can_confirm_links(user):
        for suggestion in suggestions:
            suggestion.confirm_form = ConfirmLinkForm(
                initial={**version, "problem": suggestion.problem.pk},
                auto_id=f"confirm-{suggestion.problem.pk}-%s",
            )
    followup = selectors.obligation_followup(obligation)
    # The earlier year may be closed; the later one, where the follow-up is
    # recorded, may not (services._lock_followup_pair).
    if permissions.can_confirm_followups(user) and followup.later_is_writable:
        for suggestion in followup.suggestions:
            for verb in ("confirm", "reject"):
                setattr(
                    suggestion,
                    f"{verb}_form",
                    FollowUpForm(
                        initial={"later": suggestion.later.pk},
                        auto_id=f"followup-{verb}-{suggestion.later.pk}-%s",
                    ),
                )
        for confirmed in followup.confirmed:
            key = f"followup-withdraw-{confirmed.pk}"
            confirmed.withdraw_form = bound.get(key) or FollowUpWithdrawForm(
                auto_id=f"{key}-%s"
            )
            confirmed.withdraw_error_id = f"{key}-errors"
        if followup.later_report is not None:
            followup.choice_form = FollowUpChoiceForm(
                later_report=followup.later_report, auto_id="followup-choice-%s"
            )
    shown = {f"withdraw-{e.pk}" for e in obligation.evidence_list if e.withdraw_form}
    shown.update(f"reply-{n.pk}" for n in obligation.notice_list if n.reply_form)
    shown.update(
        f"followup-withdraw-{each.pk}"
        for each in followup.confirmed
        if getattr(each, "withdraw_form", None)
    )
    shown.update(name for name in _FORM_IDS if context_forms.get(name) is not None)
    # A refused form with no place on the page any more (withdrawing evidence that
    # someone withdrew meanwhile) still has its say, at the top of the page.
    orphan_errors = [
        error
        for name, bound_form in bound.items()
        if name not in shown
        for error in bound_form.non_field_errors()
    ]
    context = {
        **{f"{name}_form": each for name, each in context_forms.items()},
        "orphan_errors": orphan_errors,
        "refused_anchor": None if orphan_errors else refused_anchor,
        "obligation": obligation,
        "report": obligation.report,
        "sections": _breadcrumb_sections(obligation.section),
        "today": timezone.localdate(),
        "evidence_list": obligation.evidence_list,
        "notices": obligation.notice_list,
        "timeline": obligation.timeline,
        "extension_list": obligation.extension_list,
        "pending_extension": pending_extension,
        # (decision, button label, reason required) for the decision form.
        "extension_decisions": [
            ("approve", gettext("Approve the extension"), False),
            ("refuse", gettext("Refuse the extension"), True),
        ],
        "transitions": transitions,
        "suggestions": suggestions,
        "followup": followup,
        "open_return": open_return,
        "can_work": can_work,
        "can_download": may_work or permissions.can_review(user),
        "conflict_changes": changes,
    }
    return render(request, "tracker/obligation_detail.html", context, status=status)


_BUTTON_FIELDS = frozenset({"status", "decision"})


def _focus_first_error(form, name):
    """Make the page open at what refused ``form``: its first invalid field gets
    ``autofocus`` (the browser scrolls it into view, the typed text stays), or,
    when the whole form was refused (a service's reason, a stale version), its
    error block does (_form_errors.html). Returns the element's id, for the
    summary at the top of the page to link to. A 400 is a re-render of the page,
    not a redirect, so there is no #fragment to scroll to."""
    if not form.errors:
        return None
    # The transition and the extension decision are chosen with buttons
    # (_action_form.html): no field of theirs to focus.
    invalid = [
        field
        for field in form.visible_fields()
        if field.errors and field.name not in _BUTTON_FIELDS
    ]
    if invalid and not form.non_field_errors() and "version" not in form.errors:
        invalid[0].field.widget.attrs["autofocus"] = True
        return invalid[0].id_for_label
    form.focus_errors = True
    return f"{name.replace('_', '-')}-errors"


def _refused(request, obligation_pk, name, form, error, *, status=400):
    """Re-render the page with ``form`` showing why nothing was saved.

    The obligation is read again: a refused service left the database unchanged, and
    the page must show that state, not the half-changed instance.
    """
    obligation = permissions.get_obligation_or_404(request, obligation_pk)
    if error is not None:
        form.add_error(None, str(error))
    return _obligation_page(request, obligation, bound={name: form}, status=status)


def _conflict(request, name, form, error):
    """409: someone saved first. Show who changed what; the user's input stays in
    the form, now carrying the current version, so sending it again is a
    deliberate choice made after reading the changes."""
    obligation = permissions.get_obligation_or_404(request, error.obligation.pk)
    data = form.data.copy()
    data["version"] = obligation.version
    fresh = type(form)(data, auto_id=form.auto_id)
    fresh.is_valid()
    fresh.add_error(None, str(error))
    changes = [
        {"author": display_name(author), "when": when, "text": text}
        for author, when, text in error.changes
    ]
    return _obligation_page(
        request, obligation, bound={name: fresh}, changes=changes, status=409
    )


def _post_obligation_form(
    request, obligation, name, form, write, done, *, follow_next=False
):
    """How every form of the obligation page is handled: validate ``form``, run
    ``write(cleaned_data)`` (a service call), let ``done(result)`` say what happened
    (a message) and go back to the obligation, or to ``next`` with
    ``follow_next``. Bad input or a domain refusal re-renders the page with the
    form (400), a stale version with the changes made meanwhile (409)."""
    if not form.is_valid():
        return _refused(request, obligation.pk, name, form, None)
    try:
        result = write(form.cleaned_data)
    except StaleVersionError as error:
        return _conflict(request, name, form, error)
    except ServiceError as error:
        return _refused(request, obligation.pk, name, form, error)
    done(result)
    if follow_next:
        return _next_or(request, obligation)
    return redirect(obligation)


def _next_or(request, default):
    """Back to the page the form was on (``next``, e.g. /my/) when it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@require_safe
def obligation_detail(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    return _obligation_page(request, obligation)


@require_POST
def obligation_status(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    user = request.user
    if not (permissions.can_work_on(user, obligation) or permissions.can_review(user)):
        raise PermissionDenied

    def write(data):
        return services.obligation_transition(
            obligation=obligation,
            user=user,
            to_status=data["status"],
            note=data["note"],
            version=data["version"],
            rating=data["rating"],
            rating_comment=data["rating_comment"],
        )

    def done(result):
        if result.rating:
            message = gettext(
                "The obligation is now “%(status)s”, rated “%(rating)s”."
            ) % {
                "status": result.get_status_display(),
                "rating": result.get_rating_display(),
            }
        else:
            message = gettext("The obligation is now “%(status)s”.") % {
                "status": result.get_status_display()
            }
        messages.success(request, message)

    form = StatusForm(request.POST, auto_id=_FORM_IDS["status"])
    return _post_obligation_form(request, obligation, "status", form, write, done)


@require_POST
def obligation_supervision(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_review(request.user):
        raise PermissionDenied

    def write(data):
        return services.obligation_set_supervision(
            obligation=obligation,
            user=request.user,
            level=data["level"],
            note=data["note"],
            version=data["version"],
        )

    def done(result):
        message = gettext("Supervision level set to “%(level)s”.") % {
            "level": result.get_supervision_level_display()
        }
        if result.new_notice is not None:
            message += " " + gettext("Supervision notice %(code)s issued.") % {
                "code": result.new_notice.code
            }
        messages.success(request, message)

    form = SupervisionForm(request.POST, auto_id=_FORM_IDS["supervision"])
    return _post_obligation_form(request, obligation, "supervision", form, write, done)


@require_POST
def obligation_assign(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_assign(request.user):
        raise PermissionDenied
    version_before = obligation.version
    form = AssignForm(request.POST, auto_id=_FORM_IDS["assign"])

    def write(data):
        return services.obligation_assign(
            obligation=obligation,
            user=request.user,
            note=data["note"],
            version=data["version"],
            **form.changes(),
        )

    def done(result):
        if result.version == version_before:
            messages.info(request, gettext("Nothing was changed."))
        else:
            messages.success(request, gettext("Assignment saved."))

    return _post_obligation_form(request, obligation, "assign", form, write, done)


@require_POST
def obligation_confirm_link(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_confirm_links(request.user):
        raise PermissionDenied

    def write(data):
        return services.obligation_confirm_link(
            obligation=obligation,
            user=request.user,
            problem=data["problem"],
            version=data["version"],
        )

    def done(_result):
        messages.success(
            request,
            gettext("Linked: this task addresses %(code)s.")
            % {"code": form.cleaned_data["problem"].code},
        )

    form = ConfirmLinkForm(request.POST, auto_id=_FORM_IDS["confirm_link"])
    return _post_obligation_form(request, obligation, "confirm_link", form, write, done)


def _post_followup(request, pk, write, message):
    """Confirm or reject a suggested follow-up of the obligation ``pk`` (an item
    of next year's report posted as ``later``); back to ``next`` (the report
    page) or the obligation."""
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_confirm_followups(request.user):
        raise PermissionDenied
    form = FollowUpForm(request.POST, auto_id=_FORM_IDS["followup"])

    def done(_result):
        later = form.cleaned_data["later"]
        messages.success(
            request,
            message % {"earlier": obligation.code, "later": later.code},
        )

    return _post_obligation_form(
        request,
        obligation,
        "followup",
        form,
        write=lambda data: write(
            earlier=obligation,
            later=data["later"],
            user=request.user,
            reason=data["reason"],
        ),
        done=done,
        follow_next=True,
    )


@require_POST
def followup_confirm(request, pk):
    return _post_followup(
        request,
        pk,
        services.followup_confirm,
        gettext("Confirmed: %(later)s of next year's report reports on %(earlier)s."),
    )


@require_POST
def followup_reject(request, pk):
    return _post_followup(
        request,
        pk,
        services.followup_reject,
        gettext("Rejected: %(later)s is no longer suggested for %(earlier)s."),
    )


@require_POST
def followup_withdraw(request, pk):
    followup = permissions.get_followup_or_404(request, pk)
    if not permissions.can_confirm_followups(request.user):
        raise PermissionDenied
    # One form per confirmed follow-up on the page: named after it, so a refused
    # one is shown again with its error where it was (as evidence withdrawals are).
    name = f"followup-withdraw-{followup.pk}"
    form = FollowUpWithdrawForm(request.POST, auto_id=f"{name}-%s")
    return _post_obligation_form(
        request,
        followup.earlier,
        name,
        form,
        write=lambda data: services.followup_withdraw(
            followup=followup, user=request.user, reason=data["reason"]
        ),
        done=lambda _result: messages.success(
            request,
            gettext("Withdrawn: %(later)s no longer reports on %(earlier)s.")
            % {"earlier": followup.earlier.code, "later": followup.later.code},
        ),
    )


@require_POST
def obligation_acknowledge(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_acknowledge(request.user, obligation):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST, auto_id=_FORM_IDS["acknowledge"])
    return _post_obligation_form(
        request,
        obligation,
        "acknowledge",
        form,
        write=lambda data: services.obligation_acknowledge(
            obligation=obligation, user=request.user, version=data["version"]
        ),
        done=lambda result: messages.success(
            request, gettext("%(code)s acknowledged (签收).") % {"code": result.code}
        ),
        follow_next=True,
    )


@require_POST
def extension_request(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_work_on(request.user, obligation):
        raise PermissionDenied

    def write(data):
        return services.extension_request(
            obligation=obligation,
            user=request.user,
            requested_due_date=data["requested_due_date"],
            reason=data["reason"],
            version=data["version"],
        )

    def done(_result):
        messages.success(
            request, gettext("Extension requested; a supervisor will decide.")
        )

    form = ExtensionRequestForm(request.POST, auto_id=_FORM_IDS["extension"])
    return _post_obligation_form(request, obligation, "extension", form, write, done)


@require_POST
def extension_decide(request, pk):
    extension = get_object_or_404(
        ExtensionRequest.objects.filter(
            obligation__in=Obligation.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    obligation = permissions.get_obligation_or_404(request, extension.obligation_id)
    if not permissions.can_review(request.user):
        raise PermissionDenied

    def write(data):
        return services.extension_decide(
            extension=extension,
            user=request.user,
            approve=data["decision"] == "approve",
            reason=data["reason"],
            version=data["version"],
        )

    def done(result):
        if result.status == ExtensionRequest.Status.APPROVED:
            messages.success(
                request,
                gettext("Extension approved: the due date is now %(date)s.")
                % {"date": result.requested_due_date.isoformat()},
            )
        else:
            messages.success(request, gettext("Extension request refused."))

    name = "extension_decide"
    form = ExtensionDecisionForm(request.POST, auto_id=_FORM_IDS[name])
    return _post_obligation_form(request, obligation, name, form, write, done)


@require_POST
def obligation_add_note(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_work_on(request.user, obligation):
        raise PermissionDenied
    form = NoteForm(request.POST, auto_id=_FORM_IDS["note"])
    return _post_obligation_form(
        request,
        obligation,
        "note",
        form,
        write=lambda data: services.obligation_add_note(
            obligation=obligation, user=request.user, text=data["text"]
        ),
        done=lambda _result: messages.success(
            request, gettext("Progress update posted.")
        ),
    )


@require_POST
def evidence_upload(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_work_on(request.user, obligation):
        raise PermissionDenied

    def write(data):
        return services.evidence_upload(
            obligation=obligation,
            user=request.user,
            file=data["file"],
            note=data["note"],
        )

    def done(result):
        messages.success(
            request,
            gettext("Evidence “%(name)s” uploaded.") % {"name": result.original_name},
        )

    form = EvidenceForm(request.POST, request.FILES, auto_id=_FORM_IDS["evidence"])
    return _post_obligation_form(request, obligation, "evidence", form, write, done)


@require_POST
def evidence_withdraw(request, pk):
    evidence = permissions.get_evidence_or_404(request, pk)
    obligation = evidence.obligation
    if not permissions.can_work_on(request.user, obligation):
        raise PermissionDenied
    name = f"withdraw-{evidence.pk}"
    form = WithdrawEvidenceForm(request.POST, auto_id=f"{name}-%s")
    return _post_obligation_form(
        request,
        obligation,
        name,
        form,
        write=lambda data: services.evidence_withdraw(
            evidence=evidence, user=request.user, reason=data["reason"]
        ),
        done=lambda result: messages.success(
            request,
            gettext("Evidence “%(name)s” withdrawn.") % {"name": result.original_name},
        ),
    )


def _serve_evidence(request, pk, *, inline):
    """The one way an evidence file leaves the server, for the download and the
    preview alike.

    The stored content type is trusted only if it is one we accept (never HTML),
    ``nosniff`` stops the browser from guessing, and the sandbox policy disarms the
    file even if someone opens it in a tab: a PNG that is also valid HTML stays a
    PNG. ``inline`` serves images and PDFs to be shown by the browser; anything
    else is a download whatever was asked.
    """
    evidence = permissions.get_evidence_or_404(request, pk)
    if not permissions.can_download(request.user, evidence):
        raise PermissionDenied
    content_type = evidence.content_type.split(";")[0].strip().lower()
    if content_type not in _DOWNLOAD_CONTENT_TYPES:
        content_type = "application/octet-stream"
    elif evidence.content_type.lower().startswith("text/plain"):
        content_type = evidence.content_type
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("The file of this evidence is missing.")) from None
    response = FileResponse(
        handle,
        as_attachment=not (inline and preview_kind(content_type)),
        filename=evidence.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_safe
@never_cache
def evidence_download(request, pk):
    """Serve a piece of evidence to those who may see it, always as a download."""
    return _serve_evidence(request, pk, inline=False)


@require_safe
@never_cache
def evidence_preview(request, pk):
    """The same file, shown by the browser when it is an image or a PDF (the
    reviewer reads the evidence on the obligation page); a download otherwise."""
    return _serve_evidence(request, pk, inline=True)


# --- Supervision notices (督办单) ------------------------------------------------


@require_safe
def notice_detail(request, pk):
    """The printable notice: an A4 page in the layout of an official document."""
    notice = permissions.get_notice_or_404(request, pk)
    return render(
        request,
        "tracker/notice_detail.html",
        {
            "notice": notice,
            "obligation": notice.obligation,
            "report": notice.obligation.report,
            "reply_workdays": services.NOTICE_REPLY_WORKDAYS,
        },
    )


@require_POST
def notice_reply(request, pk):
    notice = permissions.get_notice_or_404(request, pk)
    obligation = notice.obligation
    name = f"reply-{notice.pk}"
    form = NoticeReplyForm(request.POST, auto_id=f"{name}-%s")
    if not permissions.can_reply_to_notice(request.user, notice):
        # Refused with the reason on the page, not a bare 403: staff of another
        # department may well have opened the wrong notice.
        form.is_valid()
        error = gettext(
            "Only a member of the obligation's responsible department can reply to "
            "supervision notice %(code)s."
        ) % {"code": notice.code}
        return _refused(request, obligation.pk, name, form, error, status=403)
    return _post_obligation_form(
        request,
        obligation,
        name,
        form,
        write=lambda data: services.notice_reply(
            notice=notice, user=request.user, text=data["text"]
        ),
        done=lambda _result: messages.success(
            request,
            gettext("Reply to supervision notice %(code)s recorded.")
            % {"code": notice.code},
        ),
    )


@require_safe
def notice_register(request):
    """The register (台账) of every notice, newest first; ?_export=csv|xlsx."""
    if not permissions.can_view_notice_register(request.user):
        raise PermissionDenied
    notices = selectors.notice_register(Obligation.objects.visible_to(request.user))
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        today = timezone.localdate()
        return rows_response(
            notice_export_rows(notices),
            export_format,
            f"{gettext('Supervision notices')}-{today:%Y-%m-%d}.{export_format}",
            fallback=f"notices-{today:%Y-%m-%d}.{export_format}",
            sheet_title=gettext("Supervision notices"),
            layout=NOTICE_LAYOUT,
        )
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/notice_register.html",
        {"page": page, "today": timezone.localdate()},
    )


@require_safe
def my_work(request):
    """The obligations of the user's departments (and those they own), grouped by
    status, overdue first within each group; for supervisors, first their queue
    (what waits for review, returned work, overdue and escalated obligations,
    extension requests and unanswered notices)."""
    user = request.user
    today = timezone.localdate()
    work = selectors.my_work(user, today=today)
    context = {
        "groups": work.groups,
        "total": work.total,
        "overdue_count": work.overdue,
        "departments": work.departments,
        "is_reviewer": permissions.can_review(user),
        "today": today,
    }
    if context["is_reviewer"]:
        context["queue"] = selectors.review_queue(
            Obligation.objects.visible_to(user), today=today
        )
        context["queue_urls"] = {
            "awaiting_review": _list_url(status=Obligation.Status.SUBMITTED),
            "returned": _list_url(status=Obligation.Status.RETURNED),
            "overdue": _list_url(overdue="yes"),
            "pending_extensions": _list_url(extension="pending"),
            "unanswered_notices": reverse("tracker:notice_register"),
        }
    return render(request, "tracker/my_work.html", context)


# --- Notifications --------------------------------------------------------------

NOTIFICATIONS_PER_PAGE = 25


@require_safe
def notification_list(request):
    """The user's inbox, newest first, unread ones marked, 25 a page."""
    paginator = Paginator(
        selectors.notifications_for(request.user), NOTIFICATIONS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "tracker/notification_list.html", {"page": page})


@require_safe
def notification_open(request, pk):
    """Opening a notification marks it read and leads to what it is about."""
    notification = get_object_or_404(
        Notification.objects.select_related("obligation"),
        pk=pk,
        recipient=request.user,
    )
    services.notification_read(notification=notification, user=request.user)
    if notification.obligation is not None:
        return redirect(notification.obligation)
    return redirect("tracker:notification_list")


@require_POST
def notification_read_all(request):
    count = services.notification_read_all(user=request.user)
    if count:
        messages.success(request, gettext("All notifications marked as read."))
    return redirect("tracker:notification_list")


@require_http_methods(["GET", "HEAD", "POST"])
def notification_preferences(request):
    """Every event by email, a daily digest, or the inbox only. Without a mail
    server or an email address there is nothing to choose, and the page says why."""
    user = request.user
    can_email = notifications.email_enabled() and bool(user.email)
    status = 200
    if request.method == "POST" and can_email:
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            services.notification_preference_set(
                user=user, email=form.cleaned_data["email"]
            )
            messages.success(request, gettext("Your notification settings are saved."))
            return redirect("tracker:notification_preferences")
        status = 400
    else:
        if request.method == "POST":
            status = 400
        form = NotificationPreferenceForm(
            initial={"email": selectors.notification_email_mode(user)}
        )
    context = {
        "form": form,
        "refused_anchor": _focus_first_error(form, "preferences"),
        "can_email": can_email,
        "email_enabled": notifications.email_enabled(),
    }
    return render(
        request, "tracker/notification_preferences.html", context, status=status
    )


# --- Operations -----------------------------------------------------------------


@login_not_required
@never_cache
def health(request):
    """Liveness for the reverse proxy and the load test's reference: no DB query."""
    return HttpResponse("ok", content_type="text/plain")


# --- Accounts -------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's login, naming the system and the organization it serves."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=selectors.organization_name(), **kwargs
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user chooses their own password: it replaces a temporary one."""

    success_url = reverse_lazy("tracker:password_change_done")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            must_change_password=self.request.session.get(MUST_CHANGE_PASSWORD),
            **kwargs,
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        services.account_password_changed(user=form.user)
        self.request.session.pop(MUST_CHANGE_PASSWORD, None)
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link an administrator sent: the password chosen here is the user's own."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.account_password_changed(user=form.user)
        return response
