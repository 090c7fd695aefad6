from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Education library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from education import signals  # noqa: F401 - connects the cache-clearing receivers
