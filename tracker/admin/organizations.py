"""The organization tree: added and moved in the admin, never deleted."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from ..models import Organization
from ..services.dashboard import reports_invalidate_dashboards
from ..text import CleanCharField
from .mixins import CleanInputAdminMixin, InvalidatesDashboardsMixin


class OrganizationForm(
    movenodeform_factory(Organization, fields=["name", "kind", "notice_prefix"])
):
    # treebeard's form declares its fields itself, so the admin's cleaning
    # (CleanInputAdminMixin) does not reach them: declared clean here.
    name = CleanCharField(label=_("name"), max_length=100)
    notice_prefix = CleanCharField(
        label=_("supervision notice prefix"), max_length=20, required=False
    )


# Its name heads the city's cached ranking, list and 通报 rows, and the tree
# decides whose rows a city's pages show: an edit or a move invalidates every
# report's cached figures (InvalidatesDashboardsMixin, move_node).
@admin.register(Organization)
class OrganizationAdmin(CleanInputAdminMixin, InvalidatesDashboardsMixin, TreeAdmin):
    form = OrganizationForm
    list_display = ("name", "kind", "notice_prefix")
    search_fields = ("name",)

    def move_node(self, request):
        # treebeard's drag and drop moves a node without save_model.
        response = super().move_node(request)
        reports_invalidate_dashboards()
        return response

    # Reports, departments and accounts name their organization (PROTECT): an
    # organization is part of the record like a department.
    def has_delete_permission(self, request, obj=None):
        return False
