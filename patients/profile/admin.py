"""Admin for health-answer changes made from the profile: read-only, audited (they hold health
data). Registered from patients/admin.py."""

from __future__ import annotations

from django.contrib import admin

from patients.models import HealthAnswerChange
from portal.admin import AuditedAdminMixin, ReadOnlyAdminMixin


@admin.register(HealthAnswerChange)
class HealthAnswerChangeAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("patient", "topic", "changed_at", "reviewed_at", "reviewed_by")
    list_filter = ("topic", ("reviewed_at", admin.EmptyFieldListFilter))
    search_fields = ("patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user", "reviewed_by")
    date_hierarchy = "changed_at"
    fields = ("patient", "topic", "before", "after", "changed_at", "changed_by", "reviewed_at", "reviewed_by")
    readonly_fields = fields
