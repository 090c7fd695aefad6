"""Admin for payments (read-only, with a refund action) and the Stripe events received.
Registered from patients/admin.py."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from patients.models import Payment, StripeEvent
from patients.payments.services import payment_refund
from portal.admin import AuditedAdminMixin, ReadOnlyAdminMixin


@admin.register(Payment)
class PaymentAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "pk",
        "patient",
        "description",
        "amount_dollars",
        "status",
        "created_at",
        "paid_at",
        "receipt_number",
    )
    list_filter = ("status",)
    search_fields = ("receipt_number", "checkout_session_id", "payment_intent_id")
    list_select_related = ("patient",)
    date_hierarchy = "created_at"
    actions = ["refund_in_full"]

    @admin.display(description="Amount")
    def amount_dollars(self, obj):
        return f"${obj.amount_cents / 100:,.2f}"

    @admin.action(description="Refund the selected payments in full (through Stripe)")
    def refund_in_full(self, request, queryset):
        for payment in queryset:
            try:
                payment_refund(payment=payment, by=request.user, reason="Refunded by the practice.")
            except ValidationError as exc:
                self.message_user(request, f"Payment {payment.pk}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Payment {payment.pk}: refund sent to Stripe.", messages.SUCCESS)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("event_id", "type", "stripe_created", "received_at", "payment", "outcome")
    list_filter = ("type",)
    search_fields = ("event_id",)
