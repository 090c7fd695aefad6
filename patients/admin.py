import datetime as dt

from django.contrib import admin
from django.contrib import messages as admin_messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from patients.models import (
    Appointment,
    Attachment,
    CheckIn,
    Consent,
    FollowUp,
    Intake,
    Message,
    Patient,
    PhysicianProfile,
    RecallContact,
    Thread,
    TimeOff,
    VisitEvent,
    VisitJoinAttempt,
    VisitNote,
    VisitNoteAddendum,
    VisitType,
    WaitlistEntry,
    WeeklyAvailability,
)
from patients.safety.coverage import uncovered_states
from patients.visits.services import appointment_cancel
from portal.admin import AuditedAdminMixin, ReadOnlyAdminMixin, ServedStateListFilter, person_column
from portal.models import User


class IntakeInline(admin.StackedInline):
    model = Intake
    extra = 0
    can_delete = False
    fields = ("review_status", "screening_outcome", "deferred_until", "submitted_at", "reviewed_by", "reviewed_at")
    readonly_fields = fields
    show_change_link = True


class CoverageFilter(admin.SimpleListFilter):
    """The report "patients without a licensed physician": patients living in a served state where
    no physician holds a license active today (docs/domain.md "Coverage")."""

    title = "licensed physician"
    parameter_name = "coverage"

    def lookups(self, request, model_admin):
        return [("none", "No licensed physician today")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(state__in=uncovered_states())
        return queryset


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    audit_patient = "user"
    list_display = ("full_name", "state", "treatment_phase", "created_at")
    list_filter = (CoverageFilter, ("state", ServedStateListFilter), "treatment_phase")
    search_fields = ("legal_first_name", "legal_last_name", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "state")
    raw_id_fields = ("user",)
    inlines = [IntakeInline]


@admin.register(Intake)
class IntakeAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: the answers are the patient's, the screening is computed from them, and approval
    happens only through a physician's review (licensed in the patient's state, with an override
    reason where the screening asks for one). An admin who could set "Approved" here would skip
    every one of those rules (docs/domain.md "Intake and screening")."""

    list_display = (
        "patient",
        "review_status",
        "screening_outcome",
        "submitted_at",
        person_column("reviewed_by", "Reviewed by"),
    )
    list_filter = ("review_status", "screening_outcome", ("patient__state", ServedStateListFilter))
    search_fields = ("patient__legal_first_name", "patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user", "reviewed_by")
    date_hierarchy = "submitted_at"


class FollowUpDueFilter(admin.SimpleListFilter):
    title = "when due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("week", "Due within 7 days"), ("later", "Due later")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        week = today + dt.timedelta(days=7)
        if self.value() == "overdue":
            return queryset.filter(due_on__lt=today, status=FollowUp.Status.PENDING)
        if self.value() == "week":
            return queryset.filter(due_on__gte=today, due_on__lte=week)
        if self.value() == "later":
            return queryset.filter(due_on__gt=week)
        return queryset


class FollowUpPhysicianFilter(admin.SimpleListFilter):
    """The physician of the visit booked for the follow-up."""

    title = "physician of the booked visit"
    parameter_name = "physician"

    def lookups(self, request, model_admin):
        physicians = User.objects.filter(role=User.Role.PHYSICIAN).order_by("last_name", "first_name")
        return [(str(p.pk), p.display_name) for p in physicians]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                appointments__physician_id=self.value(), appointments__status=Appointment.Status.BOOKED
            ).distinct()
        return queryset


class RecallContactInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RecallContact
    fields = ("at", "by", "outcome", "note")
    readonly_fields = fields
    extra = 0


@admin.register(FollowUp)
class FollowUpAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """The practice's recall list: open follow-ups, due and overdue first, with filters by state
    and physician, and the care team's calls about each. Read-only: a follow-up is derived from
    the plan and the visits (docs/domain.md "Follow-ups"); the care team acts on the clinic's
    recall list."""

    inlines = [RecallContactInline]

    list_display = ("patient", "state", "reason", "counts_from", "due_on", "status", "booked_visit")
    list_filter = (
        "status",
        FollowUpDueFilter,
        ("patient__state", ServedStateListFilter),
        FollowUpPhysicianFilter,
        "reason",
    )
    search_fields = ("patient__legal_first_name", "patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user", "patient__state")
    date_hierarchy = "due_on"
    ordering = ("due_on",)

    def get_queryset(self, request):
        booked = Appointment.objects.filter(status=Appointment.Status.BOOKED).select_related("physician")
        return super().get_queryset(request).prefetch_related(Prefetch("appointments", queryset=booked))

    @admin.display(description="State", ordering="patient__state__code")
    def state(self, obj):
        return obj.patient.state.code if obj.patient.state_id else ""

    @admin.display(description="Booked visit")
    def booked_visit(self, obj):
        visit = next(iter(obj.appointments.all()), None)
        if visit is None:
            return ""
        local = timezone.localtime(visit.starts_at)
        return f"{local:%b %-d, %Y %H:%M} with {visit.physician.get_full_name() or visit.physician.email}"


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
    """Physicians only, by name ("Dr. Maria Lopez"), not every account by email."""

    def field_choices(self, field, request, model_admin):
        physicians = User.objects.filter(role=User.Role.PHYSICIAN).order_by("last_name", "first_name")
        return [(physician.pk, physician.display_name) for physician in physicians]


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
    list_display = (person_column("physician", "Physician"), "timezone")
    list_select_related = ("physician",)
    raw_id_fields = ("physician",)


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin):
    list_display = (person_column("physician", "Physician"), "weekday", "start_time", "end_time")
    list_filter = (("physician", PhysicianFilter), "weekday")
    list_select_related = ("physician",)
    raw_id_fields = ("physician",)


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = (person_column("physician", "Physician"), "starts_at", "ends_at", "reason")
    list_filter = (("physician", PhysicianFilter),)
    list_select_related = ("physician",)
    raw_id_fields = ("physician",)
    date_hierarchy = "starts_at"


class VisitJoinAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VisitJoinAttempt
    extra = 0
    fields = ("at", "user", "stated_state_code", "allowed", "ip_address")
    readonly_fields = fields


class VisitEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    """What the video room recorded: who joined, was admitted, left, ended the call, and when."""

    model = VisitEvent
    extra = 0
    fields = ("at", "role", "kind", "user", "state_code")
    readonly_fields = fields


@admin.register(Appointment)
class AppointmentAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("starts_at", person_column("physician", "Physician"), "patient", "location_state", "status")
    list_filter = (
        ("physician", PhysicianFilter),
        ("location_state", ServedStateListFilter),
        "status",
        "visit_type",
        "starts_at",
    )
    search_fields = ("patient__legal_first_name", "patient__legal_last_name", "patient__user__email")
    list_select_related = ("physician", "patient__user", "visit_type", "location_state")
    date_hierarchy = "starts_at"
    exclude = ("video_room",)
    inlines = [VisitJoinAttemptInline, VisitEventInline]
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
    list_display = ("pk", "patient", person_column("assigned_to", "Assigned to"), "last_message_at")
    list_filter = (("patient__state", ServedStateListFilter), ("assigned_to", admin.RelatedOnlyFieldListFilter))
    search_fields = ("patient__legal_last_name", "patient__user__email")
    list_select_related = ("patient__user", "assigned_to")
    date_hierarchy = "last_message_at"
    fields = ("patient", "subject", "created_by", "created_at", "last_message_at", "assigned_to", "assigned_at")
    readonly_fields = fields
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    audit_patient = "thread.patient.user"
    list_display = ("pk", "thread", person_column("sender", "Sender"), "from_patient", "created_at")
    list_filter = ("from_patient",)
    list_select_related = ("sender", "thread")
    date_hierarchy = "created_at"
    fields = ("thread", "sender", "from_patient", "created_at", "body", "article_slug")
    readonly_fields = fields
    inlines = [AttachmentInline]


class VisitNoteAddendumInline(ReadOnlyAdminMixin, admin.StackedInline):
    """Addenda are signed by their physician in the portal as they are written."""

    model = VisitNoteAddendum
    extra = 0
    fields = ("signed_at", "author", "text", "content_hash")
    readonly_fields = fields


@admin.register(VisitNote)
class VisitNoteAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: a physician writes and signs the note in the portal, and a signed note is never
    changed (docs/domain.md "Visit notes and after-visit summaries"); the history shows each draft."""

    audit_patient = "appointment.patient.user"
    list_display = ("appointment", person_column("author", "Author"), "signed_at", "created_at")
    list_filter = (("signed_at", admin.EmptyFieldListFilter),)
    list_select_related = ("appointment__visit_type", "author")
    search_fields = ("appointment__patient__legal_last_name", "appointment__patient__user__email")
    date_hierarchy = "created_at"
    fields = (
        *("appointment", "author", "created_at", "updated_at"),
        *("subjective", "assessment", "plan", "summary_decided", "summary_next_steps", "summary_next_visit"),
        *("signed_at", "signed_by", "content_hash"),
    )
    readonly_fields = fields
    inlines = [VisitNoteAddendumInline]


# Cash pay: fee schedule, estimates and superbills; payments and Stripe events.
from patients.billing import admin as billing_admin  # noqa: E402, F401
from patients.payments import admin as payments_admin  # noqa: E402, F401
from patients.profile import admin as profile_admin  # noqa: E402, F401
