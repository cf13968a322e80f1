"""The thesaurus of the field's synonyms: administrators add pairs to the one
shipped with the app, and take them out of use again."""

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import ThesaurusEntry
from ..selectors.thesaurus import current_thesaurus
from .common import ServiceError, refuse_unless, save_recorded
from .dashboard import reports_invalidate_dashboards

# A thesaurus word is a Chinese word or phrase as a report writes it: what the
# segmentation keeps whole (Chinese characters only, 2 to 30 of them).
_WORD_RE = re.compile(r"[\u4e00-\u9fff]{2,30}")


def thesaurus_entry_check(*, term: str, synonym: str) -> tuple[str, str]:
    """The pair as it would be stored (spaces stripped), or ServiceError saying why
    it cannot be: not two different Chinese words, already synonyms in the shipped
    thesaurus (shipped or added), or already an entry (in use or not)."""
    term, synonym = (term or "").strip(), (synonym or "").strip()
    for word in (term, synonym):
        if not _WORD_RE.fullmatch(word):
            raise ServiceError(
                _("“%(word)s” is not a word of 2 to 30 Chinese characters.")
                % {"word": word}
            )
    if term == synonym:
        raise ServiceError(_("A word is not its own synonym."))
    concept = current_thesaurus().concept
    if term in concept and concept.get(term) == concept.get(synonym):
        raise ServiceError(
            _("%(term)s and %(synonym)s are already synonyms in the thesaurus.")
            % {"term": term, "synonym": synonym}
        )
    if ThesaurusEntry.objects.filter(
        term__in=(term, synonym), synonym__in=(term, synonym)
    ).exists():
        raise ServiceError(
            _("%(term)s ≈ %(synonym)s is already an entry of the thesaurus.")
            % {"term": term, "synonym": synonym}
        )
    return term, synonym


@transaction.atomic
def thesaurus_entry_add(
    *, user, term: str, synonym: str, reason: str
) -> ThesaurusEntry:
    """Add two words as synonyms: from now on the follow-up and link suggestions
    count one as the other, and name the pair in their reasons. The history row
    names the administrator and the reason."""
    refuse_unless(permissions.can_edit_thesaurus(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A reason is required."))
    term, synonym = thesaurus_entry_check(term=term, synonym=synonym)
    entry = ThesaurusEntry(term=term, synonym=synonym, created_by=user)
    save_recorded(entry, user=user, reason=reason)
    # The obligation pages keep their suggestions per report revision.
    reports_invalidate_dashboards()
    return entry


@transaction.atomic
def thesaurus_entry_set_active(
    *, user, entry: ThesaurusEntry, is_active: bool, reason: str
) -> ThesaurusEntry:
    """Take an entry out of use (or back into it): never deleted, the history says
    who and why."""
    refuse_unless(permissions.can_edit_thesaurus(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A reason is required."))
    entry = ThesaurusEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.is_active != is_active:
        entry.is_active = is_active
        save_recorded(entry, user=user, reason=reason, update_fields=["is_active"])
        reports_invalidate_dashboards()
    return entry
