"""An existing deployment served one organization, named by its reports: it
becomes the tree's one root, with the reports, departments and accounts
attached, so the pages look as before."""

from django.conf import settings
from django.db import migrations

# treebeard's materialized path: 4 characters a level from this alphabet
# (MP_Node.steplen, MP_Node.alphabet); historical models have no add_root().
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def _root_path(number):
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")


def forwards(apps, schema_editor):
    Organization = apps.get_model("tracker", "Organization")
    Report = apps.get_model("tracker", "Report")
    Department = apps.get_model("tracker", "Department")
    AccountProfile = apps.get_model("tracker", "AccountProfile")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    # Newest first: the organization the departments and accounts join when the
    # reports name several (a renamed county) is the latest report's.
    names = list(
        Report.objects.order_by("-year", "-imported_at").values_list(
            "organization", flat=True
        )
    )
    distinct = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    if not distinct:
        return
    organizations = {}
    for number, name in enumerate(sorted(distinct), start=1):
        organizations[name] = Organization.objects.create(
            name=name, kind="county", path=_root_path(number), depth=1, numchild=0
        )
    for name, organization in organizations.items():
        Report.objects.filter(organization__in=[name, f" {name}", f"{name} "]).update(
            organization_unit=organization
        )
    home = organizations[distinct[0]]
    Department.objects.filter(organization__isnull=True).update(organization=home)
    with_profile = AccountProfile.objects.values_list("user_id", flat=True)
    AccountProfile.objects.bulk_create(
        AccountProfile(user_id=pk)
        for pk in User.objects.exclude(pk__in=with_profile).values_list("pk", flat=True)
    )
    AccountProfile.objects.filter(organization__isnull=True).update(organization=home)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0016_organizations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
