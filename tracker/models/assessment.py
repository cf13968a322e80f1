"""考核: the ranking's weights."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AssessmentWeights(models.Model):
    """The weights of the department ranking's composite score (考核权重), in
    percent: one row, edited in the admin
    (``services.assessment.assessment_weights_set``), every edit kept in the history.
    While no row is saved, ``current()`` answers the defaults.
    ``selectors.assessment.department_indicators`` explains each part."""

    # The row the admin edits: there is only ever this one.
    SINGLETON_PK = 1
    # 催办次数 weighs nothing until an administrator gives it a share.
    DEFAULTS = {
        "on_time": 40,
        "rating": 40,
        "returns": 10,
        "supervision": 10,
        "chases": 0,
    }

    on_time = models.PositiveSmallIntegerField(
        _("on-time completion"),
        default=DEFAULTS["on_time"],
        help_text=_("Share of the score for finishing on time (按期办结率)."),
    )
    rating = models.PositiveSmallIntegerField(
        _("result rating"),
        default=DEFAULTS["rating"],
        help_text=_("Share of the score for the ratings of finished work."),
    )
    returns = models.PositiveSmallIntegerField(
        _("returns for rework"),
        default=DEFAULTS["returns"],
        help_text=_("Share of the score for work accepted without being returned."),
    )
    supervision = models.PositiveSmallIntegerField(
        _("supervision notices"),
        default=DEFAULTS["supervision"],
        help_text=_("Share of the score for receiving no yellow or red notices."),
    )
    chases = models.PositiveSmallIntegerField(
        _("chases (催办)"),
        default=DEFAULTS["chases"],
        help_text=_("Share of the score for needing no chase (催办次数)."),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    # An organization's own weights; the row without one (SINGLETON_PK) is the
    # deployment's, in force wherever an organization has none.
    organization = models.OneToOneField(
        "tracker.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment_weights",
        verbose_name=_("organization"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment weights")
        verbose_name_plural = _("assessment weights")

    def __str__(self):
        return (
            gettext(
                "On time %(on_time)d, rating %(rating)d, returns %(returns)d, "
                "supervision %(supervision)d"
            )
            % self.as_dict()
        )

    def clean(self):
        total = sum(self.as_dict().values())
        if total != 100:
            raise ValidationError(
                gettext(
                    "The weights add up to %(total)d; they must add up to 100. "
                    "Nothing was saved."
                )
                % {"total": total}
            )

    def as_dict(self) -> dict:
        return {name: getattr(self, name) or 0 for name in self.DEFAULTS}

    @classmethod
    def current(cls, organization_id=None) -> "AssessmentWeights":
        """The weights in force: the organization's own row, else the
        deployment's saved row, else the defaults (unsaved)."""
        if organization_id is None:
            return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(
                pk=cls.SINGLETON_PK
            )
        # Both candidates in one query (the rankings ask on every view).
        rows = list(
            cls.objects.filter(
                Q(organization_id=organization_id) | Q(pk=cls.SINGLETON_PK)
            )[:2]
        )
        own = [row for row in rows if row.organization_id == organization_id]
        saved = [row for row in rows if row.pk == cls.SINGLETON_PK]
        return (own or saved or [cls(pk=cls.SINGLETON_PK)])[0]
