"""The inbox, preferences, the outbox, reminder tiers and the reminder log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .departments import Department
from .obligations import Obligation


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message in a person's inbox (通知), written by
    ``notifications.events.notify`` in the transaction of the change it reports.
    Email goes out separately: at once through an ``OutboundMessage``, or in the
    next daily digest (``digest_pending``)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        SUPERVISION = "supervision", _("Supervision raised")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_DECIDED = "extension_decided", _("Extension decided")
        REMINDER = "reminder", _("Reminder")
        PART = "part", _("Co-operating unit's part")
        SIGNOFF = "signoff", _("Awaiting sign-off")
        CHASED = "chased", _("Chased (催办)")
        INSTRUCTION = "instruction", _("Leader's instruction (批示)")
        ORGANIZATION = "organization", _("From the city (催办, 督办单)")

    # Personal messages, not the official record: they go with their recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("obligation"),
    )
    # A city's 催办 or 督办单 to a whole county (no item of it): opening the
    # notification leads there.
    organization_supervision = models.ForeignKey(
        "tracker.OrganizationSupervision",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervision of an organization"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Waiting for the recipient's next daily digest email.
    digest_pending = models.BooleanField(_("in the next digest"), default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox page (newest first) and the header's unread count.
            models.Index(
                fields=["recipient", "read_at", "-created_at"],
                name="notif_recipient_idx",
            ),
            # The daily digest reads only the waiting rows.
            models.Index(
                fields=["recipient"],
                condition=Q(digest_pending=True),
                name="notif_digest_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:50]}"

    @property
    def is_unread(self):
        return self.read_at is None


class NotificationPreference(models.Model):
    """How a person wants their notifications emailed; no row means the default."""

    class Email(models.TextChoices):
        EVERY_EVENT = "every_event", _("Every event by email")
        DAILY_DIGEST = "daily_digest", _("A daily digest by email")
        INBOX_ONLY = "inbox_only", _("Inbox only, no email")

    DEFAULT = Email.DAILY_DIGEST

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email = models.CharField(
        _("email"), max_length=20, choices=Email.choices, default=DEFAULT
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user}: {self.get_email_display()}"


class OutboundMessage(models.Model):
    """The outbox: one email or group-chat post to deliver, kept until it went out.

    Written in the transaction of the change; after the commit a task asks the
    worker (``manage.py worker``) to send it. A failed send stays ``pending`` with
    its error and is retried by the worker after ``RETRY_DELAYS`` until
    ``MAX_ATTEMPTS``, then stays ``failed`` for the admin to see and retry.
    ``claim`` lets one sender at a time own a row, so two workers never send the
    same message twice.
    """

    MAX_ATTEMPTS = 5
    # Seconds to wait before the 2nd, 3rd, ... try: all five within ten minutes.
    RETRY_DELAYS = (30, 60, 120, 300)

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Group chat")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    department = models.ForeignKey(
        Department,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    tried_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # What the worker did with it: the next try (retries back off within minutes),
    # where it went (an email address, a robot address without its key) and what
    # the mail server or robot answered, with its code (SMTP reply, HTTP status or
    # the robot's errcode).
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    address = models.CharField(_("sent to"), max_length=300, blank=True)
    answer_code = models.CharField(_("answer code"), max_length=40, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    # Mobile numbers the group robot @mentions (the obligation's owner).
    mentions = models.JSONField(_("mentions"), default=list, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The retry run reads only what is still to send.
            models.Index(
                fields=["created_at"],
                condition=Q(state="pending"),
                name="outbox_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="email", recipient__isnull=False)
                | Q(channel="webhook", department__isnull=False),
                name="outbox_has_address",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.subject or self.body[:50]}"


class ReminderTier(models.Model):
    """When ``send_reminders`` reminds the people working on an obligation, counted
    in working days from its due date. Edited in the admin; the defaults (a data
    migration): 3 working days before, on the due date, every 3 while overdue."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Working days before the due date")
        DUE = "due", _("On the due date")
        OVERDUE = "overdue", _("Every N working days while overdue")

    kind = models.CharField(_("when"), max_length=10, choices=Kind.choices)
    workdays = models.PositiveSmallIntegerField(
        _("working days"),
        default=0,
        help_text=_(
            "Before the due date: how many working days before. While overdue: the "
            "interval (1 = every working day). Ignored for the due date itself."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # An organization's own tier; tiers without one are the deployment's.
    organization = models.ForeignKey(
        "tracker.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reminder_tiers",
        verbose_name=_("organization"),
    )

    class Meta:
        verbose_name = _("reminder tier")
        verbose_name_plural = _("reminder tiers")
        ordering = ["kind", "-workdays"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "workdays"],
                name="reminder_tier_unique_kind_workdays",
            )
        ]

    def __str__(self):
        if self.kind == self.Kind.DUE:
            return str(self.Kind.DUE.label)
        return f"{self.get_kind_display()}: {self.workdays}"

    @property
    def key(self):
        """What the ``Reminder`` log records for this tier."""
        return f"tier-{self.pk}"


class Reminder(models.Model):
    """The log of reminders sent: one row per obligation, reminder kind, person and
    day. Written BEFORE anything is sent, under the unique constraint, so a second
    run of the same day (or a run on another server at the same moment) finds the
    rows taken and sends nothing twice."""

    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="reminders",
        verbose_name=_("obligation"),
    )
    # A ReminderTier's key ("tier-3"), or one of the supervisors' and departments'
    # lists ("overdue", "review", "extension", "unacknowledged").
    tier = models.CharField(_("reminder"), max_length=30)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("recipient"),
    )
    day = models.DateField(_("day"))
    # The run that wrote the row: it sends exactly the rows it managed to insert.
    run = models.UUIDField(_("run"), db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-day", "recipient", "obligation"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "tier", "recipient", "day"],
                name="reminder_unique_per_day",
            )
        ]

    def __str__(self):
        return f"{self.day} {self.tier} {self.obligation_id} → {self.recipient_id}"
