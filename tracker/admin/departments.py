"""Departments: members, robots, deactivation."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    Department,
)
from ..notifications.addresses import validate_webhook_url
from .mixins import (
    CleanInputAdminMixin,
    DeactivateNotDeleteMixin,
    InvalidatesDashboardsMixin,
)


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
        "is_active",
        "member_count",
        "obligation_count",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "short_name")
    filter_horizontal = ("members",)
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

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, department):
        return department._members

    @admin.display(description=_("obligations"), ordering="_obligations")
    def obligation_count(self, department):
        return department._obligations
