"""The signed prescription as a PDF for the physician and the order's pharmacy, and the
physician's "send the fax again" (docs/domain.md "Orders by fax")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from portal.access import Role, role_required
from portal.audit import access_record
from portal.forms import flash_refusal
from prescriptions.fax import selectors as fax_selectors
from prescriptions.fax import services as fax_services
from prescriptions.fax.pdf import prescription_pdf
from prescriptions.models import PrescriptionOrder
from prescriptions.orders import selectors as order_selectors


def _pdf_response(request: HttpRequest, order: PrescriptionOrder) -> HttpResponse:
    if not order.content_hash:
        raise Http404("A draft has no prescription to print.")
    access_record(request, patient_user=order.patient.user, action="order.pdf")
    pdf = prescription_pdf(order)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    # The file name is the order number only: no patient name in a download folder.
    response["Content-Disposition"] = f'attachment; filename="{order.number}.pdf"'
    return response


@require_safe
@role_required(Role.PHYSICIAN)
def clinic_order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(request, order_selectors.order_get_for(request.user, pk))


@require_safe
@role_required(Role.PHARMACY)
def pharmacy_order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    # order_get_for shows pharmacy staff only orders sent to their own pharmacy.
    return _pdf_response(request, order_selectors.order_get_for(request.user, pk))


@require_POST
@role_required(Role.PHYSICIAN)
def fax_retry(request: HttpRequest, pk: int) -> HttpResponse:
    transmission = fax_selectors.fax_transmission_get_for(request.user, pk)
    try:
        fax_services.fax_transmission_retry(transmission=transmission, physician=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"The fax to {transmission.pharmacy.name} is queued again.")
    return redirect("prescriptions:clinic_order", pk=transmission.order_id)
