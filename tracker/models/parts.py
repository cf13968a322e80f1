"""Parts (分办事项): what a co-operating unit (配合单位) does of an item whose lead
unit (牵头单位) is the obligation's department.

A part has its own person, due date, status, notes and timeline (timeline entries
of the obligation that name the part). The co-operating unit acknowledges (签收) and
submits it to the lead unit, which accepts it or returns it with a reason; the lead
unit submits the item itself only once every part is settled: accepted, or waived
by a supervisor with a reason (``Part.is_settled``, ``PartQuerySet.unsettled``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .departments import Department
from .obligations import Obligation


def unsettled_q(prefix="") -> Q:
    """Neither accepted by the lead unit nor waived by a supervisor."""
    return ~Q(**{f"{prefix}status": Part.Status.ACCEPTED}) & Q(
        **{f"{prefix}waived_at__isnull": True}
    )


class PartQuerySet(models.QuerySet):
    def unsettled(self):
        """What still stands between the lead unit and its submission."""
        return self.filter(unsettled_q())

    def of_user_departments(self, user):
        """The parts a staff member works on: their units' and those they own."""
        return self.filter(Q(department__members=user) | Q(owner=user)).distinct()


class Part(models.Model):
    class Status(models.TextChoices):
        NOT_ACKNOWLEDGED = "not_acknowledged", _("Not acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted to the lead unit")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Completed")

    obligation = models.ForeignKey(
        Obligation, models.PROTECT, related_name="parts", verbose_name=_("obligation")
    )
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        related_name="parts",
        verbose_name=_("co-operating unit"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_parts",
        verbose_name=_("responsible person"),
    )
    # The item's due date when the part is given, unless another is set.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_ACKNOWLEDGED,
        db_index=True,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True
    )
    # 免于配合: a supervisor lets the lead unit submit without this part.
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("waived by"),
    )
    waiver_reason = models.TextField(_("reason for the waiver"), blank=True)
    # Optimistic locking, as on the obligation (services.parts._lock_part).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = PartQuerySet.as_manager()

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["obligation", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "department"], name="part_unique_unit"
            )
        ]
        indexes = [
            # /my/ of a co-operating unit: its parts by status.
            models.Index(fields=["department", "status"], name="part_dept_status_idx"),
        ]

    def __str__(self):
        return f"{self.obligation.code} · {self.department.name}"

    def get_absolute_url(self):
        return self.obligation.get_absolute_url() + f"#part-{self.pk}"

    @property
    def is_waived(self):
        return self.waived_at is not None

    @property
    def is_settled(self):
        return self.status == self.Status.ACCEPTED or self.is_waived
