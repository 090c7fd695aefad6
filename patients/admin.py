from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "user", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "state")
    autocomplete_fields = ("user",)
