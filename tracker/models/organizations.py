"""Organizations: the tree a deployment serves (province → city → county →
township), and the one rule of which organizations' rows a user sees."""

from django.db import models
from django.db.models import Exists, Q, Subquery
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class Organization(MP_Node):
    """One government (巫溪县, a city, a township) in the tree of who reports to
    whom. Stored as a materialized path (django-treebeard): "everything below this
    city" is ``path LIKE '<city's path>%'``, one indexed match whatever the depth,
    which is how every page scopes its rows (``organization_scope_q``)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County or district")
        TOWNSHIP = "township", _("Township or street")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.COUNTY
    )
    # 发文机关代字 of the organization's 督办单 (巫法督〔2026〕3号); a report's own
    # prefix, when set, wins (Report.notice_prefix_or_default).
    notice_prefix = models.CharField(
        _("supervision notice prefix"),
        max_length=20,
        blank=True,
        help_text=_(
            "The abbreviation in the numbers of this organization's supervision "
            "notices, as in 巫法督〔2026〕3号. Empty: its first character + 法督."
        ),
    )

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="organization_unique_name")
        ]

    def __str__(self):
        return self.name

    def notice_prefix_or_default(self):
        return self.notice_prefix.strip() or f"{self.name[:1]}法督"


def only_organization():
    """The deployment's organization when it has exactly one, else ``None``: what
    a new account or a new report belongs to by default."""
    first_two = list(Organization.objects.order_by("pk")[:2])
    return first_two[0] if len(first_two) == 1 else None


def several_organizations():
    """SQL: whether the deployment has more than one organization, the test
    that takes an account without one out of every organization's scope."""
    first = Organization.objects.order_by("pk").values("pk")[:1]
    return Exists(Organization.objects.exclude(pk=Subquery(first)))


def organization_scope_q(user, path_field):
    """The rows whose organization (its materialized path at ``path_field``, e.g.
    ``"report__organization_unit__path"``) lies in ``user``'s subtree: their own
    organization and everything below it. Written as subqueries, so a page that
    scopes its rows issues no query more than before.

    A user with no organization is a deployment's user from before organizations
    (the upgrade gives everybody the one organization; a new account gets it by
    default): they see everything while the deployment has at most one
    organization, and nothing once it has several. A superuser with no organization
    administers the whole platform and sees everything."""
    from .accounts import AccountProfile

    if not user.is_authenticated:
        return Q(pk__in=[])
    # The user's organization as the permissions read it with their groups
    # (``permissions.roles._organization``, kept on the user for the request):
    # a literal prefix lets PostgreSQL find the county's reports first, where the
    # subquery below made it read every county's items and filter them by path
    # (7,471 rows for 71 at 100 counties: 47 ms for the supervisor's 督办 list).
    known = getattr(user, "_tracker_organization", None)
    if known is not None and known[0] is not None:
        return Q(**{f"{path_field}__startswith": known[1]})
    own = AccountProfile.objects.filter(user_id=user.pk, organization__isnull=False)
    in_subtree = Q(
        **{f"{path_field}__startswith": Subquery(own.values("organization__path")[:1])}
    )
    unscoped = ~Exists(own)
    if not user.is_superuser:
        unscoped &= ~several_organizations()
    return in_subtree | Q(unscoped)


def subtree_ids_q(organization, field="organization"):
    """Rows of ``organization`` or an organization below it (a known node)."""
    return Q(**{f"{field}__path__startswith": organization.path})
