"""Follow-up across years: confirming, rejecting and withdrawing a follow-up."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.views.decorators.http import (
    require_POST,
)

from .. import permissions
from ..forms import (
    FollowUpForm,
    FollowUpWithdrawForm,
)
from ..services import followups as followups_services
from .obligation_page import FORM_IDS, post_obligation_form


def _post_followup(request, pk, write, message):
    """Confirm or reject a suggested follow-up of the obligation ``pk`` (an item
    of next year's report posted as ``later``); back to ``next`` (the report
    page) or the obligation."""
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_confirm_followups(request.user):
        raise PermissionDenied
    form = FollowUpForm(request.POST, auto_id=FORM_IDS["followup"])

    def done(_result):
        later = form.cleaned_data["later"]
        messages.success(
            request,
            message % {"earlier": obligation.code, "later": later.code},
        )

    return post_obligation_form(
        request,
        obligation,
        "followup",
        form,
        write=lambda data: write(
            earlier=obligation,
            later=data["later"],
            user=request.user,
            reason=data["reason"],
        ),
        done=done,
        follow_next=True,
    )


@require_POST
def followup_confirm(request, pk):
    return _post_followup(
        request,
        pk,
        followups_services.followup_confirm,
        gettext("Confirmed: %(later)s of next year's report reports on %(earlier)s."),
    )


@require_POST
def followup_reject(request, pk):
    return _post_followup(
        request,
        pk,
        followups_services.followup_reject,
        gettext("Rejected: %(later)s is no longer suggested for %(earlier)s."),
    )


@require_POST
def followup_withdraw(request, pk):
    followup = permissions.get_followup_or_404(request, pk)
    if not permissions.can_confirm_followups(request.user):
        raise PermissionDenied
    # One form per confirmed follow-up on the page: named after it, so a refused
    # one is shown again with its error where it was (as evidence withdrawals are).
    name = f"followup-withdraw-{followup.pk}"
    form = FollowUpWithdrawForm(request.POST, auto_id=f"{name}-%s")
    return post_obligation_form(
        request,
        followup.earlier,
        name,
        form,
        write=lambda data: followups_services.followup_withdraw(
            followup=followup, user=request.user, reason=data["reason"]
        ),
        done=lambda _result: messages.success(
            request,
            gettext("Withdrawn: %(later)s no longer reports on %(earlier)s.")
            % {"earlier": followup.earlier.code, "later": followup.later.code},
        ),
    )
