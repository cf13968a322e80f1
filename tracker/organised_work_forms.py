"""The forms of organised work (issue 22): a co-operating unit's part (分办事项),
催办 and its answer, and 调度's progress reports and table filter; and the leaders'
(issue 23): 批示 and its reply, signing a 督办单. Validation of input
only, like tracker.forms, whose field helpers they use."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .forms import UserChoiceField, VersionedForm, date_field, record_text_field
from .models import Department, Obligation, Part, Report


class PartAddForm(VersionedForm):
    """A co-operating unit (配合单位) for the item; the version is the item's."""

    department = forms.ModelChoiceField(
        label=_("Co-operating unit"),
        queryset=Department.objects.filter(is_active=True).order_by("kind", "name"),
    )
    owner = UserChoiceField(
        label=_("Responsible person"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        help_text=_("A member of the co-operating unit; may be left empty."),
    )
    due_date = date_field(_("Due date"), required=False)
    note = record_text_field(_("Note"), required=False)


class PartStatusForm(forms.Form):
    # Whether the move is allowed, and for this user, is part_transition's decision.
    status = forms.ChoiceField(label=_("New status"), choices=Part.Status.choices)
    note = record_text_field(
        _("Note or reason"),
        rows=2,
        required=False,
        help_text=_("Required to submit and to return."),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PartWaiveForm(forms.Form):
    reason = record_text_field(_("Reason for the waiver"))
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PartNoteForm(forms.Form):
    text = record_text_field(_("Progress note"), rows=2)


class ChaseForm(forms.Form):
    note = record_text_field(_("What the unit should do"), rows=2)
    # Empty: the item's lead unit; otherwise one co-operating unit's part.
    part = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ChaseAnswerForm(forms.Form):
    answer = record_text_field(_("Answer"), rows=2)


class OrganizationChaseForm(forms.Form):
    """A city's 催办 of a county as a whole."""

    note = record_text_field(_("What the county should do"), rows=2)


class OrganizationNoticeForm(forms.Form):
    """A city's 督办单 to a county as a whole."""

    level = forms.ChoiceField(
        label=_("Supervision level"),
        choices=[
            (level.value, level.label)
            for level in Obligation.SupervisionLevel
            if level != Obligation.SupervisionLevel.NONE
        ],
        initial=Obligation.SupervisionLevel.YELLOW,
    )
    note = record_text_field(_("Reason"), rows=2)


class ProgressReportForm(forms.Form):
    """调度: the period is the current one (``progress_report_file``)."""

    progress = record_text_field(_("Progress (进展情况)"), rows=3)
    next_steps = record_text_field(_("Next steps (下一步)"), required=False)
    difficulties = record_text_field(_("Difficulties (存在困难)"), required=False)
    # Empty: the item's own report; otherwise one co-operating unit's part.
    part = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ScheduleFilterForm(forms.Form):
    report = forms.ModelChoiceField(
        label=_("Report"),
        queryset=Report.objects.filter(schedule__isnull=False)
        .order_by("-year")
        .only("pk", "title"),
        required=False,
    )
    department = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Department.objects.order_by("kind", "name"),
        required=False,
    )


class InstructionForm(forms.Form):
    text = record_text_field(_("Instruction (批示)"), rows=3)


class InstructionReplyForm(forms.Form):
    text = record_text_field(_("Reply"), rows=2)


class NoticeApproveForm(forms.Form):
    """A leader approves a prepared 督办单: nothing to type."""


class NoticeSignatureForm(forms.Form):
    """The leader's paper signature, recorded by a supervisor."""

    leader_name = forms.CharField(label=_("Leader who signed"), max_length=100)
    signed_on = date_field(_("Signed on"))
