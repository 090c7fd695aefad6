"""Faxing signed orders to pharmacies outside the portal: queueing a transmission and a
physician's retry after a failure (docs/domain.md "Orders by fax"). The sending itself happens in
a worker (``prescriptions.fax.tasks``), after the order's transaction commits."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

from portal.access import physician_license_in
from portal.models import User
from prescriptions.fax import tasks
from prescriptions.models import FaxTransmission, OrderStatus, PrescriptionOrder

logger = logging.getLogger(__name__)

# A cancelled or rejected order is not faxed again.
RETRYABLE_ORDER_STATUSES = {OrderStatus.SENT, OrderStatus.RECEIVED, OrderStatus.IN_REVIEW}


def _publish(transmission_id: int) -> None:
    try:
        tasks.fax_transmission_send.apply_async(args=[transmission_id], retry=False)
    except BrokerUnreachable:
        # The order is already committed: the person who signed must not see an error page, and
        # ``prescriptions.fax.resume`` picks the queued row up (docs/architecture.md "Faxing prescriptions").
        logger.warning("broker unreachable: fax transmission %s stays queued", transmission_id)


def _enqueue(transmission: FaxTransmission) -> None:
    # Only the id travels: the worker renders the prescription from the database.
    transaction.on_commit(lambda: _publish(transmission.pk))


@transaction.atomic
def fax_transmission_queue(*, order: PrescriptionOrder, requested_by: User) -> FaxTransmission:
    """Queue the fax of a signed order to its (fax) pharmacy; it is sent once the order's
    transaction commits. Refused when the pharmacy's fax number cannot be dialled."""
    pharmacy = order.pharmacy
    if pharmacy is None or not pharmacy.receives_fax:
        raise ValidationError("This order's pharmacy does not receive orders by fax.")
    if not order.content_hash:
        raise ValidationError("Only a signed order is faxed.")
    number = pharmacy.fax_e164
    if not number:
        raise ValidationError(
            f"{pharmacy.name} receives orders by fax, but its fax number is missing or not a US number. "
            "Ask practice staff to correct it in the admin, then sign again."
        )
    transmission = FaxTransmission.objects.create(
        order=order, pharmacy=pharmacy, to_number=number, requested_by=requested_by
    )
    _enqueue(transmission)
    return transmission


@transaction.atomic
def fax_transmission_retry(*, transmission: FaxTransmission, physician: User) -> FaxTransmission:
    """A physician sends a failed fax again: a new transmission of the same signed order (the
    failed one stays as it was, for the record)."""
    failed = (
        FaxTransmission.objects.select_for_update(of=("self",))
        .select_related("order__patient__state", "pharmacy")
        .get(pk=transmission.pk)
    )
    order = failed.order
    if physician.role != User.Role.PHYSICIAN or physician_license_in(physician, order.patient.state) is None:
        raise PermissionDenied("You need an active license in the patient's state to act on this order.")
    if failed.status != FaxTransmission.Status.FAILED:
        raise ValidationError("Only a failed fax can be sent again.")
    if FaxTransmission.objects.filter(retry_of=failed).exists():
        raise ValidationError("This fax has already been sent again.")
    if order.status not in RETRYABLE_ORDER_STATUSES:
        raise ValidationError(f"The order is {order.get_status_display().lower()}: it is not faxed again.")
    number = failed.pharmacy.fax_e164
    if not number:
        raise ValidationError(f"{failed.pharmacy.name}'s fax number is missing or not a US number. Correct it first.")
    retry = FaxTransmission.objects.create(
        order=order, pharmacy=failed.pharmacy, to_number=number, requested_by=physician, retry_of=failed
    )
    _enqueue(retry)
    return retry
