"""The email that tells a patient a billing document (a Good Faith Estimate, a receipt, a
superbill) is ready in the portal. It says only that, with a link to the billing page: no amount,
no service, no date of a visit (docs/domain.md "Cash pay"). Quiet hours apply, as for every email to
a patient. It is not a reminder the patient can opt out of: an estimate is a document the practice
must give (45 CFR 149.610), and a receipt or a superbill is one they asked or paid for."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from patients.models import GoodFaithEstimate, Patient, Payment, Superbill
from portal.models import Reminder
from portal.notifications import email_message
from portal.reminders import register_reminder_kind, reminder_schedule

DOCUMENT_READY_KIND = "billing-document-ready"
BILLING_PAGE_PATH = "/patient/billing/"

# The reminder's subject names the row the document lives on (ids only).
_SUBJECT_MODELS = {
    "patients.goodfaithestimate": GoodFaithEstimate,
    "patients.payment": Payment,
    "patients.superbill": Superbill,
}


def document_subject(document: GoodFaithEstimate | Payment | Superbill) -> str:
    return f"patients.{type(document).__name__.lower()}:{document.pk}"


def document_ready_schedule(*, document: GoodFaithEstimate | Payment | Superbill, patient: Patient) -> Reminder:
    """Due now; quiet hours hold it until the morning in the patient's zone. One per document."""
    return reminder_schedule(
        kind=DOCUMENT_READY_KIND,
        recipient=patient.user,
        subject=document_subject(document),
        due_at=timezone.now(),
        time_zone=patient.time_zone_name,
    )


def _issued(document) -> bool:
    if isinstance(document, Payment):
        return document.receipt_issued_at is not None
    return document.issued_at is not None


def _document_ready_check(reminder: Reminder) -> str | None:
    label, _, pk = reminder.subject.partition(":")
    model = _SUBJECT_MODELS.get(label)
    document = model.objects.filter(pk=pk).first() if model is not None else None
    if document is None:
        return "billing document removed"
    if not _issued(document):
        return "billing document not issued"
    return None


def _document_ready_render(reminder: Reminder) -> EmailMessage:
    return email_message(
        user=reminder.recipient,
        name=DOCUMENT_READY_KIND,
        context={"billing_url": settings.SITE_URL + BILLING_PAGE_PATH},
    )


def register() -> None:
    register_reminder_kind(DOCUMENT_READY_KIND, check=_document_ready_check, render=_document_ready_render)
