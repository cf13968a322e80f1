"""Who the daily reminders reach: the departments whose open items remind nobody.

5 of the 7 demo departments had no member, so their items reminded nobody and
nothing said so. The dashboard (for admins and supervisors) and ``send_reminders``
name them, from this one query."""

from dataclasses import dataclass

from django.db.models import Count, Q

from ..models import Department, Obligation


@dataclass(frozen=True)
class UnreachableDepartment:
    """A department with open items that no reminder reaches but the inbox, or
    not at all: ``members`` active members, ``with_email`` of them with an
    address, ``has_robot`` whether a group chat robot is set."""

    department: Department
    open_items: int
    members: int
    with_email: int
    has_robot: bool

    @property
    def reaches_nobody(self) -> bool:
        """No member at all: its unowned items' reminders go to nobody (the group
        chat repeats what members are sent, so a robot alone gets nothing)."""
        return self.members == 0


def unreachable_departments(user=None):
    """Departments with open items (not done, in a report not closed) that have no
    active member, or whose members have no email address and which has no group
    chat robot, by name: one query. With ``user``, only the departments of their
    organization and below it (the command's run lists them all)."""
    open_items = Q(obligations__report__closed_at__isnull=True) & ~Q(
        obligations__status=Obligation.Status.DONE
    )
    active = Q(members__is_active=True)
    departments = Department.objects.all()
    if user is not None:
        departments = Department.objects.visible_to(user)
    rows = (
        departments.annotate(
            open_items=Count("obligations", filter=open_items, distinct=True),
            member_count=Count("members", filter=active, distinct=True),
            with_email=Count(
                "members", filter=active & ~Q(members__email=""), distinct=True
            ),
        )
        .filter(open_items__gt=0)
        .filter(Q(member_count=0) | Q(with_email=0, webhook_url=""))
        .order_by("name")
    )
    return [
        UnreachableDepartment(
            department=row,
            open_items=row.open_items,
            members=row.member_count,
            with_email=row.with_email,
            has_robot=bool(row.webhook_url),
        )
        for row in rows
    ]
