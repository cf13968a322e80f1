"""The organization tree: added and moved in the admin, never deleted."""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from ..models import Organization


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    form = movenodeform_factory(Organization, fields=["name", "kind", "notice_prefix"])
    list_display = ("name", "kind", "notice_prefix")
    search_fields = ("name",)

    # Reports, departments and accounts name their organization (PROTECT): an
    # organization is part of the record like a department.
    def has_delete_permission(self, request, obj=None):
        return False
