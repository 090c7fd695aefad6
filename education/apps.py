from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Education library"
    default_auto_field = "django.db.models.BigAutoField"
