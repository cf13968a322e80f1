"""The 督办单 register."""

from django.db.models import (
    QuerySet,
)

from ..models import (
    SupervisionNotice,
)


def notice_register(obligations: QuerySet) -> QuerySet:
    """The supervision notices of ``obligations``, newest first, with what the
    register and its export show (one query, whatever the number of notices)."""
    return SupervisionNotice.objects.filter(obligation__in=obligations).select_related(
        "obligation", "department", "issued_by", "replied_by", "leader"
    )
