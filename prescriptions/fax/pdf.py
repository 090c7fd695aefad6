"""The signed prescription as a PDF (WeasyPrint, from a template): what is faxed to a pharmacy
outside the portal and what physicians and the order's pharmacy can download. Everything on it is
the order's signed copy; the quantity's arithmetic is the order's own (``dosing.quantity_for``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML

from portal.models import US_STATE_NAMES
from prescriptions.dosing import DoseSegment, amount_words
from prescriptions.models import DRUG_NAME, PrescriptionOrder


@dataclass(frozen=True)
class PrescriptionPdf:
    content: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def prescription_context(order: PrescriptionOrder) -> dict:
    segments = [DoseSegment.from_json(s) for s in order.dose_segments]
    steps = [
        {
            "number": index,
            "start": segment.start,
            "days": segment.days,
            "dose_mg": segment.dose_mg,
            "amount": amount_words(segment.dose_mg, formulation=order.formulation, strength=order.strength),
            "maintenance": segment.is_maintenance,
        }
        for index, segment in enumerate(segments, start=1)
    ]
    return {
        "order": order,
        "drug_name": DRUG_NAME,
        "quantity": order.quantity_breakdown(),
        "steps": steps,
        "license_state_name": US_STATE_NAMES.get(order.prescriber_license_state, order.prescriber_license_state),
        "signed_at_local": timezone.localtime(order.signed_at) if order.signed_at else None,
    }


def prescription_pdf(order: PrescriptionOrder) -> PrescriptionPdf:
    """Render a signed order. The template and its stylesheet need nothing from the network."""
    if not order.content_hash:
        raise ValueError("only a signed order has a prescription to print")
    html = render_to_string("prescriptions/fax/prescription.html", prescription_context(order))
    stylesheet = CSS(string=render_to_string("prescriptions/fax/prescription.css"))
    document = HTML(string=html, base_url=None).render(stylesheets=[stylesheet])
    return PrescriptionPdf(content=document.write_pdf(), pages=len(document.pages))
