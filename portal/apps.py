from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Practice"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from portal import adapters, license_reminders
        from portal.models import ServiceState
        from portal.selectors import served_state_names_forget

        adapters.register()
        license_reminders.register()
        for signal in (post_save, post_delete):
            signal.connect(served_state_names_forget, sender=ServiceState, dispatch_uid=f"served-states-{signal}")
