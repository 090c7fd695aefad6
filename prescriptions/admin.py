from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from prescriptions.models import Pharmacy, PharmacyLicense, PharmacyMembership, StateDefaultPharmacy


class PharmacyLicenseInline(admin.TabularInline):
    model = PharmacyLicense
    extra = 0
    fields = ("state", "number", "expires_on", "verified_at")


class PharmacyMembershipInline(admin.TabularInline):
    model = PharmacyMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Pharmacy)
class PharmacyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "city", "state_code", "phone", "active")
    list_filter = ("active", "state_code")
    search_fields = ("name", "city", "ncpdp_id")
    inlines = [PharmacyLicenseInline, PharmacyMembershipInline]


@admin.register(PharmacyLicense)
class PharmacyLicenseAdmin(SimpleHistoryAdmin):
    list_display = ("pharmacy", "state", "number", "expires_on", "verified_at", "active_today")
    list_filter = ("state", "pharmacy")
    search_fields = ("pharmacy__name", "number")
    list_select_related = ("pharmacy", "state")
    date_hierarchy = "expires_on"

    @admin.display(boolean=True, description="Active today")
    def active_today(self, obj):
        return obj.is_active_today


@admin.register(PharmacyMembership)
class PharmacyMembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "pharmacy", "added_at")
    list_filter = ("pharmacy",)
    search_fields = ("user__email", "pharmacy__name")
    list_select_related = ("user", "pharmacy")
    autocomplete_fields = ("user",)


@admin.register(StateDefaultPharmacy)
class StateDefaultPharmacyAdmin(admin.ModelAdmin):
    list_display = ("state", "pharmacy")
    list_select_related = ("state", "pharmacy")
