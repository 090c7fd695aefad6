from django.apps import AppConfig


class PrescriptionsConfig(AppConfig):
    name = "prescriptions"
    verbose_name = "Prescriptions and pharmacies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from patients.followups.services import register_dose_change_source
        from prescriptions.orders.reminders import register
        from prescriptions.plans.followups import plan_dose_changes

        register()
        # Follow-ups are derived from the plan's dose changes (docs/domain.md "Follow-ups").
        register_dose_change_source(plan_dose_changes)
