"""Cash pay: the practice's fee schedule, the Good Faith Estimates it gives, the payments it takes
through Stripe Checkout, and the receipts and superbills it issues (docs/domain.md "Cash pay").

Documents that are handed to a patient (estimates, receipts, superbills) are written once: the
content is frozen as JSON with its SHA-256 when the row is created, the PDF is rendered from that
content and stored privately with its own SHA-256, and neither changes afterwards."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from patients.models.booking import Appointment, VisitType
from patients.models.record import Patient

validate_npi_format = RegexValidator(r"^\d{10}$", "An NPI is exactly 10 digits.")
validate_tin_format = RegexValidator(r"^\d{2}-\d{7}$", "Write the TIN (EIN) as 12-3456789.")
validate_cpt_format = RegexValidator(r"^\d{4}[0-9A-Z]$", "A CPT code is five characters, such as 99204.")
validate_modifier_format = RegexValidator(r"^([0-9A-Z]{2})?$", "A modifier is two characters, such as 95.")


class FeeSchedule(models.Model):
    """One version of the practice's prices, policies and billing identity, in force from
    ``effective_from`` until the next version's date. A version that an estimate or a payment has
    used is never edited again: the admin's "Copy as a new version" starts the next one."""

    class PaymentTiming(models.TextChoices):
        AT_BOOKING = "at_booking", "When the visit is booked"
        AFTER_VISIT = "after_visit", "After the visit"

    class PlaceOfService(models.TextChoices):
        HOME = "10", "10 — Telehealth provided in the patient's home"
        OTHER = "02", "02 — Telehealth provided other than in the patient's home"

    name = models.CharField(max_length=80, help_text="For staff, e.g. “2027 prices”.")
    effective_from = models.DateField(unique=True, help_text="The first visit date these prices apply to.")
    # The practice's billing identity, printed on every estimate, receipt and superbill.
    legal_name = models.CharField(max_length=120)
    npi = models.CharField("group NPI", max_length=10, validators=[validate_npi_format])
    tin = models.CharField("TIN (EIN)", max_length=10, validators=[validate_tin_format])
    address_line1 = models.CharField(max_length=128)
    address_line2 = models.CharField(max_length=128, blank=True)
    city = models.CharField(max_length=64)
    state_code = models.CharField("state", max_length=2)
    postal_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=32)
    billing_email = models.EmailField(blank=True, help_text="Where patients write about a bill.")
    # How visits are coded.
    place_of_service = models.CharField(max_length=2, choices=PlaceOfService.choices, default=PlaceOfService.HOME)
    telehealth_modifier = models.CharField(
        max_length=2, blank=True, default="95", validators=[validate_modifier_format],
        help_text="Added to every visit's CPT code (95: synchronous telemedicine). Leave blank for none.",
    )  # fmt: skip
    # Policies.
    payment_timing = models.CharField(max_length=12, choices=PaymentTiming.choices, default=PaymentTiming.AT_BOOKING)
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MaxValueValidator(168)],
        help_text="A visit the patient cancels at least this many hours ahead is refunded in full.",
    )
    cancellation_policy = models.TextField(
        help_text="The cancellation and no-show policy in plain words, shown before booking and on every estimate."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.name} (from {self.effective_from:%Y-%m-%d})"

    @property
    def in_use(self) -> bool:
        """Whether an estimate or a payment was made with this version (then it is frozen)."""
        if self.pk is None:
            return False
        return self.estimates.exists() or self.payments.exists()

    @property
    def address_lines(self) -> list[str]:
        lines = [self.address_line1, self.address_line2, f"{self.city}, {self.state_code} {self.postal_code}"]
        return [line for line in lines if line]

    def billing_identity(self) -> dict:
        """The practice as every estimate, receipt and superbill names it (JSON-safe)."""
        return {
            "name": self.legal_name,
            "npi": self.npi,
            "tin": self.tin,
            "address_lines": self.address_lines,
            "phone": self.phone,
            "email": self.billing_email,
        }


class Fee(models.Model):
    """The cash price of one kind of visit in one fee-schedule version, with its service code."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="fees")
    visit_type = models.ForeignKey(VisitType, on_delete=models.PROTECT, related_name="+")
    service_code = models.CharField("CPT code", max_length=5, validators=[validate_cpt_format])
    description = models.CharField(max_length=120, help_text="What the patient reads, e.g. “Video visit, new patient”.")
    amount_cents = models.PositiveIntegerField(
        "price (cents)", validators=[MinValueValidator(100), MaxValueValidator(1_000_000)]
    )

    class Meta:
        ordering = ["schedule", "visit_type__kind"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "visit_type"], name="one_fee_per_visit_type_per_schedule"),
        ]

    def __str__(self) -> str:
        return f"{self.description}: ${self.amount_cents / 100:,.2f}"


class BillingDocument(models.Model):
    """What estimates, receipts and superbills share: a number, frozen content with its digest,
    and a PDF in private storage rendered from that content (``issued_at`` once it is stored and
    the patient has been told)."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField(editable=False)
    content_sha256 = models.CharField(max_length=64, editable=False)
    total_cents = models.PositiveIntegerField(default=0, editable=False)
    pdf = models.FileField(upload_to="billing/%Y/%m/", blank=True, help_text="Private storage; never public.")
    pdf_sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    issued_at = models.DateTimeField(null=True, blank=True, db_index=True)

    FROZEN_FIELDS = ("number", "patient_id", "content", "content_sha256", "total_cents", "created_at")
    # Empty until the renderer stores the PDF, then written once like the content.
    SET_ONCE_FIELDS = ("pdf", "pdf_sha256", "issued_at")

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def save(self, *args, **kwargs):
        # The frozen content is written once; the PDF, its digest and its issue time are filled in
        # once by the renderer and never changed or cleared afterwards.
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS, *self.SET_ONCE_FIELDS).first()
            if stored is not None:
                changed = [name for name in self.FROZEN_FIELDS if stored[name] != getattr(self, name)]
                changed += [
                    name
                    for name in self.SET_ONCE_FIELDS
                    if stored[name] not in (None, "") and stored[name] != self._stored_value(name)
                ]
                if changed:
                    raise ValidationError("An issued billing document cannot be changed; issue a new one instead.")
        super().save(*args, **kwargs)

    def _stored_value(self, name: str):
        # A file field's column holds the file's name.
        value = getattr(self, name)
        return (value.name or "") if name == "pdf" else value


class GoodFaithEstimate(BillingDocument):
    """A Good Faith Estimate of expected charges for a self-pay patient (45 CFR 149.610), given
    when a visit is booked or moved, or when the patient asks. ``due_on`` is the rule's deadline in
    business days; a visit booked fewer than three business days ahead has none (the estimate is
    still given)."""

    class Reason(models.TextChoices):
        SCHEDULED = "scheduled", "A visit was booked"
        RESCHEDULED = "rescheduled", "A visit was moved"
        REQUESTED = "requested", "The patient asked"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="good_faith_estimates")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="good_faith_estimates"
    )
    fee_schedule = models.ForeignKey(FeeSchedule, on_delete=models.PROTECT, related_name="estimates")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    requested_at = models.DateTimeField(help_text="When the visit was booked, or when the patient asked.")
    due_on = models.DateField("deadline", null=True, blank=True)

    FROZEN_FIELDS = (
        *BillingDocument.FROZEN_FIELDS, "appointment_id", "fee_schedule_id", "reason", "requested_at", "due_on",
    )  # fmt: skip

    class Meta(BillingDocument.Meta):
        indexes = [models.Index(fields=["patient", "-created_at"])]

    def __str__(self) -> str:
        return f"Good Faith Estimate {self.number}"


class Payment(models.Model):
    """One attempt to collect a visit's fee through Stripe Checkout. No card data ever reaches the
    portal: the patient pays on Stripe's page and Stripe's signed webhook events move the status.

    pending → paid | failed;  paid → refund_pending → refunded (or back to paid if Stripe refuses).
    A receipt is issued once the payment is paid."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payment"
        PAID = "paid", "Paid"
        FAILED = "failed", "Not paid"
        REFUND_PENDING = "refund_pending", "Refund under way"
        REFUNDED = "refunded", "Refunded"

    LIVE_STATUSES = (Status.PENDING, Status.PAID, Status.REFUND_PENDING)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="payments")
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="payments")
    fee_schedule = models.ForeignKey(FeeSchedule, on_delete=models.PROTECT, related_name="payments")
    description = models.CharField(max_length=120)
    service_code = models.CharField(max_length=8, help_text="CPT code with its modifier, as billed.")
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="usd")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.CharField("Stripe Checkout page", max_length=1000, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    refund_id = models.CharField(max_length=255, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    refund_reason = models.CharField(max_length=300, blank=True)
    refund_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the refund under way was asked for (its idempotency key)."
    )
    refundable_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when a paid visit is moved after its refund cut-off: the cut-off it keeps. Otherwise "
        "the cut-off is the policy's notice before the visit.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # The receipt (issued once paid).
    receipt_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    receipt_pdf = models.FileField(upload_to="billing/%Y/%m/", blank=True, help_text="Private storage; never public.")
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    receipt_issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"])]
        constraints = [
            # At most one payment per visit that is open, paid or being refunded: a second tab or a
            # double click reuses the open one instead of charging twice.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(status__in=["pending", "paid", "refund_pending"]),
                name="one_live_payment_per_visit",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""), name="failed_payment_has_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk}: ${self.amount_cents / 100:,.2f} {self.get_status_display()}"


class StripeEvent(models.Model):
    """Every Stripe webhook event the portal accepted, by Stripe's event id: a replayed event finds
    its row and changes nothing. Only ids and the type are kept (Stripe's payloads carry no health
    data, and the portal keeps none of theirs)."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    stripe_created = models.DateTimeField(help_text="When Stripe created the event.")
    received_at = models.DateTimeField(default=timezone.now)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Superbill(BillingDocument):
    """A statement of paid visits over a period, with provider NPI and TIN and CPT and ICD-10
    codes, for the patient to claim from an HSA/FSA or an out-of-network plan themselves."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="superbills")
    period_start = models.DateField()
    period_end = models.DateField()

    FROZEN_FIELDS = (*BillingDocument.FROZEN_FIELDS, "period_start", "period_end")

    class Meta(BillingDocument.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="superbill_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Superbill {self.number}"
