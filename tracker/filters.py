"""The obligation list's filters: declarative, all in the query string so a filtered
view can be bookmarked and shared."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import (
    Department,
    Evidence,
    ExtensionRequest,
    Obligation,
    Part,
    Report,
    Section,
    display_name,
    overdue_q,
)

YES_NO = (("yes", _("Yes")), ("no", _("No")))
Q_MAX_LENGTH = 200


class QuickSelect(forms.Select):
    """A <select> written with format_html, the same markup as Django's template.

    Django renders every <option> through its own template include; for the eight
    selects of this form that was about a third of the list page's time, which
    kept the page behind the admin changelist."""

    def render(self, name, value, attrs=None, renderer=None):
        # Straight from the choices: Django's get_context() builds a dictionary of
        # attributes for every option first (a hundred of them here: the owners,
        # sections and departments), which cost more than writing them.
        selected = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (choice, " selected" if str(choice) in selected else "", label)
                for choice, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """CheckboxSelectMultiple written with format_html (see QuickSelect): a <div>
    of <div><label><input> label</label></div>, as Django's template has it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        boxes = format_html_join(
            "",
            '<div><label for="{}"><input type="checkbox" name="{}" value="{}"{}> {}'
            "</label></div>",
            (
                (
                    option["attrs"].get("id", ""),
                    option["name"],
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for _group, options, _index in widget["optgroups"]
                for option in options
            ),
        )
        return format_html(
            "<div{}>{}</div>", flatatt({"id": widget["attrs"].get("id")}), boxes
        )


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices from one plain query. Django's iterator() declares a server-side
    cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) for each of
    the list's four model selects, for a few dozen rows each."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class ListedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedChoiceField


def _owners(request):
    # Only people who own something the reader sees: the select stays short at any
    # number of users, and names nobody of another organization.
    visible = Obligation.objects.visible_to(request.user)
    return (
        get_user_model()
        .objects.filter(Exists(visible.filter(owner=OuterRef("pk"))))
        .order_by("first_name", "username")
    )


# The choices of the reader's organization and below it (another organization's
# reports, units and sections are not named).
def _reports(request):
    return Report.objects.visible_to(request.user).order_by("-year").only("pk", "title")


def _departments(request):
    return Department.objects.visible_to(request.user).order_by("name")


def _units(request):
    return Department.objects.visible_to(request.user).order_by("kind", "name")


def _sections(request):
    return Section.objects.filter(
        report__in=Report.objects.visible_to(request.user)
    ).order_by("report", "position")


class OwnerField(ListedChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class OwnerChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = OwnerField


class SectionField(ListedChoiceField):
    def label_from_instance(self, obj):
        # Groups indented under their chapter, as in the printed report.
        return f"{obj}" if obj.parent_id is None else f"\u3000{obj}"


class SectionChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SectionField


class ObligationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=Q_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Code, title or text")}
        ),
    )
    report = ListedChoiceFilter(
        label=_("Report"),
        # Only what the option shows: the full report text stays in the database.
        queryset=_reports,
        widget=QuickSelect,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Obligation.Kind.choices, widget=QuickSelect
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=Obligation.Status.choices,
        widget=QuickCheckboxes,
    )
    department = ListedChoiceFilter(
        label=_("Responsible department"),
        queryset=_departments,
        widget=QuickSelect,
    )
    # 配合单位: the items where a unit has a part (its own or a township's).
    co_operating_unit = ListedChoiceFilter(
        label=_("Co-operating unit"),
        queryset=_units,
        method="filter_co_operating_unit",
        widget=QuickSelect,
    )
    owner = OwnerChoiceFilter(
        label=_("Responsible person"), queryset=_owners, widget=QuickSelect
    )
    section = SectionChoiceFilter(
        label=_("Chapter or group"),
        queryset=_sections,
        method="in_section",
        widget=QuickSelect,
    )
    supervision_level = django_filters.ChoiceFilter(
        label=_("Supervision level"),
        choices=Obligation.SupervisionLevel.choices,
        widget=QuickSelect,
    )
    rating = django_filters.ChoiceFilter(
        label=_("Rating"), choices=Obligation.Rating.choices, widget=QuickSelect
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"), choices=YES_NO, method="filter_overdue", widget=QuickSelect
    )
    has_evidence = django_filters.ChoiceFilter(
        label=_("Has evidence"),
        choices=YES_NO,
        method="filter_has_evidence",
        widget=QuickSelect,
    )
    acknowledged = django_filters.ChoiceFilter(
        label=_("Acknowledged (签收)"),
        choices=YES_NO,
        method="filter_acknowledged",
        widget=QuickSelect,
    )
    extension = django_filters.ChoiceFilter(
        label=_("Extension request"),
        choices=(("pending", ExtensionRequest.Status.PENDING.label),),
        method="filter_extension",
        widget=QuickSelect,
    )
    no_longer_in_report = django_filters.ChoiceFilter(
        label=_("No longer in the report"),
        choices=YES_NO,
        method="filter_no_longer_in_report",
        widget=QuickSelect,
    )
    due_after = django_filters.DateFilter(
        label=_("Due on or after"),
        field_name="due_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_before = django_filters.DateFilter(
        label=_("Due on or before"),
        field_name="due_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Obligation
        fields = ()

    @property
    def active_count(self):
        """How many filters the query string sets (the "筛选 (3)" of the folded
        filters on a phone): read from the submitted data, no query."""
        return sum(
            1
            for name in self.filters
            if any(str(value).strip() for value in self.data.getlist(name))
        )

    def filter_queryset(self, queryset):
        # Without this filter, the list shows what the report's text still has,
        # like the dashboard's figures.
        if not self.form.cleaned_data.get("no_longer_in_report"):
            queryset = queryset.in_report_text()
        return super().filter_queryset(queryset)

    def filter_no_longer_in_report(self, queryset, name, value):
        return queryset.filter(missing_since__isnull=value != "yes")

    def active_filters(self, *, skip=()):
        """The filters in force as (label, value) texts, in the form's order: what
        an export's title row and file name say of it; ``skip`` names filters left
        out (the report, which the export names already). Read from the cleaned
        data; none for an invalid form."""
        if not self.is_valid():
            return []
        active = []
        for name, field in self.form.fields.items():
            if name in skip:
                continue
            value = self.form.cleaned_data.get(name)
            if value in (None, "", [], ()):
                continue
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            choices = dict(getattr(field, "choices", ()) or ())
            if isinstance(value, (list, tuple)):
                text = "、".join(str(choices.get(each, each)) for each in value)
            elif name == "owner":
                text = display_name(value)
            elif hasattr(value, "isoformat"):
                text = value.isoformat()
            elif isinstance(value, str) and value in choices:
                text = str(choices[value])
            else:
                text = str(value).strip()
            active.append((str(field.label), text))
        return active

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(title__icontains=value)
            | Q(body__icontains=value)
        )

    def in_section(self, queryset, name, section):
        # A chapter's obligations include those of its groups.
        return queryset.filter(Q(section=section) | Q(section__parent=section))

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value == "yes" else queryset.exclude(overdue)

    def filter_has_evidence(self, queryset, name, value):
        live = Exists(
            Evidence.objects.filter(
                obligation=OuterRef("pk"), withdrawn_at__isnull=True
            )
        )
        return queryset.filter(live) if value == "yes" else queryset.filter(~live)

    def filter_acknowledged(self, queryset, name, value):
        if value == "no":
            return queryset.unacknowledged()
        return queryset.filter(department__isnull=False, acknowledged_at__isnull=False)

    def filter_co_operating_unit(self, queryset, name, department):
        # Exists, not a join: an item appears once whatever its parts.
        parts = Part.objects.filter(obligation=OuterRef("pk"), department=department)
        return queryset.filter(Exists(parts))

    def filter_extension(self, queryset, name, value):
        pending = ExtensionRequest.objects.filter(
            obligation=OuterRef("pk"), status=ExtensionRequest.Status.PENDING
        )
        return queryset.filter(Exists(pending))
