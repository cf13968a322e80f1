"""Forms of the staff workflow: they only parse and validate input.

What a form accepts is what the HTTP contract promises (a number for ``version``, a
known status, a real date, exactly one file); whether the change is allowed is the
services' decision, so no form touches the database beyond its choice querysets.
"""

import functools
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.validators import FileExtensionValidator
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from . import dates, importing
from .evidence_files import EVIDENCE_CONTENT_TYPES
from .models import (
    AssessmentWeights,
    Department,
    NotificationPreference,
    Obligation,
    Report,
    ThesaurusEntry,
    display_name,
)
from .services import common as common_services
from .services.accounts import account_set_temporary_password
from .services.common import ServiceError
from .services.importing import report_import_check
from .services.thesaurus import thesaurus_entry_check
from .services.workflow import RATING_COMMENT_MAX_LENGTH, REPORT_WORDING_MAX_LENGTH
from .text import CleanCharField
from .workdays import MAX_LIMIT_WORKDAYS

# Long enough for a real explanation, short enough that a pasted document is refused
# with a message instead of filling the timeline.
NOTE_MAX_LENGTH = 4000


def record_text_field(
    label, *, rows=2, required=True, help_text="", max_length=NOTE_MAX_LENGTH
):
    """A text the user writes onto the record (a note, a reason, a reply): cleaned
    of control characters and at most ``max_length`` (NOTE_MAX_LENGTH) long."""
    return CleanCharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def date_field(label, *, required=True):
    """A day from the browser's date picker, which always sends YYYY-MM-DD."""
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


class VersionedForm(forms.Form):
    """Carries the obligation's ``version`` the user saw, for the optimistic check."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ConfirmLinkForm(VersionedForm):
    """One suggested problem of a task, confirmed with one click; whether it is a
    problem of the task's report is obligation_confirm_link's decision."""

    problem = forms.ModelChoiceField(
        queryset=Obligation.objects.filter(kind=Obligation.Kind.PROBLEM),
        widget=forms.HiddenInput,
    )


class FollowUpForm(forms.Form):
    """One suggested follow-up (an item of next year's report), confirmed or
    rejected with one click; whether it can report on the obligation is the
    service's decision."""

    later = forms.ModelChoiceField(
        queryset=Obligation.objects.all(), widget=forms.HiddenInput
    )
    # Shown only where the item is chosen by hand (FollowUpChoiceForm): a
    # suggestion's button needs no words, the shared wording is its reason.
    reason = CleanCharField(
        required=False, max_length=NOTE_MAX_LENGTH, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        # The item comes with the button, not from a field the user can correct:
        # say what went wrong where the page shows a refused form.
        if "later" in self.errors:
            raise forms.ValidationError(
                _("This item of next year's report no longer exists: reload the page.")
            )
        return cleaned


class FollowUpChoiceForm(FollowUpForm):
    """A follow-up the suggestions missed: any work item or problem of next year's
    report, chosen from a list, with why."""

    def __init__(self, *args, later_report, **kwargs):
        super().__init__(*args, **kwargs)
        later = self.fields["later"]
        later.label = _("Item of the %(year)d report") % {"year": later_report.year}
        later.widget = forms.Select()
        later.queryset = Obligation.objects.filter(
            report=later_report,
            kind__in=[Obligation.Kind.WORK_ITEM, Obligation.Kind.PROBLEM],
            missing_since__isnull=True,
        ).only("pk", "code", "title")
        reason = self.fields["reason"]
        reason.label = _("Why it reports on this one")
        reason.widget = forms.Textarea(attrs={"rows": 2})


class FollowUpWithdrawForm(forms.Form):
    reason = record_text_field(_("Reason for withdrawing the confirmation"))


class StatusForm(VersionedForm):
    # Every status is a valid choice here: whether the transition is allowed from the
    # current status, and for this user, is obligation_transition's decision.
    status = forms.ChoiceField(label=_("New status"), choices=Obligation.Status.choices)
    note = record_text_field(
        _("Note or reason"),
        rows=3,
        required=False,
        help_text=_("Required to submit for review, to return and to reopen."),
    )
    # The result's rating (结果考评), given with "Approve" only. Whether it is
    # required, and its comment with it, is obligation_transition's decision; the
    # obligation page shows both fields only next to the approve button.
    rating = forms.ChoiceField(
        label=_("Rating of the result (when approving)"),
        choices=Obligation.Rating.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    rating_comment = record_text_field(
        _("Rating comment"),
        rows=2,
        required=False,
        max_length=RATING_COMMENT_MAX_LENGTH,
        help_text=_("Required for “Fair” and “Poor”: say what fell short."),
    )

    # 报告用语: prefilled with a suggestion built from the submission
    # (selectors.reports.suggested_report_wording); the supervisor accepts or
    # rewrites it. Only approving keeps it.
    report_wording = record_text_field(
        _("Report wording (报告用语, when approving)"),
        rows=2,
        required=False,
        max_length=REPORT_WORDING_MAX_LENGTH,
        help_text=_(
            "One or two sentences for next year's report. Empty: the draft marks "
            "the item 【待补充】."
        ),
    )

    RATING_FIELDS = ("rating", "rating_comment", "report_wording")

    def without_rating(self):
        """The form for a page where no transition takes a rating."""
        for name in self.RATING_FIELDS:
            self.fields.pop(name, None)
        return self


class SupervisionForm(VersionedForm):
    level = forms.ChoiceField(
        label=_("Supervision level"), choices=Obligation.SupervisionLevel.choices
    )
    note = record_text_field(_("Reason"))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The login beside the name: two people may share a name.
        name, login = display_name(obj), obj.get_username()
        return name if name == login else f"{name} ({login})"


class OwnerSelect(forms.Select):
    """The responsible person, grouped by department (an ``<optgroup>`` each); the
    script shows only the chosen department's group. A department without members
    has one disabled option saying so."""

    class Media:
        js = ["tracker/owner-choice.js"]

    def create_option(self, name, value, label, selected, index, **kwargs):
        option = super().create_option(name, value, label, selected, index, **kwargs)
        if value == "" and kwargs.get("subindex") is not None:
            option["attrs"]["disabled"] = True
        return option


def owner_choices(departments, field):
    """The owner's choices: the empty one, then each department's active members
    (two queries, whatever the number of departments). The service decides who may
    be assigned; these choices only show who can."""
    members = get_user_model().objects.filter(is_active=True).order_by("username")
    departments = departments.prefetch_related(
        Prefetch("members", queryset=members, to_attr="active_members")
    )
    choices = [("", field.empty_label)]
    for department in departments:
        people = [
            (user.pk, field.label_from_instance(user))
            for user in department.active_members
        ]
        if not people:
            people = [("", gettext("No members yet: an administrator adds them."))]
        choices.append((department.name, people))
    return choices


class OwnerByDepartmentMixin:
    """Offer the responsible person grouped by the departments the form offers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        department, owner = self.fields["department"], self.fields["owner"]
        owner.choices = owner_choices(department.queryset, owner)


class AssignForm(OwnerByDepartmentMixin, VersionedForm):
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.order_by("name"),
        required=False,
    )
    owner = UserChoiceField(
        label=_("Responsible person"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=OwnerSelect,
        help_text=_("A member of the responsible department."),
    )
    due_date = date_field(_("Due date"), required=False)
    # 限时办结: obligation_assign turns it into the due date, counted from today.
    limit_workdays = forms.IntegerField(
        label=_("Or a time limit in working days"),
        required=False,
        min_value=1,
        max_value=MAX_LIMIT_WORKDAYS,
        help_text=_(
            "Instead of a due date: 15 sets the due date 15 working days after today "
            "(holidays and 调休 counted)."
        ),
    )
    note = record_text_field(_("Note"), required=False)

    def changes(self):
        """The assignable fields the request actually sent, so a client posting only
        ``due_date`` does not clear the department and the owner by omission; and
        the time limit when one was given."""
        changes = {
            name: self.cleaned_data[name]
            for name in Obligation.ASSIGNABLE_FIELDS
            if name in self.data
        }
        if self.cleaned_data.get("limit_workdays") is not None:
            changes["limit_workdays"] = self.cleaned_data["limit_workdays"]
        return changes


def accepted_evidence_types():
    """ "Accepted: pdf, doc, …." in the active language, listed from the table that
    evidence_upload checks against, so the help cannot forget a type it accepts."""
    types = pgettext("list separator", ", ").join(EVIDENCE_CONTENT_TYPES)
    return gettext("Accepted: %(types)s.") % {"types": types}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes several files; cleans to a list (maybe empty)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            super().clean(None, initial)  # required or not
            return []
        if not isinstance(data, (list, tuple)):
            data = [data]
        return [super(MultipleFileField, self).clean(each, initial) for each in data]


def evidence_accept():
    """The file chooser's ``accept``: the types evidence_upload takes, by
    extension, and by MIME type for the pictures and PDFs phones offer from
    their galleries (without image/… an Android chooser offers no camera)."""
    types = {"image/jpeg", "image/png", "application/pdf"}
    return ",".join(sorted(types) + [f".{ext}" for ext in EVIDENCE_CONTENT_TYPES])


class EvidenceForm(forms.Form):
    # Type, size and name checks belong to evidence_upload_many (it reads the
    # content); the form only collects the files of both inputs.
    file = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=lazy(accepted_evidence_types, str)(),
        widget=MultipleFileInput(attrs={"accept": lazy(evidence_accept, str)()}),
    )
    # A separate input with ``capture``: on some phones ``capture`` opens the
    # camera only, with no way to pick a stored file, so the plain input above
    # has none.
    photo = forms.FileField(
        label=_("Take a photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    note = record_text_field(_("Note"), required=False)

    def clean(self):
        cleaned_data = super().clean()
        files = [*(cleaned_data.get("file") or []), cleaned_data.get("photo")]
        files = [each for each in files if each]
        if not files and not self.errors:
            self.add_error("file", _("Choose a file to upload."))
        cleaned_data["files"] = files
        return cleaned_data


class WithdrawEvidenceForm(forms.Form):
    reason = record_text_field(_("Reason for withdrawal"))


class NoteForm(forms.Form):
    text = record_text_field(_("Progress note"), rows=3)
    # Optional: a note overwrites nothing, so a stale version does not refuse it;
    # but a value that is not a number is still bad input.
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class NoticeReplyForm(forms.Form):
    text = record_text_field(
        _("Written reply"),
        rows=4,
        help_text=_("What the department has done about the notice, and when."),
    )


class RankingPeriodForm(forms.Form):
    """The department ranking's period (both days included). Empty: unbounded on
    that side; both empty: the whole life of the report (the default)."""

    start = date_field(_("From"), required=False)
    end = date_field(_("To"), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(
                _("The period ends (%(end)s) before it starts (%(start)s).")
                % {"end": end.isoformat(), "start": start.isoformat()}
            )
        return cleaned


# --- The admin's forms (tracker/admin.py) --------------------------------------------


class ObligationAdminForm(forms.ModelForm):
    """The admin's change form of an obligation.

    It carries the ``version`` the admin saw. The admin refuses a save based on an
    older one before anything is written (``ObligationAdmin.changeform_view``), so
    when this form validates, its initial values are the ones the admin saw and
    ``changed_data`` is exactly what the admin changed: the only fields saved.
    """

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    change_note = record_text_field(
        _("Reason for the change"),
        required=False,
        help_text=_(
            "Recorded on the timeline; required when changing the supervision level."
        ),
    )
    # Messages of a refusal by the services (a stale version, a domain rule), set by
    # the admin on the form class of one request; shown instead of saving.
    refusal = ()

    class Meta:
        model = Obligation
        fields = (
            "title",
            "body",
            "department",
            "owner",
            "due_date",
            "supervision_level",
            "addresses",
            "version",
        )
        # Text typed in the admin enters storage here (tracker.text).
        field_classes = {"title": CleanCharField, "body": CleanCharField}

    def clean(self):
        cleaned = super().clean()
        if self.refusal:
            # changed_data may compare with values the admin never saw: checks on
            # it (the supervision reason below) would only mislead.
            for message in self.refusal:
                self.add_error(None, message)
            return cleaned
        if (
            self.instance.pk
            and "supervision_level" in self.changed_data
            and not (cleaned.get("change_note") or "").strip()
        ):
            self.add_error(
                "change_note",
                _("A reason is required when changing the supervision level."),
            )
        return cleaned


class AssessmentWeightsAdminForm(forms.ModelForm):
    """The admin's form of the ranking's weights; the sum is checked by
    ``AssessmentWeights.clean`` (a form error, nothing saved)."""

    change_reason = record_text_field(
        _("Reason for the change"), help_text=_("Kept in the history of the weights.")
    )

    class Meta:
        model = AssessmentWeights
        fields = ("on_time", "rating", "returns", "supervision", "chases")

    def _post_clean(self):
        # The model's sum would add the value in place of a weight refused on its
        # own (the default 40 for a -10) and name a total nobody typed.
        if any(name in self.errors for name in self._meta.fields):
            return
        super()._post_clean()


class ThesaurusEntryAdminForm(forms.ModelForm):
    """The admin's form of a thesaurus entry: a new pair is checked by
    ``services.thesaurus.thesaurus_entry_check`` (a form error, nothing saved); an
    existing one only goes out of use or back into it."""

    term = CleanCharField(label=_("term"), max_length=30, required=False)
    synonym = CleanCharField(label=_("synonym"), max_length=30, required=False)
    change_reason = record_text_field(
        _("Reason for the change"), help_text=_("Kept in the history of the entry.")
    )

    class Meta:
        model = ThesaurusEntry
        fields = ("term", "synonym", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An entry is never reworded: the words are typed once, when it is added.
        for name in ("term", "synonym"):
            if name in self.fields:
                self.fields[name].required = self.instance.pk is None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                thesaurus_entry_check(
                    term=cleaned.get("term"), synonym=cleaned.get("synonym")
                )
            except ServiceError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


class BulkAssignForm(OwnerByDepartmentMixin, forms.Form):
    """The obligation page's assignment for many obligations at once; empty fields
    are left as they are on every selected obligation."""

    # Only active departments are offered for a new assignment.
    department = forms.ModelChoiceField(
        Department.objects.filter(is_active=True).order_by("name"),
        required=False,
        label=_("Responsible department"),
    )
    owner = AssignForm.base_fields["owner"]
    due_date = AssignForm.base_fields["due_date"]
    limit_workdays = AssignForm.base_fields["limit_workdays"]
    note = AssignForm.base_fields["note"]

    def clean(self):
        cleaned = super().clean()
        limit = cleaned.get("limit_workdays")
        if not any(cleaned.get(name) for name in Obligation.ASSIGNABLE_FIELDS) and (
            limit is None
        ):
            raise forms.ValidationError(
                _("Choose a department, a person or a due date to assign.")
            )
        if cleaned.get("due_date") and limit is not None:
            raise forms.ValidationError(
                _("Give a due date or a limit in working days, not both.")
            )
        return cleaned


class BulkSupervisionForm(forms.Form):
    """The obligation page's level and reason, for many obligations at once (each
    obligation's version travels next to the form, see bulk_assign.html)."""

    level = SupervisionForm.base_fields["level"]
    note = SupervisionForm.base_fields["note"]


# A whole county's report is a few hundred kilobytes; anything much larger is the
# wrong file.
REPORT_MAX_BYTES = 5 * 1024 * 1024
REPORT_EXTENSIONS = ["txt", "docx", "html", "htm", "pdf"]
# Seconds the admin's import page may spend reading and parsing a report; a 5 MB
# text parses in about 2 s (docs/importer.md).
REPORT_READ_SECONDS = 15
# Files whose reading may take longer than a request should (a saved web page, a
# PDF, a Word document that may be large): read by the worker as a job. A .txt is
# only decoded, which is instant.
READ_BY_WORKER = (".html", ".htm", ".pdf", ".docx")
# A report has tens to a few hundred obligations; the preview of 3,600 takes 2 s
# to render, so past this many the page would outlast a worker's timeout.
REPORT_MAX_OBLIGATIONS = 5000


def _read_upload(upload, read):
    """Run an importer reader (which takes a path) on an uploaded file, through a
    temporary file with the upload's suffix so .docx is recognised; removed after.
    Errors name the uploaded file, not the temporary one."""
    suffix = Path(upload.name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        try:
            return read(handle.name)
        except importing.ReportFormatError as error:
            message = str(error).replace(handle.name, Path(upload.name).name)
            raise importing.ReportFormatError(message) from None


def _read_report_limited(path, *, deadline):
    # Looked up here at each call, so a test can narrow the limits.
    return importing.read_report_limited(path, deadline=deadline)


class ReportImportForm(forms.Form):
    """The admin's "Import a report" page. Cleaning parses the file with the
    importer: ``cleaned_data["tree"]`` and ``["links"]`` are ready for
    ``report_import``; a file the importer cannot read is a form error.

    After a Preview the file need not be chosen again: ``draft`` carries the token
    of the text kept then (``services.importing.import_draft_save``), which
    ``draft_lookup`` (token -> ImportDraft, raising ServiceError when it is gone or not
    the user's) fetches. ``cleaned_data["text"]``, ``["file_name"]`` are what was read.
    """

    # Empty files reach the importer, whose message says what is wrong with them.
    file = forms.FileField(
        label=_("Report file"),
        required=False,
        allow_empty_file=True,
        validators=[FileExtensionValidator(REPORT_EXTENSIONS)],
        help_text=_(
            "A .txt file (UTF-8 or GB18030), a .docx document, a web page saved as "
            ".html or .htm, or a PDF with text (not a scan), up to 5 MB."
        ),
    )
    organization = CleanCharField(
        label=_("Organization"),
        required=False,
        max_length=100,
        help_text=_("Leave empty to use the organization named in the title line."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=Report.YEAR_MIN,
        max_value=Report.YEAR_MAX,
        help_text=_("Leave empty to use the year named in the title line."),
    )
    links = forms.FileField(
        label=_("Links file"),
        required=False,
        validators=[FileExtensionValidator(["json"])],
        help_text=_(
            "Optional JSON file linking next-year tasks to the problems they address."
        ),
    )

    draft = CleanCharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, draft_lookup=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft_lookup = draft_lookup

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > REPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean_links(self):
        upload = self.cleaned_data["links"]
        if upload and upload.size > REPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        organization = cleaned.get("organization") or None
        year = cleaned.get("year")
        text, file_name, links = self._kept_draft(cleaned)
        upload = cleaned.get("file")
        if upload and Path(upload.name).suffix.lower() in READ_BY_WORKER:
            # Read by the worker (a job, services.jobs): the web process only
            # checks what is quick, and the job's page leads to the preview.
            try:
                if cleaned.get("links"):
                    links = _read_upload(cleaned["links"], importing.read_links)
            except importing.ReportFormatError as error:
                raise forms.ValidationError(str(error)) from None
            cleaned.update(
                tree=None,
                links=links,
                organization=organization,
                year=year,
                read_by_worker=True,
            )
            return cleaned
        # Within a worker's time: a file the importer cannot read by then is
        # refused with a message (the parser is linear; PDFs are read page by page).
        deadline = time.monotonic() + REPORT_READ_SECONDS
        try:
            if cleaned.get("file"):
                text = _read_upload(
                    cleaned["file"],
                    functools.partial(_read_report_limited, deadline=deadline),
                )
                file_name, links = Path(cleaned["file"].name).name, None
            tree = importing.parse_report(
                text, organization=organization, year=year, deadline=deadline
            )
            if cleaned.get("links"):
                links = _read_upload(cleaned["links"], importing.read_links)
        except importing.ReportFormatError as error:
            raise forms.ValidationError(str(error)) from None
        count = sum(tree.counts().values())
        if count > REPORT_MAX_OBLIGATIONS:
            raise forms.ValidationError(
                _(
                    "The report has %(count)d numbered units, more than the "
                    "%(limit)d this page can preview; check its numbering, or import "
                    "it with manage.py import_report."
                )
                % {"count": count, "limit": REPORT_MAX_OBLIGATIONS}
            )
        try:
            # What Import would refuse, Preview refuses too.
            report_import_check(tree=tree, organization=organization, year=year)
        except common_services.ServiceError as error:
            raise forms.ValidationError(str(error)) from None
        cleaned.update(
            tree=tree,
            links=links,
            organization=organization,
            year=year,
            text=text,
            file_name=file_name,
        )
        return cleaned

    def _kept_draft(self, cleaned):
        """(text, file name, links) of the previewed draft when no file is chosen;
        (None, None, None) when one is."""
        if cleaned.get("file"):
            return None, None, None
        token = cleaned.get("draft")
        if not token or self.draft_lookup is None:
            raise forms.ValidationError(
                {"file": _("Choose the report file.")}, code="required"
            )
        try:
            draft = self.draft_lookup(token)
        except ServiceError as error:
            raise forms.ValidationError({"file": str(error)}) from None
        return draft.text, draft.file_name, draft.links


class NotificationPreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label=_("Email me"),
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
    )


class AcknowledgeForm(VersionedForm):
    """签收: one click; the version is the whole input."""


class ExtensionRequestForm(VersionedForm):
    # Whether the date is late enough (after the due date, not in the past) is
    # extension_request's decision: it knows the current due date under the lock.
    requested_due_date = date_field(_("Requested due date"))
    reason = record_text_field(_("Reason"))


class ExtensionDecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
    )
    reason = record_text_field(
        _("Reason"), required=False, help_text=_("Required to refuse.")
    )


class TemporaryPasswordForm(AdminPasswordChangeForm):
    """The admin's "set password" page. A password an administrator types is one
    they know, so the user must replace it at their next login."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["password1"].help_text = _(
            "A temporary password: the user must choose their own at the next login."
        )

    def save(self, commit=True):
        if not self.cleaned_data.get("set_usable_password"):
            return super().save(commit)  # password login turned off
        account_set_temporary_password(
            user=self.user, password=self.cleaned_data["password1"]
        )
        return self.user


class HolidayNoticeForm(forms.Form):
    """The admin's import of a year's holidays: the State Council's notice, pasted."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    text = CleanCharField(
        label=_("The State Council's notice"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Paste the notice's items (一、元旦：…放假调休，共3天。…上班。). Left "
            "empty: the holidays the law fixes (元旦, 清明, 1–2 May, 1–3 October); "
            "春节, 端午, 中秋 and the 调休 days come with the notice."
        ),
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        first, last = dates.window(timezone.localdate().year)
        if not first.year <= year <= last.year:
            raise forms.ValidationError(
                _("Give a year from %(first)d to %(last)d.")
                % {"first": first.year, "last": last.year}
            )
        return year
