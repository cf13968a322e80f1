"""Reports and their sections: the import with its preview, closing and reopening."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..forms import (
    ReportImportForm,
)
from ..importing import similarity
from ..models import (
    Job,
    Obligation,
    Report,
    ReportEvent,
    Section,
)
from ..permissions import can_import_report
from ..selectors.followups import adjacent_report
from ..selectors.reports import report_open_summary
from ..selectors.thesaurus import current_thesaurus
from ..services.common import ServiceError
from ..services.importing import (
    IMPORT_DRAFT_MINUTES,
    import_draft_discard,
    import_draft_get,
    import_draft_save,
    import_preview,
    report_import,
)
from ..services.jobs import job_start, job_start_import
from ..services.reports import report_close
from .mixins import (
    CleanInputAdminMixin,
    ClosedReportReadOnlyMixin,
    InvalidatesDashboardsMixin,
    NoDeleteMixin,
    ReadOnlyMixin,
)


def CLOSED_IN_ADMIN():  # noqa: N802 - reads like the constant it stands for
    """The reason recorded when the admin closes a report with nothing open (in
    the language of the record, read when closing)."""
    return gettext("Closed in the admin: nothing was open.")


def _suggested_links(tree):
    """The preview's suggested task -> problem links (importing.similarity), each
    with both titles: shown, never imported; they are confirmed on the task's page.
    """
    parsed = {o.code: o for _section, o in tree.obligations()}
    passages = ((o.code, o.kind, o.body) for o in parsed.values())
    return [
        {
            "task": parsed[each.task],
            "problem": parsed[each.problem],
            "score": each.score,
            "terms": each.terms,
        }
        for each in similarity.suggest_for_report(
            passages, thesaurus=current_thesaurus()
        )
    ]


def _suggested_followups(tree, *, organization, year):
    """The preview's follow-up suggestions: which units of the file may report on
    the tasks and problems of the organization's report of the year before
    (importing.similarity), with that report; shown, never stored: a supervisor
    confirms them once the file is imported."""
    previous = adjacent_report(organization=organization, year=year - 1)
    if previous is None:
        return None, []
    earlier = {
        o.code: o
        for o in previous.obligations.filter(missing_since__isnull=True)
        .select_related("section")
        .only(
            "pk",
            "code",
            "kind",
            "title",
            "body",
            "section__title",
            "section__parent_id",
        )
    }
    later = {o.code: (section, o) for section, o in tree.obligations()}
    matches = similarity.match_followups(
        [
            (o.code, o.kind, o.body, o.section.title if o.section.parent_id else "")
            for o in earlier.values()
        ],
        [
            (o.code, o.kind, o.body, "" if section.is_chapter else section.title)
            for section, o in later.values()
        ],
        thesaurus=current_thesaurus(),
    )
    return previous, [
        {
            "earlier": earlier[each.earlier],
            "later": later[each.later][1],
            "score": each.score,
            "terms": each.terms,
            "recurring": earlier[each.earlier].kind
            == later[each.later][1].kind
            == Obligation.Kind.PROBLEM,
        }
        for each in matches
    ]


class ReportEventInline(CleanInputAdminMixin, ReadOnlyMixin, admin.TabularInline):
    model = ReportEvent
    fields = ("created_at", "user", "action", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-pk")


@admin.register(Report)
class ReportAdmin(
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    NoDeleteMixin,
    ClosedReportReadOnlyMixin,
    admin.ModelAdmin,
):
    list_display = (
        "title",
        "organization",
        "year",
        "obligation_count",
        "imported_at",
        "closed_at",
    )
    list_filter = ("year", "organization")
    search_fields = ("title", "organization")
    date_hierarchy = "imported_at"
    # Obligations point into the source text by character offsets. Closing and
    # reopening go through the services (the actions below, the report page).
    readonly_fields = ("source_text", "imported_at", "closed_at", "closed_by")
    change_list_template = "admin/tracker/report/change_list.html"
    inlines = (ReportEventInline,)
    actions = ("download_archive", "archive_and_close", "close_selected")

    def report_of(self, report):
        return report

    def has_add_permission(self, request):
        # Reports come from an import (the "Import a report" page or manage.py
        # import_report), which also builds the tree.
        return False

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="tracker_report_import",
        )
        # Before the default URLs: "<path:object_id>/" would otherwise take it.
        return [import_url, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_report": can_import_report(request.user),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Preview (parse, compare, write nothing) or import an uploaded report."""
        if not can_import_report(request.user):
            raise PermissionDenied
        form = ReportImportForm(
            request.POST or None,
            request.FILES or None,
            draft_lookup=lambda token: import_draft_get(user=request.user, token=token),
        )
        preview, suggestions, draft = None, [], None
        previous_report, followups = None, []
        tree = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data.get("read_by_worker"):
                job = job_start_import(
                    user=request.user,
                    upload=data["file"],
                    params={
                        "organization": data["organization"],
                        "year": data["year"],
                        "links": data["links"],
                    },
                )
                return redirect(job)
            tree = data["tree"]
            if "import" in request.POST:
                try:
                    result = report_import(
                        tree=tree,
                        user=request.user,
                        organization=data["organization"],
                        year=data["year"],
                        links=data["links"],
                    )
                except ServiceError as error:
                    form.add_error(None, str(error))
                else:
                    import_draft_discard(user=request.user, token=data["draft"])
                    if result.previous_report is not None:
                        self.message_user(
                            request,
                            gettext(
                                "%(count)d follow-up suggestions for %(title)s: "
                                "confirm them on its page, under “Follow-up”."
                            )
                            % {
                                "count": len(result.followups),
                                "title": result.previous_report.title,
                            },
                        )
                    self.message_user(
                        request,
                        gettext(
                            "Report imported: %(created)d created, %(updated)d "
                            "updated, %(unchanged)d unchanged, %(missing)d missing."
                        )
                        % {
                            "created": len(result.created),
                            "updated": len(result.updated),
                            "unchanged": len(result.unchanged),
                            "missing": len(result.missing),
                        },
                        messages.WARNING if result.missing else messages.SUCCESS,
                    )
                    return redirect("admin:tracker_report_change", result.report.pk)
            else:
                preview = import_preview(
                    tree, organization=tree.organization, year=tree.year
                )
                suggestions = _suggested_links(tree)
                previous_report, followups = _suggested_followups(
                    tree, organization=tree.organization, year=tree.year
                )
                # Kept for the Import button: the page carries only the token.
                draft = import_draft_save(
                    user=request.user,
                    text=data["text"],
                    file_name=data["file_name"],
                    links=data["links"],
                    token=data["draft"],
                )
                form = ReportImportForm(
                    initial={
                        "draft": draft.token,
                        "organization": data["organization"],
                        "year": data["year"],
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a report"),
            "opts": self.model._meta,
            "form": form,
            "tree": tree if preview else None,
            "preview": preview,
            "draft": draft,
            "draft_minutes": IMPORT_DRAFT_MINUTES,
            "suggestions": suggestions,
            "previous_report": previous_report,
            "followups": followups,
        }
        return TemplateResponse(
            request,
            "admin/tracker/report/import.html",
            context,
            status=400 if form.errors else 200,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_obligations=Count("obligations"))

    @admin.display(description=_("obligations"), ordering="_obligations")
    def obligation_count(self, report):
        return report._obligations

    # --- The year's end: archive (一事一档), close. Reopening needs a reason: on
    # the report's page.

    def _one_report(self, request, queryset):
        if not permissions.can_archive_report(request.user):
            raise PermissionDenied
        reports = list(queryset.select_related("closed_by")[:2])
        if len(reports) != 1:
            self.message_user(
                request,
                gettext("Choose one report: an archive is of one report."),
                messages.ERROR,
            )
            return None
        return reports[0]

    def _archive_download(self, request, report):
        # Written by the worker: the job's page shows the progress, then the file.
        job = job_start(
            kind=Job.Kind.ARCHIVE, user=request.user, params={"report": report.pk}
        )
        return redirect(job)

    @admin.action(description=_("Download the archive (一事一档)"))
    def download_archive(self, request, queryset):
        report = self._one_report(request, queryset)
        return report and self._archive_download(request, report)

    @admin.action(description=_("Close and download the archive"))
    def archive_and_close(self, request, queryset):
        """The year's end in one step: closed first, so the archive records who
        closed the report and when; a report already closed is only archived."""
        report = self._one_report(request, queryset)
        if report is None:
            return None
        if not report.is_closed:
            if not self._may_close_here(request, report):
                return None
            report = report_close(
                report=report, user=request.user, reason=CLOSED_IN_ADMIN()
            )
        return self._archive_download(request, report)

    def _may_close_here(self, request, report):
        """The admin's actions close only a report with nothing open: one with
        open work is closed from its page, which shows what is open and asks why
        (issue 23)."""
        if report_open_summary(report).anything_open:
            self.message_user(
                request,
                gettext(
                    "“%(report)s” still has open work: close it from its page, "
                    "which shows what is open and asks for the reason."
                )
                % {"report": report.title},
                messages.WARNING,
            )
            return False
        return True

    @admin.action(description=_("Close (read-only for everyone)"))
    def close_selected(self, request, queryset):
        if not permissions.can_close_report(request.user):
            raise PermissionDenied
        already = queryset.filter(closed_at__isnull=False).count()
        closed = 0
        for report in queryset.filter(closed_at__isnull=True):
            if self._may_close_here(request, report):
                report_close(report=report, user=request.user, reason=CLOSED_IN_ADMIN())
                closed += 1
        if closed:
            self.message_user(
                request,
                gettext("Reports closed: %(count)d.") % {"count": closed},
                messages.SUCCESS,
            )
        if already:
            # Said apart, so "closed: 0" never reads as a failure to close.
            self.message_user(
                request,
                gettext("Already closed, left as they were: %(count)d.")
                % {"count": already},
                messages.INFO,
            )


@admin.register(Section)
class SectionAdmin(
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    NoDeleteMixin,
    ClosedReportReadOnlyMixin,
    admin.ModelAdmin,
):
    list_display = ("code", "title", "report", "parent", "position")
    list_filter = ("report",)
    search_fields = ("code", "title")
    list_select_related = ("report", "parent")
    readonly_fields = ("report", "parent", "code", "number", "position")

    def has_add_permission(self, request):
        return False

    def report_of(self, section):
        return section.report
