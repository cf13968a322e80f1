"""The thesaurus of the field's synonyms, as administrators extend it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ThesaurusEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ThesaurusEntry(models.Model):
    """Two words that mean the same in a rule-of-law report (复议 and 行政复议), added
    by an administrator to the thesaurus shipped with the app
    (tracker/importing/data/thesaurus.txt) through
    ``services.thesaurus.thesaurus_entry_add``. The follow-up and link suggestions
    use every active entry (``selectors.thesaurus.current_thesaurus``). Never
    deleted: an entry no longer wanted is deactivated, the history says who and
    why."""

    term = models.CharField(_("term"), max_length=30)
    synonym = models.CharField(_("synonym"), max_length=30)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    objects = ThesaurusEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thesaurus entry")
        verbose_name_plural = _("thesaurus entries")
        ordering = ["term", "synonym"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "synonym"], name="thesaurus_entry_unique_pair"
            )
        ]

    def __str__(self):
        return f"{self.term} ≈ {self.synonym}"
