"""The forms of a year handing over to the next: closing and reopening a report,
carrying items over (结转), an item's report wording (报告用语) and a report's
follow-ups decided in one form (forms.py had no room left under 800 lines)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import VersionedForm, record_text_field
from .models import Obligation
from .services.workflow import REPORT_WORDING_MAX_LENGTH


class ReportCloseForm(forms.Form):
    reason = record_text_field(
        _("Reason for closing"),
        help_text=_(
            "Required: for example, the year's work is archived and what is still "
            "open is carried over into next year's report."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _(
            "A reason is required to close a report; it stays open."
        )


class ReportReopenForm(forms.Form):
    reason = record_text_field(
        _("Reason for reopening"),
        help_text=_("Required: everyone can change the report's obligations again."),
    )


class CarryOverForm(VersionedForm):
    """One item carried over with one click: the button is the decision."""


class ReportWordingForm(VersionedForm):
    text = record_text_field(
        _("Report wording (报告用语)"),
        rows=2,
        max_length=REPORT_WORDING_MAX_LENGTH,
        help_text=_("One or two sentences next year's report says of this item."),
    )


class ReportCarryOverForm(forms.Form):
    """The report's unfinished items, ticked to carry over together."""

    obligations = forms.ModelMultipleChoiceField(
        label=_("Unfinished items to carry over"),
        queryset=Obligation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one item to carry over.")},
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["obligations"]
        field.queryset = (
            Obligation.objects.filter(report=report, carried_into__isnull=True)
            .exclude(status=Obligation.Status.DONE)
            .only("pk", "code", "title", "status")
            .order_by("position")
        )
        field.label_from_instance = lambda o: (
            f"{o.code} {o.title} ({o.get_status_display()})"
        )


FORM_ID = "followups-form"


class ReportFollowUpsForm(forms.Form):
    """Every follow-up suggestion of a report, each confirmed, rejected or left
    as it is, sent together (``services.followups.report_followups_decide``)."""

    CHOICES = (
        ("", _("Leave")),
        ("confirm", _("Confirm")),
        ("reject", _("Reject")),
    )

    def __init__(self, *args, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        for each in suggestions:
            self.fields[self.field_name(each)] = forms.ChoiceField(
                label=f"{each.earlier.code} → {each.later.code}",
                choices=self.CHOICES,
                required=False,
                # The radios stand in the report's list, the form below it.
                widget=forms.RadioSelect(attrs={"form": FORM_ID}),
            )

    @staticmethod
    def field_name(suggestion) -> str:
        return f"pair-{suggestion.earlier.pk}-{suggestion.later.pk}"

    def decisions(self) -> list[tuple[int, int, str]]:
        """[(earlier pk, later pk, "confirm" or "reject")] of the cleaned form."""
        chosen = []
        for name, verb in self.cleaned_data.items():
            if verb:
                _prefix, earlier, later = name.split("-")
                chosen.append((int(earlier), int(later), verb))
        return chosen

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.values()):
            raise forms.ValidationError(
                _("Choose confirm or reject for at least one suggestion.")
            )
        return cleaned
