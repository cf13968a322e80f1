"""The ``get_*_or_404`` fetchers: 404 for what the user may not see, another
organization's objects included."""

import functools

from django.db import connection
from django.db.models import OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import (
    Chase,
    Department,
    Evidence,
    FollowUp,
    Instruction,
    Job,
    Notification,
    Obligation,
    Organization,
    OrganizationSupervision,
    Part,
    Report,
    SupervisionNotice,
    neighbours_stamp_subquery,
    organization_scope_q,
    several_organizations,
)
from .roles import _organization, is_admin

# What the package re-exports: the rest of the package calls these as
# permissions.NAME (tracker/permissions/__init__.py).
__all__ = [
    "get_chase_or_404",
    "get_department_or_404",
    "get_evidence_or_404",
    "get_followup_or_404",
    "get_instruction_or_404",
    "get_job_or_404",
    "get_notice_or_404",
    "get_notification_or_404",
    "get_obligation_or_404",
    "get_obligation_stamp_or_404",
    "get_organization_or_404",
    "get_organization_supervision_or_404",
    "get_part_or_404",
    "get_report_or_404",
]


def get_part_or_404(request, pk):
    visible = Obligation.objects.visible_to(request.user)
    queryset = Part.objects.filter(obligation__in=visible).select_related(
        "obligation__report", "obligation__department", "department", "owner"
    )
    return get_object_or_404(queryset, pk=pk)


def get_instruction_or_404(request, pk):
    visible = Obligation.objects.visible_to(request.user)
    queryset = Instruction.objects.filter(obligation__in=visible).select_related(
        "obligation__report", "department", "author"
    )
    return get_object_or_404(queryset, pk=pk)


def get_chase_or_404(request, pk):
    visible = Obligation.objects.visible_to(request.user)
    queryset = Chase.objects.filter(obligation__in=visible).select_related(
        "obligation__report", "department", "part"
    )
    return get_object_or_404(queryset, pk=pk)


def get_obligation_or_404(request, pk):
    # The section's chapter too: the obligation page's breadcrumb shows it (a
    # query of its own otherwise). The report's revision with it: the obligation
    # page's cache key (selectors.obligations.obligation_page_cache_key). Not the
    # report's whole text: only the page's cached texts quote it.
    queryset = (
        Obligation.objects.visible_to(request.user)
        .select_related("report__closed_by", "section__parent", "department", "owner")
        .defer("report__source_text")
        .annotate(report_revision_number=Coalesce("report__revision__number", 0))
    )
    obligation = get_object_or_404(queryset, pk=pk)
    obligation.report.revision_number = obligation.report_revision_number
    return obligation


def get_obligation_stamp_or_404(request, pk):
    """(version, report revision, neighbouring reports' stamp) of an obligation
    the user may see, 404 for any other, in one small query: what a cached copy
    of it and of its page's parts are keyed on
    (``views.obligation_cache.obligation_for_page``); the third is
    ``models.neighbours_stamp`` of its report's neighbours. The scope is
    ``organization_scope_q``'s, decided on the row: the item's organization in
    the reader's subtree; for a reader without an organization, whether the
    deployment has more than one (a superuser sees everything)."""
    # Beyond a 64-bit key nothing exists; the database would refuse the number.
    if not 0 < pk < 2**63:
        raise Http404
    user = request.user
    organization_id, path = _organization(user)
    sql, params = _obligation_stamp_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk if param == _PK else param for param in params])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    version, revision, item_path, several, neighbours = row
    if organization_id is not None:
        visible = item_path is not None and item_path.startswith(path)
    else:
        visible = user.is_superuser or not several
    if not visible:
        raise Http404
    return version, revision, neighbours or 0


# No obligation has a negative id: the parameter that equals it is the pk.
_PK = -918_273_649


@functools.cache
def _obligation_stamp_sql(vendor: str) -> tuple[str, tuple]:
    # Compiled once per process: building it cost more than running it.
    return (
        Obligation.objects.filter(pk=_PK)
        .order_by()
        .annotate(
            revision_number=Coalesce("report__revision__number", 0),
            several=several_organizations(),
            neighbours=neighbours_stamp_subquery(
                OuterRef("report__organization"), OuterRef("report__year")
            ),
        )
        .values_list(
            "version",
            "revision_number",
            "report__organization_unit__path",
            "several",
            "neighbours",
        )
        .query.sql_with_params()
    )


def get_evidence_or_404(request, pk):
    """404 only for what the user may not see; refusing a download is a 403, which
    the view decides with ``can_download``."""
    visible = Obligation.objects.visible_to(request.user)
    queryset = Evidence.objects.filter(obligation__in=visible).select_related(
        "obligation__report",
        "obligation__department",
        "part",
        "uploaded_by",
        "withdrawn_by",
    )
    return get_object_or_404(queryset, pk=pk)


def get_notice_or_404(request, pk):
    visible = Obligation.objects.visible_to(request.user)
    queryset = SupervisionNotice.objects.filter(obligation__in=visible).select_related(
        "obligation__report", "department", "issued_by", "replied_by", "leader"
    )
    return get_object_or_404(queryset, pk=pk)


def get_notification_or_404(request, pk):
    """The user's own notification, unless it is about an obligation they may no
    longer see (another organization's: moved, or the account moved)."""
    visible = Obligation.objects.visible_to(request.user)
    queryset = Notification.objects.filter(
        Q(obligation__isnull=True) | Q(obligation__in=visible),
        recipient=request.user,
    ).select_related("obligation")
    return get_object_or_404(queryset, pk=pk)


def get_report_or_404(request, pk, *, queryset=None):
    """A report of the user's organization or below it; 404 for any other."""
    queryset = Report.objects.all() if queryset is None else queryset
    return get_object_or_404(queryset.visible_to(request.user), pk=pk)


def get_department_or_404(request, pk):
    """A department of the user's organization or below it; 404 for any other."""
    return get_object_or_404(Department.objects.visible_to(request.user), pk=pk)


def get_followup_or_404(request, pk):
    visible = Obligation.objects.visible_to(request.user)
    queryset = FollowUp.objects.filter(
        earlier__in=visible, later__in=visible
    ).select_related("earlier__report", "later__report")
    return get_object_or_404(queryset, pk=pk)


def get_organization_or_404(request, pk):
    """The user's organization or one below it; 404 for any other (a county of
    another city)."""
    queryset = Organization.objects.filter(organization_scope_q(request.user, "path"))
    return get_object_or_404(queryset, pk=pk)


def get_organization_supervision_or_404(request, pk):
    """A city's 催办 or 督办单 to an organization in the user's subtree; 404 for
    any other. Who may read it is ``can_view_organization_supervision`` (403)."""
    queryset = OrganizationSupervision.objects.filter(
        organization_scope_q(request.user, "organization__path")
    ).select_related("organization", "issuer", "sent_by", "answered_by")
    return get_object_or_404(queryset, pk=pk)


# --- Status transitions -----------------------------------------------------------


def get_job_or_404(request, pk):
    """A job (the worker's long work for one person), if it is the user's own or
    the user is an administrator; else a 404: a job's number says nothing to
    anyone else."""
    jobs = Job.objects.all()
    if not is_admin(request.user):
        jobs = jobs.filter(user=request.user)
    return get_object_or_404(jobs, pk=pk)
