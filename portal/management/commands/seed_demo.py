from importlib import import_module, util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone


class Command(BaseCommand):
    help = "Create or refresh the demo practice (idempotent: running it twice leaves the same rows)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if util.find_spec(module_name) is None:
                    continue
                import_module(module_name).seed(today)
                self.stdout.write(f"seeded {config.label}")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins are listed in README.md."))
