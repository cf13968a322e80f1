"""What the supervision engine needs in the data: the 签收 clock of obligations
assigned before it existed, the default reminder tiers, the (inactive) escalation
rules and the system user that signs the automatic escalations."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.utils import timezone

# Kept equal to tracker.services.SYSTEM_USERNAME / SYSTEM_NAME (a migration does
# not import the app's code, which changes after it).
SYSTEM_USERNAME = "system"
SYSTEM_NAME = "系统"


def start_acknowledgement_clock(apps, schema_editor):
    # Obligations assigned before 签收 existed wait for it from the upgrade on, not
    # from an unknown day in the past (which would flood the first reminders).
    Obligation = apps.get_model("tracker", "Obligation")
    Obligation.objects.filter(
        department__isnull=False, department_assigned_at__isnull=True
    ).update(department_assigned_at=timezone.now())


def create_defaults(apps, schema_editor):
    # Idempotent: the test suite calls it again after each flush (tests/conftest.py).
    ReminderTier = apps.get_model("tracker", "ReminderTier")
    EscalationRule = apps.get_model("tracker", "EscalationRule")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for kind, workdays in (("before", 3), ("due", 0), ("overdue", 3)):
        ReminderTier.objects.get_or_create(kind=kind, workdays=workdays)
    if not EscalationRule.objects.exists():
        EscalationRule.objects.create(overdue_workdays=5, level="yellow")
        EscalationRule.objects.create(overdue_workdays=10, level="red")
    # Inactive with an unusable password: it can never log in.
    User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "first_name": SYSTEM_NAME,
            "is_active": False,
            "password": make_password(None),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0005_supervision_engine"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(start_acknowledgement_clock, migrations.RunPython.noop),
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
