"""The prescription's and the delivery's progress for the patient's getting-started checklist
(``patients.dashboard.selectors``, registered in ``PrescriptionsConfig.ready``): plain values, so
the patients app reads them without importing this one (docs/architecture.md "Apps and layers")."""

from __future__ import annotations

from patients.dashboard.selectors import MedicationProgress
from patients.models import Patient
from prescriptions.models import OrderStatus
from prescriptions.orders.presenters import tracking_url
from prescriptions.orders.selectors import latest_order_for_patient
from prescriptions.plans.selectors import plan_versions_of

# An order the pharmacy will not fill does not count as a prescription on its way.
NOT_FILLED = {OrderStatus.CANCELLED, OrderStatus.REJECTED}


def onboarding_medication(patient: Patient) -> MedicationProgress:
    """Two reads: the plan versions (shared with the medication card on the same page) and the
    latest signed order."""
    plans = plan_versions_of(patient)
    order = latest_order_for_patient(patient)
    live_order = order if order is not None and order.status not in NOT_FILLED else None
    today = patient.today()
    awaiting = any(plan.is_awaiting_arrival for plan in plans)
    begun = any(
        plan.arrived_on is not None or (not plan.starts_on_arrival and plan.start_date <= today) for plan in plans
    )
    delivered = begun or (live_order is not None and live_order.status == OrderStatus.DELIVERED)
    return MedicationProgress(
        prescribed=bool(plans) or live_order is not None,
        delivered=delivered and not awaiting,
        shipped=live_order is not None and live_order.status == OrderStatus.SHIPPED,
        awaiting_arrival=awaiting,
        order_pk=live_order.pk if live_order else None,
        tracking_url=tracking_url(live_order.carrier, live_order.tracking_number) if live_order else "",
    )
