"""The thesaurus of the field's synonyms that the suggestions use."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..forms import ThesaurusEntryAdminForm
from ..models import ThesaurusEntry
from ..services.thesaurus import thesaurus_entry_add, thesaurus_entry_set_active
from .mixins import CleanInputAdminMixin, NoDeleteMixin, NoRevertHistoryMixin


@admin.register(ThesaurusEntry)
class ThesaurusEntryAdmin(
    CleanInputAdminMixin, NoDeleteMixin, NoRevertHistoryMixin, SimpleHistoryAdmin
):
    """Pairs of synonyms added to the thesaurus shipped with the app
    (tracker/importing/data/thesaurus.txt). Adding goes through
    ``thesaurus_entry_add``; an entry is never deleted or reworded, only taken out
    of use (``thesaurus_entry_set_active``), the history saying who and why."""

    form = ThesaurusEntryAdminForm
    list_display = ("term", "synonym", "is_active", "created_by", "created_at")
    list_filter = ("is_active",)
    search_fields = ("term", "synonym")
    list_select_related = ("created_by",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("term", "synonym", "change_reason")
        return (
            "term",
            "synonym",
            "is_active",
            "created_by",
            "created_at",
            "change_reason",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("term", "synonym", "created_by", "created_at")

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["change_reason"]
        if change:
            saved = thesaurus_entry_set_active(
                user=request.user,
                entry=obj,
                is_active=form.cleaned_data["is_active"],
                reason=reason,
            )
        else:
            saved = thesaurus_entry_add(
                user=request.user,
                term=form.cleaned_data["term"],
                synonym=form.cleaned_data["synonym"],
                reason=reason,
            )
        obj.pk = saved.pk
