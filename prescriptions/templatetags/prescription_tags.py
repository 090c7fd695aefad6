"""Panels that other apps' pages show (docs/architecture.md "Apps and layers": the dashboard and the chart include them
through template tags, so Python imports still run one way)."""

from __future__ import annotations

from django import template

from patients.checkins.charts import NARROW, WIDE, chart_points, peg_chart
from prescriptions.dosing import dose_changes, fmt_amount
from prescriptions.orders import presenters
from prescriptions.orders import selectors as order_selectors
from prescriptions.orders.presenters import patient_status_words
from prescriptions.pharmacies import selectors as pharmacy_selectors
from prescriptions.plans import selectors as plan_selectors
from prescriptions.plans.forms import PauseForm
from prescriptions.plans.presenters import dose_today

register = template.Library()


@register.filter
def mg(value) -> str:
    """A dose as the portal writes it: 1.5, 3.0, 0.75."""
    return fmt_amount(value)


@register.simple_tag
def preferred_pharmacy_name(patient) -> str:
    """The patient's chosen pharmacy for summaries and charts ("No preference" when none)."""
    preference = pharmacy_selectors.preferred_pharmacy_of_patient(patient)
    if preference is None:
        return "Not chosen yet"
    return preference.pharmacy.name if preference.pharmacy else "No preference"


def _plans(patient) -> list:
    return plan_selectors.plan_versions_of(patient)


@register.inclusion_tag("prescriptions/_medication_card.html")
def medication_card(patient) -> dict:
    """The patient dashboard's "Your medication" panel: tonight's dose (mg, and mL for a liquid)
    and the latest order's status."""
    if patient is None:
        return {"dose": None, "order": None}
    plans = _plans(patient)
    order = order_selectors.latest_order_for_patient(patient) if plans else None
    today = patient.today()
    return {
        "dose": dose_today(plans, today, order),
        "order": order,
        "order_status": patient_status_words(order) if order else "",
    }


@register.inclusion_tag("patients/checkins/_peg_figure.html")
def peg_dose_chart(patient, checkins, baseline=None) -> dict:
    """The chart's PEG line with the patient's dose as a step line, up to today: a wide and a
    narrow drawing (each legible where it shows) and the same values as a table."""
    points = chart_points(checkins, patient.time_zone_name)
    steps = [(day, float(mg)) for day, mg in dose_changes(_plans(patient), until=patient.today())]
    score = baseline.score if baseline else None
    return {
        "wide": peg_chart(points, baseline=score, dose_steps=steps or None, frame=WIDE),
        "narrow": peg_chart(points, baseline=score, dose_steps=steps or None, frame=NARROW),
        "baseline": score,
    }


@register.inclusion_tag("prescriptions/_titration_card.html")
def titration_card(patient, can_prescribe=True) -> dict:
    """The chart's "Titration plan" panel: the current plan, its history and the orders. A care
    coordinator reads it without the physician's actions (``can_prescribe`` false)."""
    plans = _plans(patient)
    current = next((p for p in plans if p.is_current), None)
    today = patient.today()
    return {
        "patient": patient,
        "current": current,
        "history": [p for p in reversed(plans) if not p.is_current],
        "dose": dose_today(plans, today) if plans else None,
        "orders": order_selectors.orders_of_patient(patient),
        "refill_requests": order_selectors.pending_refill_requests_of_patient(patient),
        "pause_form": PauseForm(auto_id="pause-%s", stop_only=bool(current and current.is_paused)),
        "can_prescribe": can_prescribe,
    }


@register.inclusion_tag("prescriptions/_visit_dose_decisions.html")
def visit_dose_decisions(appointment) -> dict:
    """The visit note page's "Dose decision" line: the plan versions written as this visit's decision."""
    return {"appointment": appointment, "plans": plan_selectors.plan_versions_decided_at(appointment)}


@register.inclusion_tag("prescriptions/_medication_prices.html")
def medication_price_ranges() -> dict:
    """The pharmacies' estimated monthly medication prices (the public prices page)."""
    return {"ranges": pharmacy_selectors.medication_price_ranges()}


@register.filter
def tracking_url(order) -> str:
    """The order's carrier tracking page ("" when the carrier is not one the portal knows)."""
    return presenters.tracking_url(order.carrier, order.tracking_number)
