"""Admin for the fee schedule (versions with their prices, policies and billing identity) and the
documents given to patients (Good Faith Estimates and superbills, read-only). Registered from
patients/admin.py."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse

from patients.billing.business_days import billing_today, billing_zone
from patients.billing.services import fee_schedule_copy
from patients.models import Fee, FeeSchedule, GoodFaithEstimate, Superbill, VisitType
from portal.admin import AuditedAdminMixin, ReadOnlyAdminMixin


class EveryVisitTypePriced(BaseInlineFormSet):
    """A version must price every kind of visit: a visit without a price would get no estimate."""

    def clean(self):
        super().clean()
        priced = {
            form.cleaned_data["visit_type"].pk
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("visit_type")
        }
        missing = [visit_type.name for visit_type in VisitType.objects.exclude(pk__in=priced)]
        if missing:
            raise ValidationError(f"Give a price for every kind of visit. Missing: {', '.join(missing)}.")


class FeeInline(admin.TabularInline):
    model = Fee
    formset = EveryVisitTypePriced
    extra = 0
    min_num = 1

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.in_use

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    """A version that an estimate or a payment used is frozen: prices change by the action "Copy as
    a new version", then a later "effective from" date and the new prices on the copy
    (docs/domain.md "Cash pay")."""

    list_display = ("name", "effective_from", "legal_name", "payment_timing", "cancellation_notice_hours", "frozen")
    inlines = [FeeInline]
    actions = ["copy_as_new_version"]
    fieldsets = (
        (None, {"fields": ("name", "effective_from")}),
        (
            "Billing identity (printed on estimates, receipts and superbills)",
            {
                "fields": (
                    "legal_name",
                    "npi",
                    "tin",
                    "address_line1",
                    "address_line2",
                    "city",
                    "state_code",
                    "postal_code",
                    "phone",
                    "billing_email",
                )
            },
        ),  # fmt: skip
        ("Coding", {"fields": ("place_of_service", "telehealth_modifier")}),
        ("Policies", {"fields": ("payment_timing", "cancellation_notice_hours", "cancellation_policy")}),
    )

    @admin.display(boolean=True, description="Used (frozen)")
    def frozen(self, obj):
        return obj.in_use

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.in_use:
            return [field.name for field in FeeSchedule._meta.fields]
        return super().get_readonly_fields(request, obj)

    @admin.action(description="Copy as a new version", permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to copy.", messages.WARNING)
            return None
        copy = fee_schedule_copy(schedule=queryset.get())
        self.message_user(
            request,
            f"“{copy.name}” is a new, unused version taking effect on {copy.effective_from:%B} "
            f"{copy.effective_from.day}, {copy.effective_from.year}. Set the date it takes effect and its "
            "prices, then save.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:patients_feeschedule_change", args=[copy.pk]))

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.in_use) and super().has_delete_permission(request, obj)


class DeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("late", "Issued late or overdue"), ("waiting", "Not issued yet")]

    def queryset(self, request, queryset):
        # Deadlines are business days in the billing time zone (business_days.py), so both today
        # and the day an estimate was issued are read there.
        if self.value() == "waiting":
            return queryset.filter(issued_at__isnull=True)
        if self.value() == "late":
            return queryset.annotate(issued_on=TruncDate("issued_at", tzinfo=billing_zone())).filter(
                Q(issued_at__isnull=True, due_on__lt=billing_today()) | Q(issued_on__gt=F("due_on"))
            )
        return queryset


@admin.register(GoodFaithEstimate)
class GoodFaithEstimateAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "patient", "reason", "created_at", "due_on", "issued_at", "total_dollars")
    list_filter = (DeadlineFilter, "reason")
    search_fields = ("number",)
    list_select_related = ("patient",)
    date_hierarchy = "created_at"

    @admin.display(description="Total")
    def total_dollars(self, obj):
        return f"${obj.total_cents / 100:,.2f}"


@admin.register(Superbill)
class SuperbillAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "patient", "period_start", "period_end", "created_at", "issued_at")
    search_fields = ("number",)
    list_select_related = ("patient",)
