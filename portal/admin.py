from operator import attrgetter

from allauth.mfa.models import Authenticator
from axes.models import AccessFailureLog as AxesFailureLog
from axes.models import AccessLog as AxesSignInLog
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from portal.audit import access_record, access_record_list
from portal.license_reminders import state_activation_refusal
from portal.models import (
    AccessLog,
    EmailOutbox,
    PhysicianLicense,
    Reminder,
    ServiceState,
    SMSInboundEvent,
    User,
    WorkerHeartbeat,
)
from portal.reminders import reminders_resend
from portal.sms.verification import user_phone_change


def person_column(path: str, description: str):
    """A changelist column naming the person at ``path`` (a user, e.g. ``"physician"`` or
    ``"patient__user"``) by their display name ("Dr. Maria Lopez") instead of the account's email.
    ``User.__str__`` keeps the email for pickers and history, where two people may share a name.
    Pair it with ``list_select_related`` on the same path so that the list makes no query per row."""
    getter = attrgetter(path.replace("__", "."))

    @admin.display(description=description, ordering=f"{path}__last_name")
    def column(obj):
        person = getter(obj)
        return person.display_name if person is not None else None

    column.__name__ = f"{path}_name"
    return column


class ServedStateListFilter(admin.RelatedFieldListFilter):
    """A state filter offering only the states the practice serves (active ``ServiceState`` rows),
    not a state that is still being prepared (docs/domain.md "Service states")."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"active": True})


class PhysicianLicenseInline(admin.TabularInline):
    model = PhysicianLicense
    extra = 0
    fields = ("state", "kind", "number", "expires_on", "verified_at")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("email", "first_name", "last_name", "npi")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "phone", "role", "npi")}),
        ("Text messages", {"fields": ("phone_verified_at", "texts_stopped_by_reply")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)
    # A number is verified only by the code texted to it (README "Text messages").
    readonly_fields = ("last_login", "date_joined", "phone_verified_at", "texts_stopped_by_reply")

    @admin.display(description="Name", ordering="last_name")
    def name(self, obj: User) -> str:
        return obj.display_name

    def save_model(self, request, obj, form, change):
        # A number typed here has not been proved by a code: it goes through the same service as
        # the person's own change, so no reminder is texted to it until it is verified.
        if not (change and "phone" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        new_phone, obj.phone = obj.phone, form.initial.get("phone", "")
        super().save_model(request, obj, form, change)
        user_phone_change(user=obj, phone=new_phone)
        obj.refresh_from_db()

    def get_inlines(self, request, obj):
        if obj is not None and obj.role == User.Role.PHYSICIAN:
            return [PhysicianLicenseInline]
        return []


class ServiceStateForm(forms.ModelForm):
    class Meta:
        model = ServiceState
        fields = ["code", "name", "timezone", "active"]

    def clean(self):
        data = super().clean()
        turning_on = data.get("active") and not (self.instance.pk and self.instance.active)
        if turning_on and not self.instance.pk:
            raise forms.ValidationError(
                {"active": "Save a new state as not served first, add and verify its licenses, then activate it."}
            )
        if turning_on:
            refusal = state_activation_refusal(self.instance)
            if refusal:
                raise forms.ValidationError({"active": refusal})
        return data


@admin.register(ServiceState)
class ServiceStateAdmin(SimpleHistoryAdmin):
    """Activating a state needs a licensed physician and pharmacy there; the state's waitlist is
    then told by email (patients app, on save)."""

    form = ServiceStateForm
    list_display = ("code", "name", "timezone", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


@admin.register(PhysicianLicense)
class PhysicianLicenseAdmin(SimpleHistoryAdmin):
    list_display = (person_column("physician", "Physician"), "state", "kind", "expires_on", "active_today")
    # Licenses come before a state is served (a state is activated only once licensed), so this
    # filter offers every state that has a license rather than only the served ones.
    list_filter = (("state", admin.RelatedOnlyFieldListFilter), "kind", "expires_on")
    search_fields = ("physician__email", "physician__last_name", "number")
    raw_id_fields = ("physician",)
    list_select_related = ("physician", "state")
    date_hierarchy = "expires_on"

    @admin.display(boolean=True, description="Active today")
    def active_today(self, obj):
        return obj.is_active_today


class ReadOnlyAdminMixin:
    """Records of what happened (audit rows, events, messages): visible to admins, never added,
    changed or deleted through the admin. Works for model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class AuditedAdminMixin:
    """For admins of models that hold health data: opening the list writes one access row naming
    the list; opening one record, its change history or one historical version writes a row naming
    its patient (docs/architecture.md "Access audit"). ``audit_patient`` is the attribute path from
    a record to the patient's user account, e.g. ``"patient.user"``."""

    audit_patient: str = "patient.user"

    def _audit_name(self) -> str:
        return f"admin.{self.opts.app_label}.{self.opts.model_name}"

    def _record_object(self, request, object_id, what: str) -> None:
        if request.method != "GET":
            return
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            patient_user = attrgetter(self.audit_patient)(obj)
            access_record(request, patient_user=patient_user, action=f"{self._audit_name()}.{what}")

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            access_record_list(request, action=f"{self._audit_name()}.list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._record_object(request, object_id, "view")
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._record_object(request, object_id, "history")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's page showing one earlier version of the record
        self._record_object(request, object_id, "history")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", person_column("actor", "Who"), person_column("patient", "Patient"), "action", "outcome")
    list_filter = ("outcome", "action")
    search_fields = ("actor__email", "patient__email", "path")
    list_select_related = ("actor", "patient")
    date_hierarchy = "at"


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_seen", "hostname")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("kind", "channel", person_column("recipient", "Recipient"), "due_at", "status", "status_reason")
    list_filter = ("status", "kind", "channel")
    search_fields = ("recipient__email", "key", "subject")
    list_select_related = ("recipient",)
    date_hierarchy = "due_at"
    # The sealed content of an account email (its sign-in link) is never shown.
    readonly_fields = [f.name for f in Reminder._meta.fields if f.name != "sealed_message"]
    actions = ["resend_failed"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Resend the selected failed reminders")
    def resend_failed(self, request, queryset):
        count = reminders_resend(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} failed reminder(s) queued again; other statuses were left alone.")


@admin.register(EmailOutbox)
class EmailOutboxAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "to", "subject")
    search_fields = ("to", "subject")


@admin.register(SMSInboundEvent)
class SMSInboundEventAdmin(ReadOnlyAdmin):
    """Replies from phones as they were read (STOP, START, HELP): no number and no words are kept."""

    list_display = ("received_at", "keyword", "provider_event_id")
    list_filter = ("keyword",)


# The admin index has one access log: who viewed which patient's health data (AccessLog above).
# django-axes also lists every sign-in ("Access logs") and every failed sign-in ("Access
# failures") under look-alike names; axes keeps writing them, and the admin shows sign-in
# trouble in one place, its "Access attempts" (failures counted per person, where a lockout is
# lifted by deleting the row).
admin.site.unregister(AxesSignInLog)
admin.site.unregister(AxesFailureLog)

# allauth's own admin shows an authenticator's data (the TOTP secret) in an editable field.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who has which second factor, and when it was last used. An admin can remove one (a lost
    phone: the person enrols again at their next sign-in) but never sees or edits a secret; the
    removal is recorded in the admin's change history."""

    list_display = (person_column("user", "Person"), "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
