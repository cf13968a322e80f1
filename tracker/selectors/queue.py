"""The task queue as the administrators see it: is a worker alive, and what waits."""

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from ..models import OutboundMessage, WorkerHeartbeat


def worker_last_seen():
    """When any worker last beat, or None when none ever did."""
    return WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]


def worker_silence(now=None):
    """None while a worker beat within ``WORKER_SILENCE_WARNING``; else a dict
    with ``last_seen`` (None for never), for the dashboard's warning."""
    now = now or timezone.now()
    last = worker_last_seen()
    if last is not None and now - last < settings.WORKER_SILENCE_WARNING:
        return None
    return {"last_seen": last}


def outbox_counts():
    """Pending (waiting or being sent), failed and sent rows, counted in SQL."""
    state = OutboundMessage.State
    return OutboundMessage.objects.aggregate(
        pending=Count("pk", filter=Q(state=state.PENDING)),
        running=Count("pk", filter=Q(state=state.PENDING, claim__isnull=False)),
        failed=Count("pk", filter=Q(state=state.FAILED)),
        sent=Count("pk", filter=Q(state=state.SENT)),
    )
