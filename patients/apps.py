from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The reminder kinds of follow-ups, visits and messages, registered with the engine in portal once
        # the app registry is ready (their modules import models).
        from patients.followups import reminders as followup_reminders
        from patients.messaging import reminders as message_reminders
        from patients.safety import reminders as safety_reminders
        from patients.visits import reminders as visit_reminders

        followup_reminders.register()
        visit_reminders.register()
        message_reminders.register()
        safety_reminders.register()
