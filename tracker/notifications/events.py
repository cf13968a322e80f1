"""The one entry point services call to tell people of a change (``notify``), the
announcements of each kind of change, and ``email`` for a mail that is no event
(a password-reset link)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    Department,
    ExtensionRequest,
    Notification,
    Obligation,
    OutboundMessage,
    display_name,
)
from ..recording import change_line, obligation_name, rating_record, record_text
from .audience import Mode, audience, email_modes, unit_people
from .outbox import enqueue, mentions_for
from .texts import email_body, email_subject, webhook_text


@transaction.atomic
def notify(
    *,
    recipients,
    obligation: Obligation | None,
    kind: str,
    text: str,
    department: Department | None = None,
    email: bool = True,
    organization_supervision=None,
) -> list[Notification]:
    """Tell ``recipients`` (users) about a change: an inbox row each, and the email
    each of them chose; and post it to ``department``'s group chat if it has one.

    Call it inside the transaction of the change it reports: the inbox rows and the
    outbox commit or roll back with the change, and nothing is sent before the
    commit (``notifications.outbox.enqueue`` hands the outbox to the worker
    then). Who hears about what is decided by
    ``notifications.audience.audience``. ``email=False`` writes the inbox and the
    group chat only, for callers that mail the content themselves in one digest
    (``notifications.digests.send_digest``), as the daily reminders do.
    ``organization_supervision``: a city's 催办 or 督办单 to a county, which the
    notification then opens instead of an item.
    """
    unique = {user.pk: user for user in recipients}
    users = list(unique.values())
    now = timezone.now()
    modes = email_modes(users) if email else {}
    mode = Mode
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            obligation=obligation,
            organization_supervision=organization_supervision,
            kind=kind,
            text=text,
            created_at=now,
            digest_pending=modes.get(user.pk) == mode.DAILY_DIGEST,
        )
        for user in users
    )
    outbox = [
        OutboundMessage(
            channel=OutboundMessage.Channel.EMAIL,
            recipient=user,
            subject=email_subject(kind, obligation),
            body=email_body(text, obligation or organization_supervision),
            created_at=now,
        )
        for user in users
        if modes.get(user.pk) == mode.EVERY_EVENT
    ]
    if department is not None and department.webhook_url:
        outbox.append(
            OutboundMessage(
                channel=OutboundMessage.Channel.WEBHOOK,
                department=department,
                body=webhook_text(kind, text, obligation),
                mentions=mentions_for(obligation),
                created_at=now,
            )
        )
    enqueue(outbox)
    return rows


def email(*, recipient, subject: str, body: str) -> OutboundMessage:
    """One email to one person that is no event of an obligation (a password-reset
    link): through the outbox like every other mail, sent after the commit and
    retried when the server fails. Call it inside the caller's transaction."""
    (message,) = enqueue(
        [
            OutboundMessage(
                channel=OutboundMessage.Channel.EMAIL,
                recipient=recipient,
                subject=subject,
                body=body,
                created_at=timezone.now(),
            )
        ]
    )
    return message


def announce(kind, obligation, *, actor, text, recipients=None):
    """``notify`` the audience of ``kind`` (``notifications.audience.audience``)."""
    users, department = audience(kind, obligation, actor=actor)
    if recipients is not None:
        users, department = recipients, None
    notify(
        recipients=users,
        obligation=obligation,
        kind=kind,
        text=text,
        department=department,
    )


_TRANSITION_NOTICES = {
    Obligation.Status.SIGNOFF: (
        Notification.Kind.SIGNOFF,
        _("%(user)s submitted “%(obligation)s” for your sign-off: %(note)s"),
    ),
    Obligation.Status.SUBMITTED: (
        Notification.Kind.SUBMITTED,
        _("%(user)s submitted “%(obligation)s” for review: %(note)s"),
    ),
    Obligation.Status.RETURNED: (
        Notification.Kind.RETURNED,
        _("%(user)s returned “%(obligation)s” for rework. Reason: %(note)s"),
    ),
    Obligation.Status.DONE: (
        Notification.Kind.APPROVED,
        _("%(user)s approved “%(obligation)s”."),
    ),
}


def announce_transition(
    obligation, *, user, to_status, note, rating="", rating_comment=""
):
    if to_status not in _TRANSITION_NOTICES:
        return
    kind, message = _TRANSITION_NOTICES[to_status]
    text = record_text(
        message,
        user=display_name(user),
        obligation=obligation_name(obligation),
        note=note,
    )
    if rating:
        # The department hears its rating with the approval, and why: a 一般 or
        # 较差 rating always has a comment, and the department should not have to
        # open the item to learn what to do better.
        text = f"{text} {rating_record(rating, rating_comment)}"
    announce(kind, obligation, actor=user, text=text)


def announce_supervision(obligation, *, user, level, note, notice):
    text = record_text(
        _(
            "%(user)s raised the supervision of “%(obligation)s” to %(level)s. "
            "Reason: %(reason)s"
        ),
        user=display_name(user),
        obligation=obligation_name(obligation),
        level=Obligation.SupervisionLevel(level).label,
        reason=note,
    )
    if notice is not None:
        text += "\n" + record_text(
            _("Supervision notice %(code)s issued"), code=notice.code
        )
    announce(Notification.Kind.SUPERVISION, obligation, actor=user, text=text)


def announce_extension_decision(obligation, extension, *, user):
    """The department (members, owner, group chat) and the requester, who may be
    neither (an admin asking on the department's behalf)."""
    users, department = audience(
        Notification.Kind.EXTENSION_DECIDED, obligation, actor=user
    )
    requester = extension.requested_by
    if requester.pk != user.pk and requester.is_active:
        users.append(requester)
    if extension.status == ExtensionRequest.Status.APPROVED:
        message = _(
            "%(user)s approved the extension of “%(obligation)s”: the due date is "
            "now %(date)s."
        )
    else:
        message = _(
            "%(user)s refused the extension of “%(obligation)s” to %(date)s: %(reason)s"
        )
    text = record_text(
        message,
        user=display_name(user),
        obligation=obligation_name(obligation),
        date=extension.requested_due_date.isoformat(),
        reason=extension.decision_reason,
    )
    notify(
        recipients=users,
        obligation=obligation,
        kind=Notification.Kind.EXTENSION_DECIDED,
        text=text,
        department=department,
    )


def announce_assignment(obligation, *, user, changed, changes):
    """A new department hears it with the owner (and its group chat); when only
    the owner changed, the new owner alone hears it."""
    if obligation.department_id is not None and "department" in changed:
        recipients = None
    elif obligation.owner_id is not None and "owner" in changed:
        recipients = [obligation.owner] if obligation.owner != user else []
    else:
        return
    text = record_text(
        _("“%(obligation)s” was assigned by %(user)s.\n%(changes)s"),
        obligation=obligation_name(obligation),
        user=display_name(user),
        changes="\n".join(change_line(label, old, new) for label, old, new in changes),
    )
    announce(
        Notification.Kind.ASSIGNED,
        obligation,
        actor=user,
        text=text,
        recipients=recipients,
    )


def announce_carry_over(successor, *, user, previous):
    """结转: the unit (and the responsible person, and its group chat) hears that
    its unfinished item goes on in next year's report, under a new code, as it
    hears of an assignment."""
    if successor.department_id is None and successor.owner_id is None:
        return
    text = record_text(
        _(
            "%(user)s carried “%(previous)s” (%(from_year)d, not finished) over "
            "(结转) into the %(to_year)d report as “%(obligation)s”: the work "
            "goes on there."
        ),
        user=display_name(user),
        previous=obligation_name(previous),
        from_year=previous.report.year,
        to_year=successor.report.year,
        obligation=obligation_name(successor),
    )
    announce(Notification.Kind.ASSIGNED, successor, actor=user, text=text)


def announce_part(part, *, user, text, to_lead_unit: bool):
    """A part's event: the lead unit (the item's workers) hears of a submission;
    the co-operating unit (members, heads, the part's owner) of everything else."""
    obligation = part.obligation
    if to_lead_unit:
        users, department = audience(Notification.Kind.ASSIGNED, obligation)
    else:
        users = list(unit_people(part.department, owner=part.owner))
        department = part.department
    notify(
        recipients=[each for each in users if each.pk != user.pk],
        obligation=obligation,
        kind=Notification.Kind.PART,
        text=text,
        department=department,
    )


def announce_chase(chase, *, user):
    """催办: the chased unit's members and heads (and the responsible person),
    and the unit's group chat."""
    obligation = chase.obligation
    owner = chase.part.owner if chase.part_id else obligation.owner
    users = list(unit_people(chase.department, owner=owner))
    text = record_text(
        _("%(user)s chased (催办) “%(obligation)s” for %(unit)s: %(note)s"),
        user=display_name(user),
        obligation=obligation_name(obligation),
        unit=chase.department.name,
        note=chase.note,
    )
    notify(
        recipients=[each for each in users if each.pk != user.pk],
        obligation=obligation,
        kind=Notification.Kind.CHASED,
        text=text,
        department=chase.department,
    )


def announce_chase_answer(chase, *, user):
    """The supervisor who chased hears the unit's answer."""
    if chase.chased_by_id == user.pk or not chase.chased_by.is_active:
        return
    text = record_text(
        _("%(user)s answered the chase of “%(obligation)s”: %(answer)s"),
        user=display_name(user),
        obligation=obligation_name(chase.obligation),
        answer=chase.answer,
    )
    notify(
        recipients=[chase.chased_by],
        obligation=chase.obligation,
        kind=Notification.Kind.CHASED,
        text=text,
    )


def announce_instruction(instruction, *, user):
    """批示: the addressed unit's members and heads (and the responsible person),
    its group chat, and the supervisors, who follow it up."""
    obligation = instruction.obligation
    users = []
    if instruction.department_id is not None:
        users = list(unit_people(instruction.department, owner=obligation.owner))
    elif obligation.owner_id is not None:
        users = [obligation.owner]
    users += list(permissions.supervisors_of(obligation.report_id))
    text = record_text(
        _("%(user)s wrote an instruction (批示) on “%(obligation)s”: %(text)s"),
        user=display_name(user),
        obligation=obligation_name(obligation),
        text=instruction.text,
    )
    notify(
        recipients=[each for each in users if each.pk != user.pk and each.is_active],
        obligation=obligation,
        kind=Notification.Kind.INSTRUCTION,
        text=text,
        department=instruction.department,
    )


def announce_instruction_reply(instruction, *, user):
    """The leader who wrote the 批示 hears the unit's reply."""
    author = instruction.author
    if author.pk == user.pk or not author.is_active:
        return
    text = record_text(
        _("%(user)s replied to your instruction on “%(obligation)s”: %(text)s"),
        user=display_name(user),
        obligation=obligation_name(instruction.obligation),
        text=instruction.reply,
    )
    notify(
        recipients=[author],
        obligation=instruction.obligation,
        kind=Notification.Kind.INSTRUCTION,
        text=text,
    )


def announce_organization_supervision(supervision, *, user):
    """A city's 催办 or 督办单 to a county: the county's active supervisors and
    leaders (who answer it)."""
    what = supervision.code or supervision.get_kind_display()
    text = record_text(
        _("%(user)s (%(issuer)s) sent %(what)s to %(organization)s: %(note)s"),
        user=display_name(user),
        issuer=supervision.issuer.name if supervision.issuer_id else "",
        what=what,
        organization=supervision.organization.name,
        note=supervision.note,
    )
    notify(
        recipients=[
            each
            for each in permissions.organization_supervisors_and_leaders(
                supervision.organization_id
            )
            if each.pk != user.pk
        ],
        obligation=None,
        organization_supervision=supervision,
        kind=Notification.Kind.ORGANIZATION,
        text=text,
    )


def announce_organization_supervision_answer(supervision, *, user):
    """The one who sent it hears the county's answer."""
    sender = supervision.sent_by
    if sender.pk == user.pk or not sender.is_active:
        return
    text = record_text(
        _("%(organization)s answered %(what)s: %(answer)s"),
        organization=supervision.organization.name,
        what=supervision.code or supervision.get_kind_display(),
        answer=supervision.answer,
    )
    notify(
        recipients=[sender],
        obligation=None,
        organization_supervision=supervision,
        kind=Notification.Kind.ORGANIZATION,
        text=text,
    )
