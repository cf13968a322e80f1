"""The worker's heartbeat: each ``manage.py worker`` touches its row every few
seconds (the dashboard warns administrators when none was seen for five minutes)
and hands the outbox rows whose task was lost back to the queue."""

import logging
import os
import socket
import threading

from django.db import connection
from django.utils import timezone

from ..models import WorkerHeartbeat
from .outbox import send_outbound

logger = logging.getLogger(__name__)

BEAT_SECONDS = 15
# Every this many beats the outbox is swept for due rows whose task was lost.
SWEEP_EVERY = 4


def beat(worker_id, *, now=None):
    """Record that this worker is alive now."""
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            seen_at=now,
        )


def start(worker_id) -> threading.Event:
    """Beat (and sweep) in a background thread until the returned event is set."""
    stop = threading.Event()

    def run():
        count = 0
        while True:
            try:
                beat(worker_id)
                if count % SWEEP_EVERY == 0:
                    send_outbound()
            except Exception:  # a locked or lost database: try again next beat
                logger.warning("Worker heartbeat failed", exc_info=True)
            finally:
                connection.close()
            count += 1
            if stop.wait(BEAT_SECONDS):
                return

    threading.Thread(target=run, name="worker-heartbeat", daemon=True).start()
    return stop
