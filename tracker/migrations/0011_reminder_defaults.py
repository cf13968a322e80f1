"""The default reminder tiers, the (inactive) escalation rules and the system user
that writes the automatic escalations' timeline entries."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations

# Kept equal to tracker.reminders.SYSTEM_USERNAME / SYSTEM_NAME.
SYSTEM_USERNAME = "system"
SYSTEM_NAME = "系统"


def create_defaults(apps, schema_editor):
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
        ("tracker", "0010_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
