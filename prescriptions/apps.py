from django.apps import AppConfig


class PrescriptionsConfig(AppConfig):
    name = "prescriptions"
    verbose_name = "Prescriptions and pharmacies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prescriptions.orders.reminders import register

        register()
