from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import AuditedAdminMixin, ReadOnlyAdminMixin, person_column
from prescriptions.models import (
    CompoundingRecord,
    FaxTransmission,
    OrderEvent,
    OrderVerification,
    Pharmacy,
    PharmacyLicense,
    PharmacyMembership,
    PharmacyPreference,
    PharmacyPriceRange,
    PlanEvent,
    PrescriptionOrder,
    RefillRequest,
    StateDefaultPharmacy,
    TitrationPlan,
    TitrationStep,
)
from prescriptions.orders.services import order_content_intact


class PharmacyLicenseInline(admin.TabularInline):
    model = PharmacyLicense
    extra = 0
    fields = ("state", "number", "expires_on", "verified_at")


class PharmacyMembershipInline(admin.TabularInline):
    model = PharmacyMembership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "receives_order_notifications")


class PharmacyPriceRangeInline(admin.TabularInline):
    """What a month of each formulation usually costs here: shown to patients as an estimate on the
    prices page and in Good Faith Estimates (docs/domain.md "Cash pay")."""

    model = PharmacyPriceRange
    extra = 0


@admin.register(Pharmacy)
class PharmacyAdmin(SimpleHistoryAdmin):
    """How orders reach each pharmacy (its workspace, or fax to its fax number) and who of its staff
    gets the "an order is waiting" emails (docs/domain.md "Pharmacy notifications")."""

    list_display = ("name", "city", "state_code", "phone", "order_delivery", "fax", "active")
    list_filter = ("active", "order_delivery", "state_code")
    search_fields = ("name", "city", "ncpdp_id")
    inlines = [PharmacyLicenseInline, PharmacyMembershipInline, PharmacyPriceRangeInline]


@admin.register(PharmacyLicense)
class PharmacyLicenseAdmin(SimpleHistoryAdmin):
    list_display = ("pharmacy", "state", "number", "expires_on", "active_today")
    # Licenses come before a state is served, so: every state that has a license.
    list_filter = (("state", admin.RelatedOnlyFieldListFilter), "pharmacy")
    search_fields = ("pharmacy__name", "number")
    list_select_related = ("pharmacy", "state")
    date_hierarchy = "expires_on"

    @admin.display(boolean=True, description="Active today")
    def active_today(self, obj):
        return obj.is_active_today


@admin.register(PharmacyMembership)
class PharmacyMembershipAdmin(SimpleHistoryAdmin):
    list_display = (person_column("user", "Person"), "pharmacy", "receives_order_notifications", "added_at")
    list_filter = ("pharmacy", "receives_order_notifications")
    search_fields = ("user__email", "pharmacy__name")
    list_select_related = ("user", "pharmacy")
    raw_id_fields = ("user",)


@admin.register(StateDefaultPharmacy)
class StateDefaultPharmacyAdmin(admin.ModelAdmin):
    list_display = ("state", "pharmacy")
    list_filter = ("pharmacy",)
    list_select_related = ("state", "pharmacy")


@admin.register(PharmacyPreference)
class PharmacyPreferenceAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    """A patient's pharmacy choice, which staff change when a patient asks by phone; every change
    is kept in its history. Routing still sends an order there only when that pharmacy is licensed
    for the ship-to state."""

    list_display = ("patient", "pharmacy", "chosen_at")
    list_filter = ("pharmacy",)
    search_fields = ("patient__legal_last_name", "patient__legal_first_name", "patient__user__email")
    list_select_related = ("patient__user", "pharmacy")
    raw_id_fields = ("patient",)
    fields = ("patient", "pharmacy", "chosen_at")
    readonly_fields = ("patient", "chosen_at")

    def has_add_permission(self, request):
        # Made at intake; staff change it here.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- plans and orders ---------------------------------------------------------------------------


class TitrationStepInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A plan version is never edited: a change is a new version (docs/domain.md "Titration")."""

    model = TitrationStep
    extra = 0
    fields = ("sequence", "dose_mg", "days")


class PlanEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlanEvent
    extra = 0
    fields = ("kind", "effective_on", "dose_mg", "previous_dose_mg", "followup_due_in_days", "actor", "created_at")
    readonly_fields = fields


@admin.register(TitrationPlan)
class TitrationPlanAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "patient",
        "version",
        "formulation",
        "start_date",
        "is_current",
        person_column("created_by", "Created by"),
    )
    list_filter = ("formulation", "dosing_time", "template", ("superseded_at", admin.EmptyFieldListFilter))
    search_fields = ("patient__legal_last_name", "patient__legal_first_name", "patient__user__email")
    list_select_related = ("patient__user", "created_by")
    inlines = [TitrationStepInline, PlanEventInline]
    readonly_fields = [f.name for f in TitrationPlan._meta.fields]

    @admin.display(boolean=True, description="Current")
    def is_current(self, obj):
        return obj.is_current

    def has_add_permission(self, request):
        # Plans are written from the chart, where the rules and the follow-up scheduling apply.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderEvent
    extra = 0
    fields = ("at", "from_status", "to_status", "actor", "actor_role", "note")
    readonly_fields = fields
    ordering = ("at", "id")


class FaxTransmissionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FaxTransmission
    fk_name = "order"
    extra = 0
    fields = ("created_at", "status", "attempts", "reason", "provider_id", "document_sha256", "sent_at", "failed_at")
    readonly_fields = fields
    ordering = ("created_at", "id")


@admin.register(FaxTransmission)
class FaxTransmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every fax of a signed order: status, attempts, why it failed, the fax service's id and the
    hash of the PDF kept in private storage (shown by name only: it is never served at a URL).
    Physicians send a failed fax again from the order's page."""

    list_display = ("__str__", "pharmacy", "status", "attempts", "reason", "created_at", "sent_at", "failed_at")
    list_filter = ("status", "pharmacy")
    list_select_related = ("order", "pharmacy")
    search_fields = ("provider_id", "document_sha256")
    date_hierarchy = "created_at"
    fields = (
        "order", "pharmacy", "to_number", "status", "reason", "attempts", "backend", "provider_id", "page_count",
        "document_sha256", "stored_as", "retry_of", "requested_by", "created_at", "last_attempt_at", "sent_at",
        "failed_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="PDF in private storage")
    def stored_as(self, obj):
        return obj.document.name or "—"


@admin.register(PrescriptionOrder)
class PrescriptionOrderAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ("number", "patient_label", "status", "pharmacy", "ship_to_state", "signed_at", "prescriber_name")
    list_filter = ("status", "pharmacy", "ship_to_state", "formulation")
    search_fields = ("patient_name", "patient__legal_last_name", "tracking_number", "indication_code")
    list_select_related = ("patient__user", "pharmacy")
    date_hierarchy = "created_at"
    inlines = [OrderEventInline, FaxTransmissionInline]
    # Status moves only through order_transition, and signed content is frozen: read-only here.
    readonly_fields = [f.name for f in PrescriptionOrder._meta.fields] + ["content_intact"]

    @admin.display(description="Patient")
    def patient_label(self, obj):
        return obj.patient_name or obj.patient.full_name

    @admin.display(boolean=True, description="Content matches its signature")
    def content_intact(self, obj):
        return order_content_intact(obj) if obj.content_hash else None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RefillRequest)
class RefillRequestAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ("order", "patient", "status", "created_at", person_column("decided_by", "Decided by"))
    list_filter = ("status",)
    list_select_related = ("order", "patient__user", "decided_by")
    readonly_fields = [f.name for f in RefillRequest._meta.fields]

    def has_add_permission(self, request):
        return False


# --- the pharmacy's verification and compounding record -----------------------------------------


@admin.register(OrderVerification)
class OrderVerificationAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A pharmacist's checklist before compounding: a record of what happened, never edited
    (docs/domain.md "Verification and the compounding record")."""

    audit_patient = "order.patient.user"
    list_display = ("order", "pharmacist", "verified_at")
    list_select_related = ("order", "pharmacist")
    search_fields = ("order__id", "content_hash")
    date_hierarchy = "verified_at"
    fields = (
        "order", "pharmacist", "prescriber_confirmed", "patient_confirmed", "allergies_confirmed", "dose_confirmed",
        "dose_check", "content_hash", "verified_at",
    )  # fmt: skip
    readonly_fields = fields


@admin.register(CompoundingRecord)
class CompoundingRecordAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The compounding record of each order (lot, dates, who compounded and who checked). Read-only:
    a correction is a new record made on the pharmacy's order page, which keeps the earlier one."""

    audit_patient = "order.patient.user"
    list_display = ("order", "lot_number", "compounded_on", "beyond_use_date", "compounded_by", "checked_by")
    list_select_related = ("order",)
    list_filter = ("order__pharmacy",)
    search_fields = ("lot_number", "order__id")
    date_hierarchy = "compounded_on"
    fields = (
        "order", "lot_number", "compounded_on", "beyond_use_date", "compounded_by", "checked_by", "correction_reason",
        "recorded_by", "recorded_at",
    )  # fmt: skip
    readonly_fields = fields
