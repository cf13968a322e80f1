"""Who may do what: the one place views, templates and the admin ask.

Roles: ``staff`` (经办人员, members of departments), ``supervisor`` (督查人员),
``leader`` (县领导, with a level on their profile) and admins (superusers, or Django
staff users with the ``tracker.change_obligation`` permission). Groups are created by
data migrations.

Leaders read everything of their organization (``can_read_all``: the one rule that
will scope it by organization) but do none of the staff workflow and no review: every
write row below is "no" for them except the leaders' own rows at the end.

The permission matrix of the staff workflow (issue 3). "Working staff" are the members
of the obligation's department and the obligation's owner; "other staff" is everybody
else in the staff group. Every cell is enforced by the helpers below; the status
rows come from the ``TRANSITIONS`` table, which the transition service also reads.

=====================================================  =======  =====  ==========  =====
action                                                 working  other  supervisor  admin
=====================================================  =======  =====  ==========  =====
view lists, dashboard, obligation detail               yes      yes    yes         yes
download or preview (images, PDF) evidence             yes      403    yes         yes
post a progress update, upload or withdraw evidence    yes      no     no          yes
start: not_started/returned -> in_progress             yes      no     no          yes
submit: in_progress -> submitted (evidence + note)     yes      no     no          yes
resubmit: returned -> submitted (+ rework since)       yes      no     no          yes
approve: submitted -> done (with a rating)            no       no     yes         yes
return: submitted -> returned (reason)                 no       no     yes         yes
reopen: done -> in_progress (reason; clears rating)    no       no     yes         yes
set supervision level (reason), assign dept/owner/due  no       no     yes         yes
view and print a supervision notice                    yes      yes    yes         yes
reply to a supervision notice (department members)     yes      no     no          no
supervision notice register and its export             no       no     yes         yes
edit an obligation's text, its task -> problem links   no       no     no          yes
confirm a suggested task -> problem link               no       no     yes         yes
confirm, reject or withdraw a follow-up across years   no       no     yes         yes
acknowledge (签收) an assignment to the department     member   no     no          no
request an extension (延期申请)                        yes      no     no          yes
approve or refuse an extension request                 no       no     yes         yes
department ranking and its exports                     no       no     yes         yes
add a co-operating unit's part (配合单位)               no       no     yes         yes
acknowledge (签收) a part                               (the part's unit: members)
work on a part: notes, files, submit to the lead unit  (its members, owner, admin)
accept or return a part (the lead unit)                yes      no     no          yes
waive a part so the lead unit may submit (reason)      no       no     yes         yes
sign off a submission (单位审核): the unit's heads       (heads, admin)
chase (催办) an item or a part                          no       no     yes         yes
answer a chase: the chased unit's members              (members only)
file a progress report (调度) for the current period    yes      no     no          yes
the 调度表 (/schedule/) and its export                  no       no     yes         yes
download the Word draft of next year's report          no       no     yes         yes
download a report's archive (一事一档 zip)               no       no     yes         yes
close a report; reopen it (reason)                     no       no     yes         yes
carry items over (结转), write their 报告用语           no       no     yes         yes
=====================================================  =======  =====  ==========  =====

Leaders (县领导): every reading row above is "yes" (lists, obligation pages, evidence,
notices and their register, departments, the ranking, the 调度表, the draft and the
archive), every other row "no"; and:

=====================================================  =======  =====  ==========  =====
action                                                 working  other  supervisor  admin
=====================================================  =======  =====  ==========  =====
the cockpit (/cockpit/): yes for leaders              no       no     yes         yes
write a 批示 on an item: leaders only                  no       no     no          no
reply to a 批示 (the unit's members)                   member   no     no          no
approve a prepared 督办单: a leader of its level       no       no     no          no
record a leader's paper signature on a 督办单          no       no     yes         yes
=====================================================  =======  =====  ==========  =====

A closed report (``Report.is_closed``) is read-only for everyone: every "yes" above
that writes becomes "no" for its obligations (``is_writable``), which the services
enforce (``services.common.ReportClosedError``) and the pages follow by hiding the
forms. Reading, downloading evidence and the archive stay as they are.

签收 is the department's own act: only a member of the responsible department (not
an owner from elsewhere, nor an admin on its behalf) acknowledges.

Reviewing is deliberately separate from working: a supervisor who is not a member of
the department cannot start or submit, and working staff cannot approve their own work.
"""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .models import (
    AccountProfile,
    Chase,
    Department,
    Evidence,
    FollowUp,
    Instruction,
    LeaderLevel,
    Notification,
    Obligation,
    Organization,
    Part,
    ProgressUpdate,
    Report,
    ReportEvent,
    SupervisionNotice,
)

STAFF_GROUP = "staff"
SUPERVISOR_GROUP = "supervisor"
LEADER_GROUP = "leader"  # 领导
# The model permission that makes a Django staff user an admin of the tracker.
ADMIN_PERMISSION = "tracker.change_obligation"


def supervisors():
    """The active supervisors (督查人员), in a stable order: who hears of a
    submission or an extension request, and who gets the daily lists."""
    return (
        get_user_model()
        .objects.filter(groups__name=SUPERVISOR_GROUP, is_active=True)
        .distinct()
        .order_by("pk")
    )


def supervisors_of(report_id):
    """The supervisors who act on ``report_id``'s items: its organization's (and
    any without an organization), not another county's nor the city's, who read
    but do not review (``acts_in``)."""
    return supervisors().filter(
        Q(account_profile__organization__isnull=True)
        | Q(account_profile__organization__reports=report_id)
    )


def _group_names(user):
    # Cached on the user object: templates ask several times per page. The same
    # query reads the user's organization (``_organization``): no second one.
    if not hasattr(user, "_tracker_groups"):
        rows = list(
            get_user_model()
            .objects.filter(pk=user.pk)
            .values_list(
                "groups__name",
                "account_profile__organization_id",
                "account_profile__organization__path",
            )
        )
        user._tracker_groups = frozenset(row[0] for row in rows if row[0])
        user._tracker_organization = rows[0][1:] if rows else (None, None)
    return user._tracker_groups


def _organization(user):
    """(id, path) of the user's organization, (None, None) without one."""
    if not user.is_authenticated:
        return (None, None)
    if not hasattr(user, "_tracker_organization"):
        row = (
            AccountProfile.objects.filter(user_id=user.pk)
            .values_list("organization_id", "organization__path")
            .first()
        )
        user._tracker_organization = row or (None, None)
    return user._tracker_organization


def user_organization(user):
    """The user's ``Organization`` (a query), or ``None``."""
    organization_id, _path = _organization(user)
    if organization_id is None:
        return None
    return Organization.objects.get(pk=organization_id)


def acts_in(user, report):
    """Whether ``user`` may act inside ``report``'s workflow: its own
    organization's people only. A city's supervisors read a county's items,
    rank and chase the county as a whole, but do not approve, assign or work on
    its items: the county's own supervisors do (``post_obligation_form`` and the
    status buttons ask). An account without an organization is a single-county
    deployment's, which sees only what it may act on."""
    organization_id, _path = _organization(user)
    return organization_id is None or organization_id == report.organization_unit_id


def acts_in_obligation(user, obligation):
    """``acts_in`` for an obligation read with its report."""
    return acts_in(user, obligation.report)


def group_names_known(user):
    """Whether the user's groups were read already in this request."""
    return hasattr(user, "_tracker_groups")


def remember_group_names(user, names):
    """The user's group names, read by a query that fetched more
    (``selectors.inbox.group_names_and_unread_count``): no second query for them."""
    user._tracker_groups = frozenset(names)


def _department_ids(user):
    # Cached like the groups: a detail page asks once per form and per evidence row.
    if not hasattr(user, "_tracker_department_ids"):
        user._tracker_department_ids = frozenset(
            user.departments.values_list("pk", flat=True)
        )
    return user._tracker_department_ids


def _headed_department_ids(user):
    if not hasattr(user, "_tracker_headed_department_ids"):
        user._tracker_headed_department_ids = frozenset(
            user.headed_departments.values_list("pk", flat=True)
        )
    return user._tracker_headed_department_ids


def is_admin(user):
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (user.is_staff and user.has_perm(ADMIN_PERMISSION))


def is_supervisor(user):
    return user.is_authenticated and SUPERVISOR_GROUP in _group_names(user)


def is_department_staff(user):
    return user.is_authenticated and STAFF_GROUP in _group_names(user)


def is_leader(user):
    """A county leader (县领导): reads everything, writes 批示, signs 督办单."""
    return (
        user.is_authenticated and user.is_active and LEADER_GROUP in _group_names(user)
    )


def can_read_all(user):
    """Read everything of the organization: every department's evidence, the
    register, the ranking, the 调度表, the draft and the archive. The reviewers and
    the leaders; the one place to scope leaders to their organization."""
    return can_review(user) or is_leader(user)


# The roles an administrator gives a new user (the add-user form), with the group
# each one means: a head (单位负责人) is staff who also heads the departments
# chosen; "admin" is a Django superuser, given only by a superuser.
ADMIN_ROLE, HEAD_ROLE = "admin", "head"
ROLE_GROUPS = {
    "staff": STAFF_GROUP,
    HEAD_ROLE: STAFF_GROUP,
    "supervisor": SUPERVISOR_GROUP,
    "leader": LEADER_GROUP,
    ADMIN_ROLE: None,
}
_ROLE_LABELS = {  # the roles' keys are their groups' names, where they have one
    "staff": _("Staff"),
    HEAD_ROLE: _("Department head"),
    "supervisor": _("Supervisor"),
    "leader": _("Leader"),
    ADMIN_ROLE: _("Administrator"),
}


def role_choices(user):
    """(role, label) an administrator ``user`` may give: a superuser may also make
    administrators; nobody else may hand out more than they have."""
    every = list(_ROLE_LABELS.items())  # the administrator last
    return every if user.is_superuser else every[:-1]


def group_label(name):
    """A role group's name in the reader's language (the groups keep their
    English names: the code looks them up by it)."""
    return _ROLE_LABELS.get(name, name)


def lands_on_my_work(user):
    """Supervisors and heads (单位负责人) start from their queue, /my/."""
    return is_supervisor(user) or bool(_headed_department_ids(user))


def role_label(user):
    if is_admin(user):
        return _("Administrator")
    if is_supervisor(user):
        return _("Supervisor")
    if is_leader(user):
        return _("Leader")
    if is_department_staff(user):
        return _("Staff")
    return ""


# --- Object permissions ---------------------------------------------------------


def is_working_staff(user, obligation):
    """A member of the obligation's department, or its owner."""
    if not (user.is_authenticated and user.is_active):
        return False
    if obligation.owner_id is not None and obligation.owner_id == user.pk:
        return True
    return (
        obligation.department_id is not None
        and obligation.department_id in _department_ids(user)
    )


def can_work_on(user, obligation):
    """Post progress updates, upload/withdraw evidence, start and submit."""
    return is_admin(user) or is_working_staff(user, obligation)


def is_department_member(user, obligation):
    """A member of the obligation's responsible department: who acts for the
    department itself (签收, replying to a supervision notice)."""
    return (
        user.is_authenticated
        and user.is_active
        and obligation.department_id is not None
        and obligation.department_id in _department_ids(user)
    )


def can_acknowledge(user, obligation):
    """签收: the department's members (not an owner from elsewhere, nor an admin on
    the department's behalf)."""
    return is_department_member(user, obligation)


def acknowledgement_refusal(obligation):
    """Why nobody may acknowledge (签收) ``obligation`` now, or ``None``.

    The one rule behind the page's form, /my/'s one-click button and the service
    (a closed report is refused by the service's lock, ``ReportClosedError``)."""
    if obligation.acknowledged_at is not None:
        return _("This obligation has already been acknowledged.")
    if obligation.status == Obligation.Status.DONE:
        return _("This obligation is done: there is nothing left to acknowledge.")
    return None


def can_acknowledge_now(user, obligation):
    """Whether ``user`` may acknowledge ``obligation`` now (no query: the user's
    departments are cached and callers read the obligation with its report)."""
    return (
        is_writable(obligation.report)
        and can_acknowledge(user, obligation)
        and acknowledgement_refusal(obligation) is None
    )


def extension_request_refusal(obligation, *, has_pending_request):
    """Why no extension (延期) of ``obligation`` may be requested now, or ``None``:
    the page's form and the service follow this one rule."""
    if obligation.status == Obligation.Status.DONE:
        return _("This obligation is done; it needs no extension.")
    if obligation.due_date is None:
        return _("This obligation has no due date to extend.")
    if has_pending_request:
        return _("An extension request is already pending for this obligation.")
    return None


def can_request_extension_now(user, obligation, *, has_pending_request):
    return (
        is_writable(obligation.report)
        and can_work_on(user, obligation)
        and extension_request_refusal(
            obligation, has_pending_request=has_pending_request
        )
        is None
    )


def can_review(user):
    """Approve, return, reopen and set the supervision level."""
    return is_admin(user) or (user.is_active and is_supervisor(user))


def can_assign(user):
    """Assign a department, an owner or a due date: the reviewers' job."""
    return can_review(user)


def can_reply_to_notice(user, notice):
    """A supervision notice is answered by the obligation's responsible department:
    its members only (not the owner from elsewhere, not the supervisors who issued
    it)."""
    return is_department_member(user, notice.obligation)


def notice_reply_refusal(notice):
    """Why ``notice`` cannot be answered now, or ``None``: a notice is answered once."""
    if notice.is_replied:
        return _("Supervision notice %(code)s has already been replied to.") % {
            "code": notice.code
        }
    return None


def can_reply_to_notice_now(user, notice):
    """The page's reply form and the service: the department's members, once, while
    the report is open (``notice.obligation`` read with its report)."""
    return (
        is_writable(notice.obligation.report)
        and can_reply_to_notice(user, notice)
        and notice_reply_refusal(notice) is None
    )


def can_view_cockpit(user):
    """The cockpit (/cockpit/): leaders, supervisors and admins; not staff."""
    return can_read_all(user)


def can_write_instruction(user):
    """批示: a county leader's own act, not the supervisors' nor an admin's."""
    return is_leader(user)


def can_reply_to_instruction(user, instruction):
    """The addressed unit's members reply to a 批示 (like a notice's reply)."""
    return (
        user.is_authenticated
        and user.is_active
        and instruction.department_id is not None
        and instruction.department_id in _department_ids(user)
    )


# 三色督办 by who issues: white by a 分管负责人, yellow by a 县委副书记 or 常务副县长,
# red by a 主要领导 (the seed report).
NOTICE_LEADER_LEVELS = {
    "white": LeaderLevel.IN_CHARGE,
    "yellow": LeaderLevel.DEPUTY,
    "red": LeaderLevel.PRINCIPAL,
}


def leader_level(user):
    profile = getattr(user, "account_profile", None) if user.is_authenticated else None
    return profile.leader_level if profile is not None else ""


def notice_signing_refusal(notice):
    """Why ``notice`` cannot be signed now, or ``None``: it is signed once."""
    if notice.is_signed:
        return _("Supervision notice %(code)s is already signed.") % {
            "code": notice.code
        }
    return None


def can_approve_notice(user, notice):
    """A leader of the notice's colour's level approves it in the app."""
    return (
        is_leader(user)
        and leader_level(user) == NOTICE_LEADER_LEVELS.get(notice.level)
        and notice_signing_refusal(notice) is None
    )


def can_record_notice_signature(user):
    """The supervisors record a leader's paper signature (name and date)."""
    return can_review(user)


def can_view_reminder_gaps(user):
    """The departments whose open items remind nobody: the admins' and the
    supervisors' to set right (members, addresses, a group chat robot)."""
    return can_review(user)


def can_view_notice_register(user):
    """The register (台账) of supervision notices is the supervisors' tool."""
    return can_read_all(user)


def can_edit_obligation(user):
    """Correct an obligation's title, text and task -> problem links: they come from
    the report, so only an admin changes them (in the admin)."""
    return is_admin(user)


def can_edit_evidence_note(user):
    """Correct what a department wrote about a file it uploaded: the obligation page
    has no edit, so only an admin changes it (in the admin)."""
    return is_admin(user)


def can_confirm_links(user):
    """Turn a suggested task -> problem link into a link: judging what a task
    remedies is the reviewers' job, unlike rewriting the links wholesale."""
    return can_review(user)


def is_writable(report):
    """Whether anything of ``report`` may change: not once it is closed, for
    anyone, whatever their role (a supervisor reopens it first)."""
    return not report.is_closed


def can_close_report(user):
    """Close a report at the end of its year, or reopen it with a reason."""
    return can_review(user)


# What a year leaves to the next (结转) and the words it says of an item (报告用语)
# are the reviewers' calls, as closing the year is.
can_carry_over = can_write_report_wording = can_close_report


def can_archive_report(user):
    """Download a report's archive: it holds every department's evidence, so only
    those who may download all of it."""
    return can_read_all(user)


def can_confirm_followups(user):
    """Confirm or reject a suggested follow-up across years (which item of next
    year's report reports on a task or problem), or withdraw a confirmed one: a
    judgement like confirming a suggested link, so the reviewers'."""
    return can_review(user)


def can_draft_documents(user):
    """Download the Word documents written from the record (the draft of next
    year's report, the 通报): they speak for the county, so the reviewers'."""
    return can_read_all(user)


def can_download(user, evidence):
    """The reviewers, the item's working staff, and for a part's file, the
    co-operating unit (evidence read with its part)."""
    return (
        can_read_all(user)
        or can_work_on(user, evidence.obligation)
        or (evidence.part_id is not None and can_work_on_part(user, evidence.part))
    )


# --- Co-operating units' parts (分办事项), sign-off, 催办 -------------------------


def is_part_member(user, part):
    """A member of the part's co-operating unit: who acts for the unit (签收)."""
    return (
        user.is_authenticated
        and user.is_active
        and part.department_id in _department_ids(user)
    )


def can_work_on_part(user, part):
    """Post notes, upload evidence and submit the part to the lead unit."""
    if not (user.is_authenticated and user.is_active):
        return False
    return (
        is_admin(user)
        or is_part_member(user, part)
        or (part.owner_id is not None and part.owner_id == user.pk)
    )


def can_decide_part(user, part):
    """Accept or return a part: the lead unit, i.e. whoever works on the item."""
    return can_work_on(user, part.obligation)


def can_add_part(user):
    """Name a co-operating unit: part of assigning, the reviewers' job."""
    return can_assign(user)


def can_waive_part(user):
    """Let the lead unit submit without a part (a supervisor, with a reason)."""
    return can_review(user)


def can_acknowledge_part_now(user, part):
    """/my/'s one-click 签收 of a part (the part read with its item's report)."""
    return (
        is_writable(part.obligation.report)
        and not part.is_waived
        and part.status == Part.Status.NOT_ACKNOWLEDGED
        and is_part_member(user, part)
    )


def part_waiver_refusal(part):
    if part.is_settled:
        return _("This part is already accepted or waived.")
    return None


class PartTransition(NamedTuple):
    may: object  # callable (user, part) -> bool
    label: str
    note_required: bool = False


def _part_member(user, part):
    return is_part_member(user, part)


def _part_worker(user, part):
    return can_work_on_part(user, part)


def _lead_unit(user, part):
    return can_decide_part(user, part)


_P = Part.Status

PART_TRANSITIONS = {
    (_P.NOT_ACKNOWLEDGED, _P.IN_PROGRESS): PartTransition(
        _part_member, _("Acknowledge (签收)")
    ),
    (_P.IN_PROGRESS, _P.SUBMITTED): PartTransition(
        _part_worker, _("Submit to the lead unit"), note_required=True
    ),
    (_P.RETURNED, _P.SUBMITTED): PartTransition(
        _part_worker, _("Resubmit to the lead unit"), note_required=True
    ),
    (_P.SUBMITTED, _P.ACCEPTED): PartTransition(_lead_unit, _("Accept the part")),
    (_P.SUBMITTED, _P.RETURNED): PartTransition(
        _lead_unit, _("Return to the unit"), note_required=True
    ),
}


def part_transition_choices(user, part):
    """[(to_status, PartTransition)] this user may make now, in table order."""
    if part.is_waived:
        return []
    return [
        (to_status, transition)
        for (from_status, to_status), transition in PART_TRANSITIONS.items()
        if from_status == part.status and transition.may(user, part)
    ]


def is_department_head(user, obligation):
    """A head (单位负责人) of the obligation's department."""
    return (
        user.is_authenticated
        and user.is_active
        and obligation.department_id is not None
        and obligation.department_id in _headed_department_ids(user)
    )


def needs_signoff(obligation):
    """Whether the department's head signs its submissions off (单位审核) before
    the supervisors see them (the obligation read with its department)."""
    return obligation.department_id is not None and bool(
        obligation.department.signoff_required
    )


def can_view_schedule(user):
    """The 调度表 and its export: the supervisors' and admins' tool."""
    return can_read_all(user)


def can_chase(user):
    """催办: the supervisors' chase short of a 督办单."""
    return can_review(user)


def can_answer_chase(user, chase):
    """The chased unit's members answer."""
    return (
        user.is_authenticated
        and user.is_active
        and chase.department_id is not None
        and chase.department_id in _department_ids(user)
    )


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
    queryset = Obligation.objects.visible_to(request.user).select_related(
        "report__closed_by", "section", "department", "owner"
    )
    return get_object_or_404(queryset, pk=pk)


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


# --- Status transitions -----------------------------------------------------------


class Transition(NamedTuple):
    """One allowed move of an obligation's status.

    ``may`` says who; ``note_required``, ``evidence_required`` and
    ``rework_required`` (a progress note or evidence added since the obligation was
    returned) are the conditions the transition service checks; ``rating_required``
    marks the one transition that rates the result (结果考评), and only that one
    takes a rating; ``label`` is the button text.
    """

    may: object  # callable (user, obligation) -> bool
    label: str
    note_required: bool = False
    evidence_required: bool = False
    rework_required: bool = False
    rating_required: bool = False
    # Every co-operating unit's part accepted or waived (the lead's submission).
    parts_required: bool = False
    # None: always; True: only where the department signs off (单位审核);
    # False: only where it does not.
    signoff: bool | None = None

    def applies(self, obligation):
        return self.signoff is None or self.signoff == needs_signoff(obligation)


def _worker(user, obligation):
    return can_work_on(user, obligation)


def _reviewer(user, obligation):
    return can_review(user)


def _head(user, obligation):
    return is_admin(user) or is_department_head(user, obligation)


_S = Obligation.Status

# The allowed-transitions table: anything not listed is refused.
TRANSITIONS = {
    (_S.NOT_STARTED, _S.IN_PROGRESS): Transition(_worker, _("Start work")),
    (_S.RETURNED, _S.IN_PROGRESS): Transition(_worker, _("Resume work")),
    (_S.IN_PROGRESS, _S.SUBMITTED): Transition(
        _worker,
        _("Submit for review"),
        note_required=True,
        evidence_required=True,
        parts_required=True,
        signoff=False,
    ),
    # 返回修改后重新提交: once the rework is on the record, no detour through
    # "in progress".
    (_S.RETURNED, _S.SUBMITTED): Transition(
        _worker,
        _("Resubmit for review"),
        note_required=True,
        evidence_required=True,
        rework_required=True,
        parts_required=True,
        signoff=False,
    ),
    # 单位审核: where the department requires it, its head sees the submission
    # first and sends it on to the supervisors or back to the staff.
    (_S.IN_PROGRESS, _S.SIGNOFF): Transition(
        _worker,
        _("Submit for the head's sign-off"),
        note_required=True,
        evidence_required=True,
        parts_required=True,
        signoff=True,
    ),
    (_S.RETURNED, _S.SIGNOFF): Transition(
        _worker,
        _("Resubmit for the head's sign-off"),
        note_required=True,
        evidence_required=True,
        rework_required=True,
        parts_required=True,
        signoff=True,
    ),
    # Always applies: what waits for a head when the admin turns sign-off off
    # is still signed off or returned.
    (_S.SIGNOFF, _S.SUBMITTED): Transition(_head, _("Sign off and submit for review")),
    (_S.SIGNOFF, _S.RETURNED): Transition(
        _head, _("Return for rework"), note_required=True
    ),
    (_S.SUBMITTED, _S.DONE): Transition(_reviewer, _("Approve"), rating_required=True),
    (_S.SUBMITTED, _S.RETURNED): Transition(
        _reviewer, _("Return for rework"), note_required=True
    ),
    (_S.DONE, _S.IN_PROGRESS): Transition(_reviewer, _("Reopen"), note_required=True),
}


def allowed_transitions(user, obligation):
    """The target statuses this user may move the obligation to now, in table order
    (the templates show one button per entry)."""
    return [
        to_status
        for (from_status, to_status), transition in TRANSITIONS.items()
        if from_status == obligation.status
        and transition.applies(obligation)
        and transition.may(user, obligation)
        and acts_in_obligation(user, obligation)
    ]


class TransitionChoice(NamedTuple):
    """One button of the status form. ``checklist`` is [(requirement, met)] for a
    transition with conditions (``met`` is None for the note, typed in the same
    form); ``blocked`` when a requirement that can be checked beforehand is not
    met, so the button is disabled and the checklist says why."""

    value: str
    label: str
    note_required: bool
    checklist: list
    blocked: bool
    rating_required: bool = False


def transition_checklist(transition, *, has_evidence, reworked, parts_settled=True):
    """What ``transition`` needs, each with whether the obligation has it, in the
    words of the status form: shown before the click, not after a refusal."""
    items = []
    if transition.evidence_required:
        items.append((_("At least one evidence file is uploaded."), has_evidence))
    if transition.rework_required:
        items.append(
            (
                _("A progress note or an evidence file was added since the return."),
                reworked,
            )
        )
    if transition.parts_required and not parts_settled:
        items.append(
            (
                _("Every co-operating unit's part is accepted or waived."),
                parts_settled,
            )
        )
    if transition.note_required and transition.evidence_required:
        items.append((_("The note says what was done."), None))
    return items


def transition_choices(
    user, obligation, *, has_evidence=False, reworked=False, parts_settled=True
):
    """A ``TransitionChoice`` for each allowed transition: what a template needs to
    draw the buttons and the checklist of what submitting needs."""
    choices = []
    for to_status in allowed_transitions(user, obligation):
        transition = TRANSITIONS[(obligation.status, to_status)]
        checklist = transition_checklist(
            transition,
            has_evidence=has_evidence,
            reworked=reworked,
            parts_settled=parts_settled,
        )
        choices.append(
            TransitionChoice(
                value=to_status,
                label=transition.label,
                note_required=transition.note_required,
                checklist=checklist,
                blocked=any(met is False for _text, met in checklist),
                rating_required=transition.rating_required,
            )
        )
    return choices


# --- People and departments named in the record ------------------------------------


def can_delete_user(account):
    """Only an account the record never names: no history row, timeline entry or
    evidence by them, and no obligation they are or were responsible for. Anyone
    else is deactivated instead, so the record keeps saying who did what."""
    return not (
        Obligation.history.filter(Q(history_user=account) | Q(owner=account)).exists()
        or Evidence.history.filter(history_user=account).exists()
        or ProgressUpdate.objects.filter(author=account).exists()
        or Evidence.objects.filter(
            Q(uploaded_by=account) | Q(withdrawn_by=account)
        ).exists()
        or Obligation.objects.filter(owner=account).exists()
        or Report.objects.filter(closed_by=account).exists()
        or ReportEvent.objects.filter(user=account).exists()
    )


def can_delete_department(department):
    """Only a department no obligation is or was assigned to (history included)."""
    return not (
        Obligation.objects.filter(department=department).exists()
        or Obligation.history.filter(department=department).exists()
        or Part.objects.filter(department=department).exists()
    )


# The kinds of organization that supervise others below them (the city's 依法治市办).
SUPERVISING_KINDS = ("province", "city")


def can_view_organizations(user, organization):
    """The city's pages (/organizations/, their ranking and 通报): the
    supervisors and admins of a city or a province (``organization``, the user's),
    or of the whole platform (no organization). A county's own supervisors have
    their department ranking instead. (Leaders join the supervisors here.)"""
    if not can_review(user):
        return False
    if organization is None:
        return _organization(user)[0] is None
    return organization.kind in SUPERVISING_KINDS


def can_view_ranking(user):
    """The department ranking (考核排名) and its exports: the reviewers' tool, like
    the notice register."""
    return can_read_all(user)


def can_set_assessment_weights(user):
    """The weights of the ranking's score are set by an administrator."""
    return is_admin(user)


def can_edit_thesaurus(user):
    """The thesaurus the suggestions use is extended by an administrator."""
    return is_admin(user)


def can_import_accounts(user):
    """The admin's account import (the accounts sheet): whoever may add users."""
    return user.is_active and user.has_perm("auth.add_user")


def can_import_report(user):
    """The admin's "Import a report" page: whoever may add reports (superusers)."""
    return user.is_active and user.has_perm("tracker.add_report")
