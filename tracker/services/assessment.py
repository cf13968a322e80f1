"""考核: the ranking's weights."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    AssessmentWeights,
)
from .common import ServiceError, refuse_unless, save_recorded


@transaction.atomic
def assessment_weights_set(
    *,
    user,
    on_time: int,
    rating: int,
    returns: int,
    supervision: int,
    reason: str,
    chases: int = 0,
) -> AssessmentWeights:
    """Set the weights of the department ranking's score (percent, summing to 100);
    the history row names the administrator and the reason."""
    refuse_unless(permissions.can_set_assessment_weights(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A reason is required."))
    weights = AssessmentWeights.objects.select_for_update().filter(
        pk=AssessmentWeights.SINGLETON_PK
    ).first() or AssessmentWeights(pk=AssessmentWeights.SINGLETON_PK)
    weights.on_time, weights.rating = on_time, rating
    weights.returns, weights.supervision = returns, supervision
    weights.chases = chases
    try:
        weights.full_clean()
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages)) from None
    weights.updated_at = timezone.now()
    save_recorded(weights, user=user, reason=reason)
    return weights
