"""The states the practice is licensed in at launch (docs/domain.md "Service states and licenses"). Admins change the list later."""

from django.db import migrations

LAUNCH_STATES = [
    ("IA", "Iowa", "America/Chicago"),
    ("IL", "Illinois", "America/Chicago"),
    ("MO", "Missouri", "America/Chicago"),
    ("FL", "Florida", "America/New_York"),
    ("GA", "Georgia", "America/New_York"),
    ("TX", "Texas", "America/Chicago"),
]


def create_states(apps, schema_editor):
    ServiceState = apps.get_model("portal", "ServiceState")
    for code, name, tz in LAUNCH_STATES:
        ServiceState.objects.get_or_create(code=code, defaults={"name": name, "timezone": tz, "active": True})


def remove_states(apps, schema_editor):
    ServiceState = apps.get_model("portal", "ServiceState")
    ServiceState.objects.filter(code__in=[code for code, _, _ in LAUNCH_STATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_states, remove_states)]
