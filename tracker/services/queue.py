"""The task queue's one write from a person: the administrator's "retry now"."""

import logging

from django.db import transaction

from .. import permissions
from ..notifications.outbox import retry_now
from .common import refuse_unless

logger = logging.getLogger(__name__)


@transaction.atomic
def outbox_retry_now(*, user, message_ids) -> int:
    """Put these outbox rows (failed, or waiting for their next try) back in the
    worker's queue at once; a failed row gets a fresh round of tries. Sent rows
    are left alone. Returns the number queued."""
    refuse_unless(permissions.is_admin(user))
    count = retry_now(list(message_ids))
    logger.info("%s queued %s outbox rows again", user.username, count)
    return count
