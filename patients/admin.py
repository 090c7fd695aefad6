from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from patients.models import CheckIn, Consent, Intake, Patient, WaitlistEntry


class IntakeInline(admin.StackedInline):
    model = Intake
    extra = 0
    can_delete = False
    fields = ("review_status", "screening_outcome", "deferred_until", "submitted_at", "reviewed_by", "reviewed_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "user", "state", "treatment_phase", "created_at")
    list_filter = ("state", "treatment_phase")
    search_fields = ("legal_first_name", "legal_last_name", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "state")
    autocomplete_fields = ("user",)
    inlines = [IntakeInline]


@admin.register(Intake)
class IntakeAdmin(SimpleHistoryAdmin):
    list_display = ("patient", "review_status", "screening_outcome", "deferred_until", "submitted_at", "reviewed_by")
    list_filter = ("review_status", "screening_outcome", "patient__state")
    search_fields = ("patient__legal_first_name", "patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user", "reviewed_by")
    raw_id_fields = ("patient", "reviewed_by")
    date_hierarchy = "submitted_at"


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "version", "given_at", "ip_address")
    list_filter = ("kind", "version")
    search_fields = ("patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user",)
    raw_id_fields = ("patient",)

    # A consent is a record of what the patient agreed to: it is never edited afterwards.
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ("email", "state_code", "created_at")
    list_filter = ("state_code",)
    search_fields = ("email",)


@admin.register(CheckIn)
class CheckInAdmin(SimpleHistoryAdmin):
    list_display = ("patient", "kind", "recorded_at", "pain", "enjoyment", "activity", "peg")
    list_filter = ("kind",)
    search_fields = ("patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user",)
    raw_id_fields = ("patient",)
    date_hierarchy = "recorded_at"

    @admin.display(description="PEG")
    def peg(self, obj):
        return obj.score
