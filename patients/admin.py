from django.contrib import admin
from django.contrib import messages as admin_messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from patients.models import (
    Appointment,
    Attachment,
    CheckIn,
    Consent,
    Intake,
    Message,
    Patient,
    PhysicianProfile,
    Thread,
    TimeOff,
    VisitJoinAttempt,
    VisitType,
    WaitlistEntry,
    WeeklyAvailability,
)
from patients.visits.services import appointment_cancel
from portal.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from portal.models import User


class IntakeInline(admin.StackedInline):
    model = Intake
    extra = 0
    can_delete = False
    fields = ("review_status", "screening_outcome", "deferred_until", "submitted_at", "reviewed_by", "reviewed_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    audit_patient = "user"
    list_display = ("full_name", "user", "state", "treatment_phase", "created_at")
    list_filter = ("state", "treatment_phase")
    search_fields = ("legal_first_name", "legal_last_name", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "state")
    autocomplete_fields = ("user",)
    inlines = [IntakeInline]


@admin.register(Intake)
class IntakeAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ("patient", "review_status", "screening_outcome", "deferred_until", "submitted_at", "reviewed_by")
    list_filter = ("review_status", "screening_outcome", "patient__state")
    search_fields = ("patient__legal_first_name", "patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user", "reviewed_by")
    raw_id_fields = ("patient", "reviewed_by")
    date_hierarchy = "submitted_at"


@admin.register(Consent)
class ConsentAdmin(AuditedAdminMixin, admin.ModelAdmin):
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
class CheckInAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ("patient", "kind", "recorded_at", "pain", "enjoyment", "activity", "peg")
    list_filter = ("kind",)
    search_fields = ("patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user",)
    raw_id_fields = ("patient",)
    date_hierarchy = "recorded_at"

    @admin.display(description="PEG")
    def peg(self, obj):
        return obj.score


# --- Video visits and secure messages ---------------------------------------------------------


class PhysicianFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return field.get_choices(
            include_blank=False, ordering=("last_name",), limit_choices_to={"role": User.Role.PHYSICIAN}
        )


@admin.register(VisitType)
class VisitTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "duration_minutes")
    readonly_fields = ("kind",)

    # The two kinds are what booking relies on; admins rename them or change their length.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PhysicianProfile)
class PhysicianProfileAdmin(admin.ModelAdmin):
    list_display = ("physician", "timezone")
    list_select_related = ("physician",)
    raw_id_fields = ("physician",)


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin):
    list_display = ("physician", "weekday", "start_time", "end_time")
    list_filter = (("physician", PhysicianFilter), "weekday")
    list_select_related = ("physician",)
    raw_id_fields = ("physician",)


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ("physician", "starts_at", "ends_at", "reason")
    list_filter = (("physician", PhysicianFilter),)
    list_select_related = ("physician",)
    raw_id_fields = ("physician",)
    date_hierarchy = "starts_at"


class VisitJoinAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VisitJoinAttempt
    extra = 0
    fields = ("at", "user", "stated_state_code", "allowed", "ip_address")
    readonly_fields = fields


@admin.register(Appointment)
class AppointmentAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("starts_at", "physician", "patient", "visit_type", "location_state", "status")
    list_filter = (("physician", PhysicianFilter), "location_state", "status", "visit_type", "starts_at")
    search_fields = ("patient__legal_first_name", "patient__legal_last_name", "patient__user__email")
    list_select_related = ("physician", "patient__user", "visit_type", "location_state")
    date_hierarchy = "starts_at"
    exclude = ("video_room",)
    inlines = [VisitJoinAttemptInline]
    actions = ["cancel_visits"]

    @admin.action(description="Cancel the selected visits (a due follow-up becomes due again)")
    def cancel_visits(self, request, queryset):
        cancelled = 0
        for appointment in queryset.filter(status=Appointment.Status.BOOKED):
            try:
                appointment_cancel(appointment=appointment, by=request.user, enforce_cutoff=False)
            except ValidationError as exc:
                self.message_user(request, f"{appointment}: {' '.join(exc.messages)}", admin_messages.ERROR)
            else:
                cancelled += 1
        self.message_user(request, f"{cancelled} visit(s) cancelled. Please let the patients know.")


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size")
    readonly_fields = fields


class MessageInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = Message
    extra = 0
    fields = ("created_at", "sender", "from_patient", "body", "article_slug")
    readonly_fields = fields
    show_change_link = True


@admin.register(Thread)
class ThreadAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "patient", "created_at", "last_message_at")
    list_filter = ("patient__state",)
    search_fields = ("patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user",)
    date_hierarchy = "last_message_at"
    fields = ("patient", "subject", "created_by", "created_at", "last_message_at")
    readonly_fields = fields
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    audit_patient = "thread.patient.user"
    list_display = ("pk", "thread", "sender", "from_patient", "created_at")
    list_filter = ("from_patient",)
    list_select_related = ("sender", "thread")
    date_hierarchy = "created_at"
    fields = ("thread", "sender", "from_patient", "created_at", "body", "article_slug")
    readonly_fields = fields
    inlines = [AttachmentInline]
