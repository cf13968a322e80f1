"""Extension requests and the timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .evidence import Evidence
from .obligations import Obligation
from .parts import Part


class ExtensionRequest(models.Model):
    """A request for a later due date (延期申请) by the working staff, decided by a
    supervisor. At most one is pending per obligation (a partial unique index)."""

    class Status(models.TextChoices):
        # A context of their own: "Pending" is also an email waiting to be sent.
        PENDING = "pending", pgettext_lazy("extension request", "Pending")
        APPROVED = "approved", pgettext_lazy("extension request", "Approved")
        REFUSED = "refused", pgettext_lazy("extension request", "Refused")

    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="extension_requests",
        verbose_name=_("obligation"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The due date when the request was made, to show what it asked to move.
    previous_due_date = models.DateField(_("due date when requested"))
    requested_due_date = models.DateField(_("requested due date"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two staff members asking at once must not both get a pending request.
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_obligation",
            )
        ]
        indexes = [
            # The supervisors' "pending extension requests", oldest first.
            models.Index(fields=["status", "created_at"], name="ext_status_created_idx")
        ]

    def __str__(self):
        return f"{self.obligation_id} → {self.requested_due_date.isoformat()}"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


class ProtectedTimelineError(Exception):
    pass


class ProgressUpdateQuerySet(models.QuerySet):
    def delete(self):
        raise ProtectedTimelineError(_("Timeline entries cannot be deleted."))

    def open_returns(self):
        """Returns for rework (→ returned) not followed by a resubmission: what the
        staff are reworking for. An obligation's latest one (highest pk) is the
        reason shown on its page and on /my/ until it is submitted again."""
        resubmitted = self.model.objects.filter(
            obligation=OuterRef("obligation"),
            to_status=Obligation.Status.SUBMITTED,
            pk__gt=OuterRef("pk"),
        )
        return self.filter(
            action=ProgressUpdate.Action.STATUS, to_status=Obligation.Status.RETURNED
        ).filter(~Exists(resubmitted))

    def reworked_since_return(self, obligation) -> bool:
        """Whether a progress note or an evidence file was added after the
        obligation's open return: what a resubmission in one step needs. (With no
        return on the timeline, a status set by other means, any note or file
        counts.) One query."""
        last_return = (
            self.model.objects.open_returns()
            .filter(obligation=obligation)
            .order_by("-pk")
            .values("pk")[:1]
        )
        return self.filter(
            obligation=obligation,
            action__in=(
                ProgressUpdate.Action.COMMENT,
                ProgressUpdate.Action.EVIDENCE_UPLOAD,
            ),
            pk__gt=Coalesce(Subquery(last_return), 0),
        ).exists()


class ProgressUpdate(models.Model):
    """The human timeline of an obligation: append-only."""

    class Action(models.TextChoices):
        COMMENT = "comment", _("Progress update")
        STATUS = "status", _("Status change")
        EVIDENCE_UPLOAD = "evidence_upload", _("Evidence uploaded")
        EVIDENCE_WITHDRAW = "evidence_withdraw", _("Evidence withdrawn")
        SUPERVISION = "supervision", _("Supervision level")
        ASSIGN = "assign", _("Assignment")
        IMPORT = "import", _("Import")
        NOTICE_REPLY = "notice_reply", _("Reply to a supervision notice")
        EDIT = "edit", _("Text edited")
        LINKS = "links", _("Links to problems")
        ACKNOWLEDGE = "acknowledge", _("Acknowledged")
        EXTENSION = "extension", _("Extension request")
        FOLLOW_UP = "follow_up", _("Follow-up across years")
        PART = "part", _("Co-operating unit's part")
        SIGNOFF = "signoff", _("Head's sign-off")
        CHASE = "chase", _("Chase (催办)")
        PROGRESS_REPORT = "progress_report", _("Progress report (调度)")
        CARRY_OVER = "carry_over", _("Carried over (结转)")
        REPORT_WORDING = "report_wording", _("Report wording (报告用语)")
        INSTRUCTION = "instruction", _("Leader's instruction (批示)")
        NOTICE_SIGNED = "notice_signed", _("Supervision notice signed")

    # No index of its own: upd_obl_timeline_idx (Meta) starts with it, so every
    # lookup by obligation reads the timeline's index, already in the page's order.
    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="updates",
        verbose_name=_("obligation"),
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    action = models.CharField(
        _("action"), max_length=20, choices=Action.choices, default=Action.COMMENT
    )
    text = models.TextField(_("text"), blank=True)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=Obligation.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=Obligation.Status.choices, blank=True
    )
    evidence = models.ForeignKey(
        Evidence,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence"),
    )
    # Entries of a co-operating unit's part: the part's own timeline.
    part = models.ForeignKey(
        Part,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("part"),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, db_index=True
    )

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # An obligation's timeline in the page's order (Meta.ordering, the pk
            # breaking ties between entries of the same instant): read from the
            # index in order, no sort, however many entries the table holds.
            models.Index(
                fields=["obligation", "-created_at", "-id"],
                name="upd_obl_timeline_idx",
            ),
            # The completion chart's, when it read the "done" entries of the
            # timeline on every request; it reads StatusSnapshot now, and a later
            # migration may drop this index.
            models.Index(
                fields=["to_status", "obligation", "created_at"], name="upd_done_idx"
            ),
        ]

    def __str__(self):
        return f"{self.obligation.code} {self.get_action_display()}"

    def delete(self, *args, **kwargs):
        raise ProtectedTimelineError(_("Timeline entries cannot be deleted."))
