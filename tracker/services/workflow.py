"""An obligation's work: status transitions and review ratings, assignment, edits,
links, progress notes, 签收 and extension requests.
"""

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import dates, permissions, workdays
from ..models import (
    Department,
    ExtensionRequest,
    Notification,
    Obligation,
    ProgressUpdate,
    display_name,
)
from ..notifications.events import (
    announce,
    announce_assignment,
    announce_extension_decision,
    announce_transition,
)
from ..recording import (
    change_line,
    display_value,
    in_record_language,
    obligation_name,
    rating_record,
    record_text,
    wording_record,
)
from .common import (
    UNSET,
    ServiceError,
    lock_obligation,
    lock_open_obligation,
    log_action,
    refuse_other_organization,
    refuse_unless,
    save_versioned,
    sync_saved,
    typed_text,
)

# 考评意见: room for a real explanation; a pasted document is refused.
RATING_COMMENT_MAX_LENGTH = 2000
# 报告用语: one or two sentences of next year's report.
REPORT_WORDING_MAX_LENGTH = 500
REPORT_WORDING_TOO_LONG = _(
    "The report wording is too long: at most %(max)d characters (one or two sentences)."
)
# The ratings that must say why (一般, 较差).
RATINGS_NEEDING_COMMENT = (Obligation.Rating.FAIR, Obligation.Rating.POOR)


def _check_rating(transition, *, rating, comment):
    """Refuse a rating where the transition takes none, and an approval whose
    rating is missing, unknown, unexplained (fair, poor) or explained at length."""
    if not transition.rating_required:
        if rating or comment:
            raise ServiceError(
                _(
                    "A rating is given only when approving; nothing was saved. "
                    "Clear the rating to do this."
                )
            )
        return
    if not rating:
        raise ServiceError(
            _("Rate the result (excellent, good, fair or poor) to approve it.")
        )
    if rating not in Obligation.Rating.values:
        raise ServiceError(_("Unknown rating: %(rating)s.") % {"rating": rating})
    if len(comment) > RATING_COMMENT_MAX_LENGTH:
        raise ServiceError(
            _(
                "The rating comment is too long: at most %(max)d characters "
                "(it has %(length)d)."
            )
            % {"max": RATING_COMMENT_MAX_LENGTH, "length": len(comment)}
        )
    if rating in RATINGS_NEEDING_COMMENT and not comment:
        raise ServiceError(
            _("Say in the rating comment why the result is “%(rating)s”.")
            % {"rating": Obligation.Rating(rating).label}
        )


@transaction.atomic
def obligation_transition(
    *,
    obligation,
    user,
    to_status: str,
    note: str = "",
    version: int | None = None,
    rating: str = "",
    rating_comment: str = "",
    report_wording: str = "",
) -> Obligation:
    """Move an obligation along the allowed-transitions table
    (``permissions.TRANSITIONS``): start, submit for review, approve, return, reopen.

    Approving rates the result (``rating``, with ``rating_comment``, required for
    fair and poor); no other transition takes a rating. Leaving "done" (reopening)
    clears the rating: the history keeps it and the timeline says so.

    Approving also keeps ``report_wording`` (报告用语) when given: the words next
    year's draft uses for the item. Other transitions ignore it (the form offers
    it prefilled next to every button), and an empty one leaves what was there.
    """
    note = (note or "").strip()
    report_wording = typed_text(
        report_wording,
        max_length=REPORT_WORDING_MAX_LENGTH,
        too_long=REPORT_WORDING_TOO_LONG,
    )
    rating = rating or ""
    rating_comment = typed_text(rating_comment)
    if to_status not in Obligation.Status.values:
        raise ServiceError(_("Unknown status: %(status)s.") % {"status": to_status})
    current = lock_obligation(obligation, version=version)
    from_status = current.status
    transition = permissions.TRANSITIONS.get((from_status, to_status))
    if transition is None:
        # Someone with no role on this obligation gets a 403 whatever they ask for.
        refuse_unless(
            permissions.can_work_on(user, current)
            or permissions.can_review(user)
            or permissions.is_department_head(user, current)
        )
        raise ServiceError(
            _("An obligation that is “%(from)s” cannot be moved to “%(to)s”.")
            % {
                "from": Obligation.Status(from_status).label,
                "to": Obligation.Status(to_status).label,
            }
        )
    if not transition.applies(current):
        # Staff of a unit with sign-off asking for review directly, or the other
        # way round (a form from before the admin changed the setting).
        refuse_unless(permissions.can_work_on(user, current))
        if transition.signoff:
            raise ServiceError(
                _(
                    "%(department)s does not require its head's sign-off: submit "
                    "for review instead."
                )
                % {"department": current.department}
            )
        raise ServiceError(
            _(
                "%(department)s requires its head's sign-off (单位审核): submit for "
                "the head's sign-off instead; nothing was changed."
            )
            % {"department": current.department}
        )
    refuse_unless(transition.may(user, current))
    _check_rating(transition, rating=rating, comment=rating_comment)
    if transition.note_required and not note:
        if to_status == Obligation.Status.SUBMITTED:
            raise ServiceError(_("Describe what was done when submitting for review."))
        raise ServiceError(_("A reason is required."))
    if (
        transition.evidence_required
        and not current.evidence.filter(
            withdrawn_at__isnull=True, part__isnull=True
        ).exists()
    ):
        raise ServiceError(
            _("Upload at least one piece of evidence before submitting for review.")
        )
    if transition.parts_required:
        open_parts = list(
            current.parts.unsettled()
            .select_related("department")
            .order_by("department__name")
        )
        if open_parts:
            raise ServiceError(
                _(
                    "The parts of %(units)s are not accepted yet; nothing was "
                    "changed. Accept each part, or ask a supervisor to waive it, "
                    "before submitting."
                )
                % {"units": "、".join(part.department.name for part in open_parts)}
            )
    if transition.rework_required and not ProgressUpdate.objects.reworked_since_return(
        current
    ):
        raise ServiceError(
            _(
                "Post a progress note or upload evidence about the rework before "
                "resubmitting."
            )
        )
    # Whoever starts an obligation nobody is responsible for takes it on, if they
    # may be its responsible person (a member of its department).
    takes_it_on = (
        to_status == Obligation.Status.IN_PROGRESS
        and from_status in (Obligation.Status.NOT_STARTED, Obligation.Status.RETURNED)
        and current.owner_id is None
        and permissions.is_department_member(user, current)
    )

    text = note
    keeps_wording = transition.rating_required and report_wording
    if transition.rating_required:
        text = "\n".join(
            filter(
                None,
                [
                    note,
                    rating_record(rating, rating_comment),
                    wording_record(report_wording) if keeps_wording else "",
                ],
            )
        )
    elif from_status == Obligation.Status.DONE and current.rating:
        cleared = record_text(
            _("The rating “%(rating)s” is cleared (the history keeps it)."),
            rating=Obligation.Rating(current.rating).label,
        )
        text = "\n".join(filter(None, [note, cleared]))

    current.status = to_status
    current.status_changed_at = timezone.now()
    if transition.rating_required or from_status == Obligation.Status.DONE:
        current.rating = rating
        current.rating_comment = rating_comment
    if keeps_wording:
        current.report_wording = report_wording
    if takes_it_on:
        current.owner = user
    save_versioned(current, user=user, reason=transition.label)
    if takes_it_on:
        # Before the status entry, so the timeline (newest first) leads with the
        # status change.
        label = capfirst(Obligation._meta.get_field("owner").verbose_name)
        log_action(
            current,
            user=user,
            action=ProgressUpdate.Action.ASSIGN,
            text=change_line(label, None, user)
            + "\n"
            + in_record_language(_("Started the work and took it on.")),
        )
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.STATUS,
        text=text,
        from_status=from_status,
        to_status=to_status,
    )
    announce_transition(
        current,
        user=user,
        to_status=to_status,
        note=note,
        rating=rating if transition.rating_required else "",
        rating_comment=rating_comment if transition.rating_required else "",
    )
    sync_saved(obligation, current)
    return current


@transaction.atomic
def obligation_assign(
    *,
    obligation,
    user,
    department=UNSET,
    owner=UNSET,
    due_date=UNSET,
    limit_workdays: int | None = None,
    past_allowed: bool = False,
    note: str = "",
    version: int | None = None,
) -> Obligation:
    """Set the responsible department, person and/or due date.

    ``UNSET`` leaves a field alone, ``None`` clears it. Each changed field gets its
    own timeline entry ("Due date: — → 2023-06-30"); nothing changed writes nothing.
    ``limit_workdays`` (限时办结) sets the due date that many working days after
    today instead; the timeline gives both. A new due date may not be in the past,
    unless ``past_allowed`` (code writing history, such as the demo data; no form
    passes it).
    """
    refuse_unless(permissions.can_assign(user))
    note = (note or "").strip()
    if department not in (UNSET, None) and not isinstance(department, Department):
        raise ServiceError(_("Choose a department."))
    current = lock_obligation(obligation, version=version)
    if department is not UNSET:
        refuse_other_organization(current, department)
    today = timezone.localdate()
    if limit_workdays is not None:
        if due_date not in (UNSET, None, current.due_date):
            raise ServiceError(
                _("Give a due date or a limit in working days, not both.")
            )
        if not 1 <= limit_workdays <= workdays.MAX_LIMIT_WORKDAYS:
            raise ServiceError(
                _("A limit is between 1 and %(max)d working days.")
                % {"max": workdays.MAX_LIMIT_WORKDAYS}
            )
        due_date = workdays.add_workdays(today, limit_workdays)
    if due_date not in (UNSET, None) and due_date != current.due_date:
        if due_date < today and not past_allowed:
            raise ServiceError(
                _("The due date %(date)s is in the past.")
                % {"date": due_date.isoformat()}
            )
        refusal = dates.out_of_window(due_date, year=current.report.year)
        if refusal is not None:
            raise ServiceError(refusal)
    reassigned = department is not UNSET and department != current.department
    requested = {"department": department, "owner": owner, "due_date": due_date}
    changes = []
    changed = set()
    for name in Obligation.ASSIGNABLE_FIELDS:
        new = requested[name]
        if new is UNSET:
            continue
        old = getattr(current, name)
        if old == new:
            continue
        if (
            name in ("department", "owner")
            and new is not None
            # The stored flag: the caller's instance may predate a deactivation.
            and not type(new).objects.filter(pk=new.pk, is_active=True).exists()
        ):
            raise ServiceError(
                _("“%(name)s” is deactivated and cannot be assigned.")
                % {"name": display_value(new)}
            )
        label = capfirst(Obligation._meta.get_field(name).verbose_name)
        if name == "due_date" and limit_workdays is not None:
            # The record keeps the limit as given, next to the date it gave.
            with translation.override(settings.LANGUAGE_CODE):
                new_shown = ngettext(
                    "%(date)s (%(count)d working day)",
                    "%(date)s (%(count)d working days)",
                    limit_workdays,
                ) % {"date": new.isoformat(), "count": limit_workdays}
            changes.append((label, old, new_shown))
        else:
            changes.append((label, old, new))
        changed.add(name)
        setattr(current, name, new)
    if not changes:
        sync_saved(obligation, current)
        return current
    if changed & {"department", "owner"}:
        _refuse_owner_outside_department(current)

    if reassigned:
        # A newly responsible department acknowledges (签收) the obligation itself;
        # the previous department's acknowledgement does not carry over.
        current.department_assigned_at = timezone.now() if department else None
        current.acknowledged_at = None
        current.acknowledged_by = None
    save_versioned(current, user=user, reason=in_record_language(_("Assignment")))
    for label, old, new in changes:
        text = change_line(label, old, new)
        if note:
            text = f"{text}\n{note}"
        log_action(current, user=user, action=ProgressUpdate.Action.ASSIGN, text=text)
    announce_assignment(current, user=user, changed=changed, changes=changes)
    sync_saved(obligation, current)
    return current


def _refuse_owner_outside_department(obligation):
    """The responsible person answers for the responsible department's work, so
    they must be one of its members: not another department's staff, not an
    admin. Checked whenever either of the two changes, on the values the
    assignment would leave."""
    owner, department = obligation.owner, obligation.department
    if owner is None:
        return
    if department is None:
        raise ServiceError(
            _("Choose a responsible department before a responsible person.")
        )
    if not department.members.filter(pk=owner.pk).exists():
        raise ServiceError(
            _(
                "%(person)s is not a member of %(department)s; choose one of its "
                "members as the responsible person."
            )
            % {"person": display_value(owner), "department": department.name}
        )


@transaction.atomic
def obligation_edit(
    *,
    obligation,
    user,
    title: str,
    body: str,
    note: str = "",
    version: int | None = None,
) -> Obligation:
    """Correct an obligation's title and text (an admin's job; a re-import is the
    usual way the text changes). One timeline entry says what changed, the history
    row keeps the previous text; nothing changed writes nothing."""
    refuse_unless(permissions.can_edit_obligation(user))
    note = (note or "").strip()
    if not (title or "").strip() or not (body or "").strip():
        raise ServiceError(_("The title and the text cannot be empty."))
    current = lock_obligation(obligation, version=version)
    lines = []
    if current.title != title:
        lines.append(change_line(_("Title"), current.title, title))
    if current.body != body:
        # The text is too long for "old → new"; the history row holds the old one.
        lines.append(
            in_record_language(_("Text changed; the previous text is in the history."))
        )
    if not lines:
        sync_saved(obligation, current)
        return current
    current.title = title
    current.body = body
    save_versioned(current, user=user, reason=in_record_language(_("Text edited")))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.EDIT,
        text="\n".join([*lines, note] if note else lines),
    )
    sync_saved(obligation, current)
    return current


def _codes(obligations):
    return ", ".join(o.code for o in sorted(obligations, key=lambda o: o.position))


@transaction.atomic
def obligation_set_addresses(
    *,
    obligation,
    user,
    problems,
    note: str = "",
    version: int | None = None,
) -> Obligation:
    """Set the problems of its report that a next-year task addresses, replacing the
    current links. The timeline entry lists the codes before and after; the history
    row (a version bump) records who and when, since the history does not follow
    many-to-many links itself."""
    refuse_unless(permissions.can_edit_obligation(user))
    current = lock_obligation(obligation, version=version)
    return _set_addresses(
        obligation, current, user=user, problems=list(problems), note=note
    )


@transaction.atomic
def obligation_confirm_link(
    *, obligation, user, problem, version: int | None = None
) -> Obligation:
    """Confirm a suggested link (``importing.similarity``): the task now addresses
    ``problem`` as well. Suggestions are only ever offered; this is how one becomes a
    link, by a supervisor or an admin, recorded like ``obligation_set_addresses``
    with "suggested link confirmed" on the timeline."""
    refuse_unless(permissions.can_confirm_links(user))
    current = lock_obligation(obligation, version=version)
    linked = list(current.addresses.all())
    if problem.pk in {each.pk for each in linked}:
        raise ServiceError(
            _("%(code)s is already linked to this task.") % {"code": problem.code}
        )
    return _set_addresses(
        obligation,
        current,
        user=user,
        problems=[*linked, problem],
        note=in_record_language(_("Suggested link confirmed.")),
    )


def _set_addresses(obligation, current, *, user, problems, note):
    """Replace the locked task's links with ``problems``; the timeline entry lists
    the codes before and after."""
    note = (note or "").strip()
    if problems and current.kind != Obligation.Kind.TASK:
        raise ServiceError(_("Only a next-year task addresses problems."))
    for problem in problems:
        if (
            problem.kind != Obligation.Kind.PROBLEM
            or problem.report_id != current.report_id
        ):
            raise ServiceError(
                _("%(code)s is not a problem of this report.") % {"code": problem.code}
            )
    old = list(current.addresses.all())
    if {o.pk for o in old} == {p.pk for p in problems}:
        sync_saved(obligation, current)
        return current
    current.addresses.set(problems)
    save_versioned(
        current, user=user, reason=in_record_language(_("Links to problems"))
    )
    text = change_line(_("Addresses problems"), _codes(old), _codes(problems))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.LINKS,
        text=f"{text}\n{note}" if note else text,
    )
    sync_saved(obligation, current)
    return current


@transaction.atomic
def obligation_add_note(*, obligation, user, text: str) -> ProgressUpdate:
    """A progress note from the working staff. It changes no field of the
    obligation, so the timeline entry is the whole record."""
    refuse_unless(permissions.can_work_on(user, obligation))
    lock_open_obligation(obligation)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write the progress update first."))
    return log_action(
        obligation, user=user, action=ProgressUpdate.Action.COMMENT, text=text
    )


@transaction.atomic
def obligation_acknowledge(*, obligation, user, version: int | None) -> Obligation:
    """签收: a member of the responsible department confirms the department has
    received the assignment. Recorded on the obligation and in the timeline."""
    current = lock_obligation(obligation, version=version)
    refuse_unless(permissions.can_acknowledge(user, current))
    refusal = permissions.acknowledgement_refusal(current)
    if refusal is not None:
        raise ServiceError(refusal)
    current.acknowledged_at = timezone.now()
    current.acknowledged_by = user
    save_versioned(current, user=user, reason=in_record_language(_("Acknowledged")))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.ACKNOWLEDGE,
        text=in_record_language(
            _("Acknowledged for %(department)s.") % {"department": current.department}
        ),
    )
    sync_saved(obligation, current)
    return current


@transaction.atomic
def extension_request(
    *,
    obligation,
    user,
    requested_due_date: date,
    reason: str,
    version: int | None = None,
) -> ExtensionRequest:
    """延期申请: the working staff ask for a later due date, with a reason. A
    supervisor decides (``extension_decide``); one request is pending at a time."""
    reason = (reason or "").strip()
    current = lock_obligation(obligation, version=version)
    refuse_unless(permissions.can_work_on(user, current))
    if not reason:
        raise ServiceError(_("A reason is required."))
    # The obligation's row lock serialises requests for it; the partial unique
    # index is the last word if anything gets past this check.
    refusal = permissions.extension_request_refusal(
        current,
        has_pending_request=current.extension_requests.filter(
            status=ExtensionRequest.Status.PENDING
        ).exists(),
    )
    if refusal is not None:
        raise ServiceError(refusal)
    if requested_due_date <= current.due_date:
        raise ServiceError(
            _("Ask for a date later than the current due date (%(due)s).")
            % {"due": current.due_date.isoformat()}
        )
    if requested_due_date < timezone.localdate():
        raise ServiceError(_("The requested due date is in the past."))
    refusal = dates.out_of_window(requested_due_date, year=current.report.year)
    if refusal is not None:
        raise ServiceError(refusal)
    extension = ExtensionRequest(
        obligation=current,
        requested_by=user,
        previous_due_date=current.due_date,
        requested_due_date=requested_due_date,
        reason=reason,
    )
    extension._history_user = user
    try:
        with transaction.atomic():
            extension.save()
    except IntegrityError:
        raise ServiceError(
            _("An extension request is already pending for this obligation.")
        ) from None
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.EXTENSION,
        text=in_record_language(
            _("Extension requested: due date %(old)s → %(new)s")
            % {
                "old": current.due_date.isoformat(),
                "new": requested_due_date.isoformat(),
            }
        )
        + f"\n{reason}",
    )
    announce(
        Notification.Kind.EXTENSION_REQUESTED,
        current,
        actor=user,
        text=record_text(
            _(
                "%(user)s asks to extend “%(obligation)s” from %(old)s to %(new)s: "
                "%(reason)s"
            ),
            user=display_name(user),
            obligation=obligation_name(current),
            old=current.due_date.isoformat(),
            new=requested_due_date.isoformat(),
            reason=reason,
        ),
    )
    return extension


@transaction.atomic
def extension_decide(
    *,
    extension,
    user,
    approve: bool,
    reason: str = "",
    version: int | None = None,
) -> ExtensionRequest:
    """A supervisor approves an extension request (the due date moves through
    ``obligation_assign``, which writes its timeline entry) or refuses it with a
    reason. ``version`` is the obligation's, as on every form of its page."""
    refuse_unless(permissions.can_review(user))
    reason = (reason or "").strip()
    current = lock_obligation(extension.obligation, version=version)
    pending = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if not pending.is_pending:
        raise ServiceError(_("This extension request has already been decided."))
    if not approve and not reason:
        raise ServiceError(_("A reason is required to refuse a request."))
    if approve:
        if pending.requested_due_date < timezone.localdate():
            raise ServiceError(
                _(
                    "The requested date has passed; refuse the request and assign "
                    "a new due date instead."
                )
            )
        if current.due_date and pending.requested_due_date <= current.due_date:
            raise ServiceError(
                _(
                    "The requested date is no longer later than the due date "
                    "(%(due)s); refuse the request instead."
                )
                % {"due": current.due_date.isoformat()}
            )
    pending.status = (
        ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    )
    pending.decided_by = user
    pending.decided_at = timezone.now()
    pending.decision_reason = reason
    pending._history_user = user
    pending.save()
    requester = display_value(pending.requested_by)
    if approve:
        note = in_record_language(
            _("Extension request of %(who)s approved.") % {"who": requester}
        )
        obligation_assign(
            obligation=current,
            user=user,
            due_date=pending.requested_due_date,
            note=f"{note}\n{reason}" if reason else note,
            version=None,
        )
    else:
        log_action(
            current,
            user=user,
            action=ProgressUpdate.Action.EXTENSION,
            text=in_record_language(
                _("Extension request of %(who)s to %(date)s refused.")
                % {"who": requester, "date": pending.requested_due_date.isoformat()}
            )
            + f"\n{reason}",
        )
    announce_extension_decision(current, pending, user=user)
    sync_saved(extension.obligation, current)
    sync_saved(extension, pending)
    return pending
