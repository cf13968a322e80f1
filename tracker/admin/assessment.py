"""考核: the ranking's weights."""

from django.contrib import admin
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin

from ..forms import (
    AssessmentWeightsAdminForm,
)
from ..models import (
    AssessmentWeights,
)
from ..services.assessment import assessment_weights_set
from .mixins import CleanInputAdminMixin, NoDeleteMixin, NoRevertHistoryMixin


@admin.register(AssessmentWeights)
class AssessmentWeightsAdmin(
    CleanInputAdminMixin, NoDeleteMixin, NoRevertHistoryMixin, SimpleHistoryAdmin
):
    """The one row of the ranking's weights: the list leads straight to it (or to
    the form with the defaults while none is saved); saving goes through
    ``assessment_weights_set``, so the history names who changed them and why."""

    form = AssessmentWeightsAdminForm
    fields = (
        "on_time",
        "rating",
        "returns",
        "supervision",
        "chases",
        "change_reason",
    )
    list_display = ("__str__", "updated_at")

    def has_add_permission(self, request):
        return (
            super().has_add_permission(request)
            and not AssessmentWeights.objects.exists()
        )

    def changelist_view(self, request, extra_context=None):
        saved = AssessmentWeights.objects.first()
        if saved is None:
            return redirect("admin:tracker_assessmentweights_add")
        return redirect("admin:tracker_assessmentweights_change", saved.pk)

    def save_model(self, request, obj, form, change):
        saved = assessment_weights_set(
            user=request.user,
            reason=form.cleaned_data["change_reason"],
            **{name: form.cleaned_data[name] for name in AssessmentWeights.DEFAULTS},
        )
        obj.pk = saved.pk
