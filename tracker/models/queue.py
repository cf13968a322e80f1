"""The worker's own state: its heartbeat, and each group robot's posting window."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per running ``manage.py worker``, touched every few seconds: the
    dashboard warns the administrators when no worker was seen for five minutes,
    and the admin shows when each was last seen."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last heartbeat"), default=timezone.now)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.hostname}:{self.pid}"


class RobotWindow(models.Model):
    """The posts made to one robot address in the last minute, shared by every
    worker (the row is locked while a worker takes a place in it): 企业微信 and
    钉钉 accept 20 posts a minute and 钉钉 blocks a robot that sends more."""

    # sha256 of the address: the address itself holds the robot's key.
    address_hash = models.CharField(max_length=64, unique=True)
    # POSIX timestamps of the posts of the last 60 seconds, oldest first.
    recent = models.JSONField(default=list)
    # Set when the robot answered with its rate-limit code: nothing is posted
    # before then.
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("robot window")
        verbose_name_plural = _("robot windows")

    def __str__(self):
        return self.address_hash[:12]
