"""Cash pay's documents as PDFs (WeasyPrint, from templates, nothing fetched from the network) and
their issue: the PDF is stored in private storage with its SHA-256, the issue time is set and the
patient is told by email (docs/domain.md "Cash pay").

Estimates and superbills are rendered only from their frozen content; a receipt from its payment
row, whose amount, service and fee schedule never change once it is paid."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML

from patients.billing.business_days import billing_date
from patients.billing.estimates import patient_identity, patient_local
from patients.billing.notifications import document_ready_schedule
from patients.billing.selectors import ESTIMATE, RECEIPT, SUPERBILL
from patients.models import GoodFaithEstimate, Payment, Superbill

TEMPLATES = {
    ESTIMATE: "patients/billing/pdf/estimate.html",
    RECEIPT: "patients/billing/pdf/receipt.html",
    SUPERBILL: "patients/billing/pdf/superbill.html",
}
STYLESHEET = "patients/billing/pdf/billing.css"
TITLES = {ESTIMATE: "Good Faith Estimate", RECEIPT: "Receipt", SUPERBILL: "Superbill"}

# What a CPT modifier printed on a document means, in the patient's words.
MODIFIER_MEANINGS = {
    "95": "a visit by live video",
    "GT": "a visit by live video",
    "93": "a visit by telephone (audio only)",
    "FQ": "a visit by telephone (audio only)",
}

# Outcomes of :func:`document_issue`.
ISSUED, ALREADY_ISSUED, MISSING = "issued", "already issued", "missing"


@dataclass(frozen=True)
class BillingPdf:
    content: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def receipt_context(payment: Payment) -> dict:
    """What a receipt shows, in the same shape as a frozen document's content."""
    schedule = payment.fee_schedule
    patient = payment.patient
    return {
        "document": "receipt",
        "number": payment.receipt_number,
        "issued_on": billing_date(payment.paid_at or timezone.now()).isoformat(),
        "paid_on": billing_date(payment.paid_at).isoformat() if payment.paid_at else None,
        "amount_cents": payment.amount_cents,
        "currency": payment.currency.upper(),
        "description": payment.description,
        "billed_code": payment.service_code,
        "place_of_service": schedule.place_of_service,
        # The visit's date as the patient had it, as on the estimate and the superbill.
        "service_on": patient_local(patient, payment.appointment.starts_at).date().isoformat(),
        "payment_method": "Card, through Stripe",
        "payment_reference": payment.payment_intent_id,
        "patient": patient_identity(patient),
        "provider": schedule.billing_identity(),
    }


def _billed_codes(content: dict) -> list[str]:
    codes = [item.get("billed_code", "") for provider in content.get("providers", []) for item in provider["items"]]
    codes += [item["billed_code"] for item in content.get("separately_scheduled", {}).get("items", [])]
    codes += [line["billed_code"] for line in content.get("lines", [])]
    return codes


def modifiers_in(content: dict) -> list[dict]:
    """The CPT modifiers the document's codes carry (``99204-95`` → 95), each once, with what they
    mean: the legend printed under the charges names only those."""
    modifiers = dict.fromkeys(code.partition("-")[2] for code in _billed_codes(content))
    return [{"code": code, "meaning": MODIFIER_MEANINGS.get(code, "")} for code in modifiers if code]


def render_pdf(kind: str, content: dict) -> BillingPdf:
    """Render one document from its content. The templates and the stylesheet need nothing from
    the network (no images, fonts or links are fetched)."""
    context = {"doc": content, "title": TITLES[kind], "modifiers": modifiers_in(content)}
    html = render_to_string(TEMPLATES[kind], context)
    stylesheet = CSS(string=render_to_string(STYLESHEET))
    document = HTML(string=html, base_url=None).render(stylesheets=[stylesheet])
    return BillingPdf(content=document.write_pdf(), pages=len(document.pages))


def _load(kind: str, pk: int, *, lock: bool = False):
    if kind == RECEIPT:
        rows = Payment.objects.select_related("patient__user", "patient__state", "fee_schedule", "appointment").filter(
            pk=pk, receipt_number__isnull=False
        )
    elif kind == ESTIMATE:
        rows = GoodFaithEstimate.objects.select_related("patient__user", "patient__state").filter(pk=pk)
    elif kind == SUPERBILL:
        rows = Superbill.objects.select_related("patient__user", "patient__state").filter(pk=pk)
    else:
        raise ValueError(f"unknown billing document {kind!r}")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.first()


def _is_rendered(kind: str, document) -> bool:
    return bool(document.receipt_pdf if kind == RECEIPT else document.pdf)


def document_issue(*, kind: str, pk: int, now: dt.datetime | None = None) -> str:
    """Render, store and issue one document, then schedule the "document ready" email. A document
    already rendered is left alone, so a duplicate task does nothing."""
    document = _load(kind, pk)
    if document is None:
        return MISSING
    if _is_rendered(kind, document):
        return ALREADY_ISSUED
    # Rendered outside the row lock: it takes a moment, and a second worker that raced us finds
    # the PDF stored below and throws its own copy away.
    content = receipt_context(document) if kind == RECEIPT else document.content
    rendered = render_pdf(kind, content)
    with transaction.atomic():
        document = _load(kind, pk, lock=True)
        if document is None:
            return MISSING
        if _is_rendered(kind, document):
            return ALREADY_ISSUED
        now = now or timezone.now()
        name = f"{content['number']}.pdf"  # the number only: no name or health detail in a path
        if kind == RECEIPT:
            document.receipt_pdf.save(name, ContentFile(rendered.content), save=False)
            document.receipt_sha256 = rendered.sha256
            document.receipt_issued_at = now
            document.save(update_fields=["receipt_pdf", "receipt_sha256", "receipt_issued_at"])
        else:
            document.pdf.save(name, ContentFile(rendered.content), save=False)
            document.pdf_sha256 = rendered.sha256
            document.issued_at = now
            document.save(update_fields=["pdf", "pdf_sha256", "issued_at"])
        document_ready_schedule(document=document, patient=document.patient)
    return ISSUED
