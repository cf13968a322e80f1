"""Co-operating units' parts (分办事项): giving a unit its part, 签收, submitting it
to the lead unit, the lead unit's acceptance or return, a supervisor's waiver, and
the part's notes. Every entry is on the item's timeline, naming the part.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Department, Part, ProgressUpdate
from ..notifications.events import announce_part
from ..recording import display_value, obligation_name, record_text
from .common import (
    ServiceError,
    lock_obligation,
    lock_open_obligation,
    log_action,
    parse_version,
    refuse_other_organization,
    refuse_unless,
    save_recorded,
    save_versioned,
    sync_saved,
    typed_text,
)


class StalePartError(ServiceError):
    def __init__(self):
        super().__init__(
            _(
                "This part was changed by someone else while you were looking at "
                "it; nothing was saved. Reload the page and try again."
            )
        )


def _lock_part(part, *, version):
    """The item's row lock first (as every write of the item takes it, so a part's
    acceptance and the lead's submission queue), then the part's, and the version
    the user saw."""
    obligation = lock_open_obligation(part.obligation)
    current = (
        Part.objects.select_for_update(of=("self",))
        .select_related("department", "owner")
        .get(pk=part.pk)
    )
    current.obligation = obligation
    version = parse_version(version)
    if version is not None and version != current.version:
        raise StalePartError()
    return current


def _unit_line(part, message, **params):
    return record_text(message, unit=part.department.name, **params)


@transaction.atomic
def part_add(
    *,
    obligation,
    user,
    department,
    owner=None,
    due_date: date | None = None,
    note: str = "",
    version: int | None = None,
) -> Part:
    """Name a co-operating unit (配合单位) of an item: it gets a part, not yet
    acknowledged, due when the item is unless ``due_date`` says otherwise."""
    refuse_unless(permissions.can_add_part(user))
    note = typed_text(note)
    if not isinstance(department, Department):
        raise ServiceError(_("Choose a co-operating unit."))
    current = lock_obligation(obligation, version=version)
    refuse_other_organization(current, department)
    if not Department.objects.filter(pk=department.pk, is_active=True).exists():
        raise ServiceError(
            _("“%(name)s” is deactivated and cannot be assigned.")
            % {"name": department.name}
        )
    if current.department_id is None:
        raise ServiceError(
            _("Assign the lead unit (the responsible department) first.")
        )
    if department.pk == current.department_id:
        raise ServiceError(
            _("%(unit)s is the lead unit of this item; choose another unit.")
            % {"unit": department.name}
        )
    if current.parts.filter(department=department).exists():
        raise ServiceError(
            _("%(unit)s already has a part of this item.") % {"unit": department.name}
        )
    if owner is not None and not department.members.filter(pk=owner.pk).exists():
        raise ServiceError(
            _(
                "%(person)s is not a member of %(department)s; choose one of its "
                "members as the responsible person."
            )
            % {"person": display_value(owner), "department": department.name}
        )
    due_date = due_date or current.due_date
    if due_date is not None and current.due_date and due_date > current.due_date:
        raise ServiceError(
            _("A part is due by the item's due date (%(due)s) at the latest.")
            % {"due": current.due_date.isoformat()}
        )
    part = Part(obligation=current, department=department, owner=owner)
    part.due_date = due_date
    save_recorded(part, user=user, reason=_("Co-operating unit added"))
    text = _unit_line(
        part,
        _("Co-operating unit: %(unit)s (due %(due)s, responsible person: %(who)s)"),
        due=due_date.isoformat() if due_date else "—",
        who=display_value(owner),
    )
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.PART,
        part=part,
        text=f"{text}\n{note}" if note else text,
    )
    announce_part(
        part,
        user=user,
        to_lead_unit=False,
        text=record_text(
            _(
                "%(unit)s has a part of “%(obligation)s” led by %(lead)s: please "
                "acknowledge it (签收)."
            ),
            unit=department.name,
            obligation=obligation_name(current),
            lead=current.department.name,
        ),
    )
    return part


@transaction.atomic
def part_transition(
    *, part, user, to_status: str, note: str = "", version: int | None = None
) -> Part:
    """Move a part along ``permissions.PART_TRANSITIONS``: 签收 by the unit, its
    submission to the lead unit, the lead unit's acceptance or return."""
    note = typed_text(note)
    if to_status not in Part.Status.values:
        raise ServiceError(_("Unknown status: %(status)s.") % {"status": to_status})
    current = _lock_part(part, version=version)
    transition = permissions.PART_TRANSITIONS.get((current.status, to_status))
    if transition is None or current.is_waived:
        refuse_unless(
            permissions.can_work_on_part(user, current)
            or permissions.can_decide_part(user, current)
        )
        if current.is_waived:
            raise ServiceError(_("This part was waived; nothing is left to do."))
        raise ServiceError(
            _("A part that is “%(from)s” cannot be moved to “%(to)s”.")
            % {
                "from": Part.Status(current.status).label,
                "to": Part.Status(to_status).label,
            }
        )
    refuse_unless(transition.may(user, current))
    if transition.note_required and not note:
        if to_status == Part.Status.SUBMITTED:
            raise ServiceError(_("Describe what the unit did when submitting."))
        raise ServiceError(_("A reason is required."))
    from_status = current.status
    now = timezone.now()
    if to_status == Part.Status.IN_PROGRESS and from_status == (
        Part.Status.NOT_ACKNOWLEDGED
    ):
        current.acknowledged_at = now
        current.acknowledged_by = user
    current.status = to_status
    current.status_changed_at = now
    save_versioned(current, user=user, reason=transition.label)
    text = _unit_line(
        current,
        _("Part of %(unit)s: %(from)s → %(to)s"),
        **{
            "from": Part.Status(from_status).label,
            "to": Part.Status(to_status).label,
        },
    )
    log_action(
        current.obligation,
        user=user,
        action=ProgressUpdate.Action.PART,
        part=current,
        text=f"{text}\n{note}" if note else text,
    )
    announce_part(
        current,
        user=user,
        to_lead_unit=to_status in (Part.Status.SUBMITTED, Part.Status.IN_PROGRESS),
        text=f"{obligation_name(current.obligation)}\n{text}"
        + (f"\n{note}" if note else ""),
    )
    sync_saved(part, current)
    return current


@transaction.atomic
def part_waive(*, part, user, reason: str, version: int | None = None) -> Part:
    """A supervisor lets the lead unit submit without this part, with a reason."""
    refuse_unless(permissions.can_waive_part(user))
    reason = typed_text(reason, empty_message=_("A reason is required."))
    current = _lock_part(part, version=version)
    refusal = permissions.part_waiver_refusal(current)
    if refusal is not None:
        raise ServiceError(refusal)
    current.waived_at = timezone.now()
    current.waived_by = user
    current.waiver_reason = reason
    save_versioned(current, user=user, reason=_("Part waived"))
    log_action(
        current.obligation,
        user=user,
        action=ProgressUpdate.Action.PART,
        part=current,
        text=_unit_line(
            current, _("Part of %(unit)s waived: %(reason)s"), reason=reason
        ),
    )
    sync_saved(part, current)
    return current


@transaction.atomic
def part_add_note(*, part, user, text: str) -> ProgressUpdate:
    """A progress note of the co-operating unit on its part."""
    refuse_unless(permissions.can_work_on_part(user, part))
    text = typed_text(text, empty_message=_("Write the progress update first."))
    current = _lock_part(part, version=None)
    return log_action(
        current.obligation,
        user=user,
        action=ProgressUpdate.Action.PART,
        part=current,
        text=f"{current.department.name}: {text}",
    )
