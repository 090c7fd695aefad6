"""Faxed prescriptions: one row per transmission of a signed order to a pharmacy that receives
orders by fax (docs/domain.md "Prescription orders", "Orders by fax")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from prescriptions.models.orders import PrescriptionOrder
from prescriptions.models.pharmacies import Pharmacy


class FaxTransmission(models.Model):
    """A signed order on its way to a fax pharmacy. The PDF that was (or will be) sent is kept in
    private storage with its SHA-256; automatic retries are ``attempts`` on this row, and a
    physician's retry after a failure is a new row pointing back at it (``retry_of``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Accepted by the fax service, sending"
        SENT = "sent", "Fax sent"
        FAILED = "failed", "Fax failed"

    order = models.ForeignKey(PrescriptionOrder, on_delete=models.PROTECT, related_name="fax_transmissions")
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, related_name="fax_transmissions")
    to_number = models.CharField("fax number dialled", max_length=16)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    reason = models.CharField("why it failed", max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    backend = models.CharField(max_length=120, blank=True, help_text="The FAX_BACKEND that handled it.")
    provider_id = models.CharField("fax service's id", max_length=100, blank=True)
    document = models.FileField(upload_to="faxes/%Y/%m/", blank=True, help_text="Private storage; never public.")
    document_sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    page_count = models.PositiveSmallIntegerField(default=0)
    retry_of = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="retried_as")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", help_text="Who signed or retried."
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(reason=""), name="failed_fax_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"Fax {self.pk} of {self.order.number}: {self.get_status_display()}"

    @property
    def is_open_failure(self) -> bool:
        """A failure nobody has retried yet: the work item the clinic lists."""
        return self.status == self.Status.FAILED and not hasattr(self, "retried_as")
