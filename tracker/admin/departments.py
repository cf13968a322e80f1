"""Departments: members, robots, deactivation."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    Department,
    display_name,
)
from ..notifications.addresses import validate_webhook_url
from ..text import CleanCharField
from .mixins import (
    CleanInputAdminMixin,
    DeactivateNotDeleteMixin,
    InvalidatesDashboardsMixin,
)


class DepartmentAdminForm(forms.ModelForm):
    """The robot's 加签 secret is written, never shown back: the field starts
    empty, an empty field keeps the secret, and only its last four characters are
    named in the help text."""

    webhook_secret = CleanCharField(
        label=_("robot signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    clear_webhook_secret = forms.BooleanField(
        label=_("Remove the signing secret"), required=False
    )

    class Meta:
        model = Department
        fields = (
            "name",
            "short_name",
            "organization",
            "kind",
            "members",
            "signoff_required",
            "heads",
            "is_active",
            "webhook_url",
            "webhook_kind",
            "webhook_secret",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        secret = self.instance.webhook_secret if self.instance.pk else ""
        field = self.fields["webhook_secret"]
        if secret:
            field.help_text = _(
                "A secret ending in …%(tail)s is set. Leave empty to keep it."
            ) % {"tail": secret[-4:]}
        else:
            field.help_text = Department._meta.get_field("webhook_secret").help_text

    def clean(self):
        cleaned = super().clean()
        kept = self.instance.webhook_secret if self.instance.pk else ""
        typed = (cleaned.get("webhook_secret") or "").strip()
        if cleaned.get("clear_webhook_secret"):
            cleaned["webhook_secret"] = ""
        else:
            cleaned["webhook_secret"] = typed or kept
        return cleaned


@admin.register(Department)
class DepartmentAdmin(
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    DeactivateNotDeleteMixin,
    admin.ModelAdmin,
):
    list_display = (
        "name",
        "short_name",
        "organization",
        "kind",
        "signoff_required",
        "is_active",
        "member_count",
        "obligation_count",
    )
    form = DepartmentAdminForm
    list_filter = ("is_active", "kind", "signoff_required", "organization")
    search_fields = ("name", "short_name")
    filter_horizontal = ("members", "heads")
    readonly_fields = ("member_list",)
    fields = (
        "name",
        "short_name",
        "organization",
        "kind",
        "is_active",
        "webhook_url",
        "webhook_kind",
        "webhook_secret",
        "clear_webhook_secret",
        "member_list",
        "members",
        "signoff_required",
        "heads",
    )
    actions = ("deactivate_selected",)
    may_delete = staticmethod(permissions.can_delete_department)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "webhook_url":
            # https, public hosts: the rules of notifications.addresses.
            field.validators.append(validate_webhook_url)
        return field

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _members=Count("members", distinct=True),
                _obligations=Count("obligations", distinct=True),
            )
            # An aggregate drops Meta.ordering; the autocomplete paginates this.
            .order_by("name")
        )

    @admin.display(description=_("Current members"))
    def member_list(self, department):
        """Who is in the department (name, role, address), each a link to their
        account, and the button that makes a new member in one screen."""
        add = reverse("admin:auth_user_add")
        if department.pk is None:
            return gettext("Save the department first, then add its members.")
        button = format_html(
            '<a class="addlink" href="{}?departments={}">{}</a>',
            add,
            department.pk,
            gettext("Add a new member"),
        )
        members = department.members.order_by("first_name", "username")
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> · {} · {}</li>',
            (
                (
                    reverse("admin:auth_user_change", args=[user.pk]),
                    display_name(user),
                    permissions.role_label(user) or "—",
                    user.email or gettext("no email address"),
                )
                for user in members
            ),
        )
        if not rows:
            rows = format_html("<li>{}</li>", gettext("No members yet."))
        return format_html('<ul class="member-list">{}</ul><p>{}</p>', rows, button)

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, department):
        return department._members

    @admin.display(description=_("obligations"), ordering="_obligations")
    def obligation_count(self, department):
        return department._obligations
