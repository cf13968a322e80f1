"""Departments and the holiday calendar."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .organizations import organization_scope_q


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The departments of the user's organization and those below it."""
        return self.filter(organization_scope_q(user, "organization__path"))


class Department(models.Model):
    # 属地: townships and streets co-operate on county items as units of their own.
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        TOWNSHIP = "township", _("Township or street")

    # Unique within its organization: every county has its 公安局.
    name = models.CharField(_("name"), max_length=100)
    organization = models.ForeignKey(
        "tracker.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("organization"),
    )
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind of unit"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("members"),
    )
    # 单位负责人: who signs the unit's submissions off (单位审核) when it is required.
    heads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="headed_departments",
        verbose_name=_("heads"),
    )
    signoff_required = models.BooleanField(
        _("head's sign-off required"),
        default=False,
        help_text=_(
            "Tick to have the unit's heads approve its submissions before the "
            "supervisors see them (单位审核)."
        ),
    )
    # Departments named in the record are deactivated, never deleted (the admin
    # refuses the deletion), so past obligations and their history still name them.
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "A deactivated department keeps its obligations and history but is no "
            "longer offered for assignment."
        ),
    )
    # A 企业微信 / 钉钉 group robot: the department's events and daily digest are
    # posted there too. Only http(s): the server makes the request, so file:// or
    # other schemes must never reach urllib.
    webhook_url = models.CharField(
        _("group chat webhook"),
        max_length=500,
        blank=True,
        validators=[
            URLValidator(
                schemes=["http", "https"],
                message=_("Enter an address starting with http:// or https://."),
            )
        ],
        help_text=_(
            "The address of a 企业微信 or 钉钉 group robot; the department's "
            "notifications are posted there. Leave empty for none."
        ),
    )

    class RobotKind(models.TextChoices):
        FROM_ADDRESS = "", _("From the address")
        WECOM = "wecom", _("WeCom (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk (钉钉)")

    webhook_kind = models.CharField(
        _("group robot kind"),
        max_length=10,
        blank=True,
        choices=RobotKind.choices,
        help_text=_(
            "Which vendor's robot the address is; by default read from the address."
        ),
    )
    # 钉钉's 加签: every post carries a timestamp and its HMAC with this secret.
    # Never shown back in full (the admin shows its last characters) nor logged.
    webhook_secret = models.CharField(
        _("robot signing secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "The 钉钉 robot's 加签 secret (starts with SEC). Leave empty when the "
            "robot does not sign."
        ),
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="department_unique_organization_name",
            ),
            # NULLs are distinct in the constraint above: a deployment without
            # organizations keeps its names unique by this one.
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(organization__isnull=True),
                name="department_unique_name_without_organization",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tracker:department_detail", args=[self.pk])


class Holiday(models.Model):
    """A day that overrides the ``chinese-calendar`` package in working-day counts:
    a holiday (is_workday off) or a weekend day moved to work (调休, on). Also how a
    year the package does not cover yet gets its holidays (tracker.workdays)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_(
            "Tick for a weekend day moved to work (调休); leave empty for a holiday."
        ),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or working weekend day")
        verbose_name_plural = _("holidays and working weekend days")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date.isoformat()} {self.name}".strip()
