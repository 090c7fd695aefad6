"""Reads of fax transmissions that depend on who asks. A physician sees the faxes of orders of
patients in the states where they hold an active license (the scope of ``order_list_for``, which
this package cannot import: ``orders`` imports ``fax``)."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.access import get_scoped_or_404
from portal.models import User
from portal.selectors import licensed_states
from prescriptions.models import FaxTransmission, OrderStatus, PrescriptionOrder


def fax_transmissions_for(user: User) -> QuerySet[FaxTransmission]:
    """Physicians: faxes of orders within their licensed states; anyone else: none."""
    if not user.is_authenticated or not user.is_active or user.role != User.Role.PHYSICIAN:
        return FaxTransmission.objects.none()
    return FaxTransmission.objects.filter(order__patient__state_id__in=licensed_states(user))


def fax_transmission_get_for(user: User, pk: int) -> FaxTransmission:
    return get_scoped_or_404(fax_transmissions_for(user).select_related("order", "pharmacy"), pk=pk)


def fax_transmissions_of_order(order: PrescriptionOrder) -> list[FaxTransmission]:
    """The order's faxes, newest first (``order`` already scoped by its page)."""
    return list(
        FaxTransmission.objects.filter(order=order)
        .select_related("pharmacy", "requested_by", "retried_as")
        .order_by("-created_at", "-id")
    )


def _open_failures(user: User) -> QuerySet[FaxTransmission]:
    return (
        fax_transmissions_for(user)
        .filter(status=FaxTransmission.Status.FAILED, retried_as__isnull=True)
        .exclude(order__status__in=[OrderStatus.CANCELLED, OrderStatus.REJECTED])
    )


def failed_faxes_for(user: User) -> QuerySet[FaxTransmission]:
    """The clinic's work item: faxes that failed for good, not yet sent again, of orders still going
    ahead, oldest first."""
    return _open_failures(user).select_related("order", "pharmacy").order_by("failed_at", "id")
