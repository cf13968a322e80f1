"""The organization tree: added and moved in the admin, never deleted."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from ..models import Organization
from ..text import CleanCharField
from .mixins import CleanInputAdminMixin


class OrganizationForm(
    movenodeform_factory(Organization, fields=["name", "kind", "notice_prefix"])
):
    # treebeard's form declares its fields itself, so the admin's cleaning
    # (CleanInputAdminMixin) does not reach them: declared clean here.
    name = CleanCharField(label=_("name"), max_length=100)
    notice_prefix = CleanCharField(
        label=_("supervision notice prefix"), max_length=20, required=False
    )


@admin.register(Organization)
class OrganizationAdmin(CleanInputAdminMixin, TreeAdmin):
    form = OrganizationForm
    list_display = ("name", "kind", "notice_prefix")
    search_fields = ("name",)

    # Reports, departments and accounts name their organization (PROTECT): an
    # organization is part of the record like a department.
    def has_delete_permission(self, request, obj=None):
        return False
