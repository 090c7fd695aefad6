"""The FHIR R4 export of an order, for the prescriber's care team and the order's pharmacy."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from portal.access import Role, role_required
from portal.audit import access_record
from prescriptions.models import PrescriptionOrder
from prescriptions.orders import selectors as order_selectors
from prescriptions.orders.fhir import medication_request


def fhir_response(request: HttpRequest, order: PrescriptionOrder, *, download: bool = False) -> JsonResponse:
    """The order as a MedicationRequest (``order`` already scoped), audited; ``download`` makes it
    a file named by the order number only (no patient name in a download folder)."""
    access_record(request, patient_user=order.patient.user, action="order.fhir")
    response = JsonResponse(medication_request(order), json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/fhir+json"
    response["Cache-Control"] = "no-store"
    if download:
        response["Content-Disposition"] = f'attachment; filename="{order.number}-MedicationRequest.fhir.json"'
    return response


@require_safe
@role_required(Role.PHYSICIAN, Role.PHARMACY)
def medication_request_view(request: HttpRequest, pk: int) -> JsonResponse:
    # order_get_for scopes both roles: physicians licensed in the patient's state, and staff of the
    # pharmacy the order was sent to; anyone else gets a 404.
    order = order_selectors.order_get_for(request.user, pk)
    return fhir_response(request, order)
