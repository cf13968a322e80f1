"""A city's 催办 and 督办单 to a county as a whole, and the county's answer.

The city's supervisors and leaders supervise a county the way a county's
supervisors supervise its units, but never inside the county's workflow: what
they send is addressed to the county (``OrganizationSupervision``), which its
own supervisors and leaders answer. A 督办单 takes the next number of the
issuing organization's 文号 prefix from the same ``NoticeCounter`` as every
other 督办单 of that prefix, so one register never repeats a number."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions, workdays
from ..models import Obligation, Organization, OrganizationSupervision, Report
from ..notifications.events import (
    announce_organization_supervision,
    announce_organization_supervision_answer,
)
from .common import ServiceError, refuse_unless, save_recorded, typed_text
from .dashboard import report_invalidate_dashboard
from .supervision import (
    NOTICE_LEVELS,
    NOTICE_REPLY_WORKDAYS,
    lock_notice_counter,
    take_notice_number,
)

NOTE_MAX_LENGTH = 2000


def _clean_note(note, *, empty_message):
    return typed_text(
        note,
        empty_message=empty_message,
        max_length=NOTE_MAX_LENGTH,
        too_long=_("The note is too long: at most %(max)d characters."),
    )


def _issuer(user, organization):
    """The organization in whose name it goes: the sender's, else (the platform's
    administrator belongs to none) the one directly above the county."""
    own = permissions.user_organization(user)
    if own is not None or organization.depth <= 1:
        return own
    parent_path = organization.path[: -organization.steplen]
    return Organization.objects.filter(path=parent_path).first()


def _invalidate(supervision):
    """The city's ranking counts its 催办 and 督办单 to a county about a report
    and is cached on that report's revision
    (``selectors.organizations.organization_ranking_cache_key``), which this
    bumps; the city's two lists key on their counts as well."""
    if supervision.report_id is not None:
        report_invalidate_dashboard(report_id=supervision.report_id)


def _report(organization, year):
    """The county's report of ``year``, else its latest one (None without any)."""
    reports = Report.objects.filter(organization_unit=organization)
    if year is not None:
        chosen = reports.filter(year=year).first()
        if chosen is not None:
            return chosen
    return reports.order_by("-year").first()


@transaction.atomic
def organization_chase(
    *, organization, user, note: str, year: int | None = None
) -> OrganizationSupervision:
    """催办 of ``organization`` as a whole, about its report of ``year`` (else
    its latest): its supervisors and leaders hear of it and answer."""
    refuse_unless(permissions.can_supervise_organization(user, organization))
    note = _clean_note(
        note, empty_message=_("Say what the county should do (the chase's note).")
    )
    chase = OrganizationSupervision(
        kind=OrganizationSupervision.Kind.CHASE,
        organization=organization,
        issuer=_issuer(user, organization),
        report=_report(organization, year),
        note=note,
        sent_by=user,
    )
    save_recorded(chase, user=user, reason=_("Chased"))
    _invalidate(chase)
    announce_organization_supervision(chase, user=user)
    return chase


@transaction.atomic
def organization_notice(
    *, organization, user, level: str, note: str, year: int | None = None
) -> OrganizationSupervision:
    """A numbered 督办单 to ``organization`` as a whole, in the issuing
    organization's 文号 (its prefix, this year's next number), with a reply due
    in ``NOTICE_REPLY_WORKDAYS`` working days; about its report of ``year``."""
    refuse_unless(permissions.can_supervise_organization(user, organization))
    if level not in NOTICE_LEVELS:
        raise ServiceError(
            _("Unknown supervision level: %(level)s.") % {"level": level}
        )
    note = _clean_note(note, empty_message=_("A reason is required."))
    issuer = _issuer(user, organization)
    today = timezone.localdate()
    prefix = (issuer or organization).notice_prefix_or_default()
    # The counter row is locked until the commit: a rolled-back notice gives its
    # number back, two at once get consecutive numbers.
    counter = lock_notice_counter(prefix=prefix, year=today.year)
    notice = OrganizationSupervision(
        kind=OrganizationSupervision.Kind.NOTICE,
        organization=organization,
        issuer=issuer,
        report=_report(organization, year),
        note=note,
        level=Obligation.SupervisionLevel(level),
        prefix=counter.prefix,
        year=counter.year,
        number=take_notice_number(counter),
        reply_due=workdays.add_workdays(today, NOTICE_REPLY_WORKDAYS),
        sent_by=user,
    )
    save_recorded(notice, user=user, reason=_("Supervision notice issued"))
    _invalidate(notice)
    announce_organization_supervision(notice, user=user)
    return notice


@transaction.atomic
def organization_supervision_answer(
    *, supervision, user, answer: str
) -> OrganizationSupervision:
    """The county's answer (once), told to the one who sent it."""
    refuse_unless(permissions.can_answer_organization_supervision(user, supervision))
    answer = _clean_note(answer, empty_message=_("Write the answer first."))
    current = OrganizationSupervision.objects.select_for_update(of=("self",)).get(
        pk=supervision.pk
    )
    if current.is_answered:
        raise ServiceError(_("This has already been answered."))
    current.answer = answer
    current.answered_by = user
    current.answered_at = timezone.now()
    save_recorded(current, user=user, reason=_("Answered"))
    _invalidate(current)
    current.organization = supervision.organization
    announce_organization_supervision_answer(current, user=user)
    return current
