from django.apps import AppConfig
from django.db.models.signals import post_save


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The reminder kinds of follow-ups, visits and messages, registered with the engine in portal once
        # the app registry is ready (their modules import models).
        from patients.billing import notifications as billing_notifications
        from patients.followups import reminders as followup_reminders
        from patients.intake.services import state_saved
        from patients.messaging import reminders as message_reminders
        from patients.safety import coverage
        from patients.safety import reminders as safety_reminders
        from patients.visitnotes import reminders as visit_note_reminders
        from patients.visits import reminders as visit_reminders
        from portal.models import PhysicianLicense, ServiceState

        followup_reminders.register()
        visit_reminders.register()
        visit_note_reminders.register()
        message_reminders.register()
        safety_reminders.register()
        coverage.register()
        billing_notifications.register()
        # A license changed in the admin: flag that physician's visits it no longer covers at once.
        post_save.connect(coverage.license_changed, sender=PhysicianLicense, dispatch_uid="coverage_license_changed")
        # A state the practice starts to serve: its waitlist is told.
        post_save.connect(state_saved, sender=ServiceState, dispatch_uid="waitlist_state_served")
