"""What the pharmacy queue and the chart show: queue rows and the chart's order list written in
Python are the markup the templates wrote, and the chart reads the pharmacy choice with the patient."""

import re
import zoneinfo

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import timezone

from prescriptions.models import PrescriptionOrder
from prescriptions.presenters import queue_rows_html

# The row as the queue template wrote it before rows were written in Python.
TEMPLATE_ROWS = Template(
    """{% for order in orders %}
      <tr>
        <td><a href="{% url 'prescriptions:pharmacy_order' order.pk %}">{{ order.number }}</a></td>
        <td>{{ order.signed_at|date:"M j, H:i" }}</td>
        <td>{{ order.patient_name }}</td>
        <td>{{ order.get_formulation_display }}, {{ order.strength_label }}</td>
        <td>{{ order.quantity|floatformat:0 }} {{ order.quantity_unit }}</td>
        <td>{{ order.ship_to_state }}</td>
        <td>{{ order.prescriber_name }}</td>
        <td>{{ order.get_status_display }}{% if order.tracking_number %}<br><span class="small">{{ order.carrier }} {{ order.tracking_number }}</span>{% endif %}</td>
      </tr>{% endfor %}"""
)


def _squeezed(html: str) -> str:
    """Whitespace between tags dropped, other runs of it made one space."""
    return re.sub(r">\s+<", "><", " ".join(html.split())).strip()


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["America/Chicago", "Pacific/Honolulu"])
def test_queue_rows_are_the_template_rows(zone):
    call_command("seed_demo", verbosity=0)
    first = PrescriptionOrder.objects.exclude(signed_at=None).order_by("pk").first()
    PrescriptionOrder.objects.filter(pk=first.pk).update(patient_name="<b>Ann & Bo</b>", tracking_number="1Z<x>")
    orders = list(PrescriptionOrder.objects.exclude(signed_at=None).order_by("pk"))
    assert len(orders) >= 3 and any(o.tracking_number for o in orders) and any(not o.tracking_number for o in orders)
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        ours = str(queue_rows_html(orders))
        assert _squeezed(ours) == _squeezed(TEMPLATE_ROWS.render(Context({"orders": orders})))
    assert "&lt;b&gt;Ann &amp; Bo&lt;/b&gt;" in ours and "1Z&lt;x&gt;" in ours
    assert str(queue_rows_html([])) == ""


@pytest.mark.django_db
def test_the_chart_reads_the_pharmacy_choice_with_the_patient():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patients.models import Patient
    from patients.selectors import patient_get_for
    from portal.models import User
    from prescriptions.models import PharmacyPreference
    from prescriptions.selectors import preferred_pharmacy_of_patient

    call_command("seed_demo", verbosity=0)
    physician = User.objects.get(email="dr.rivera@demo.ldncare.example")
    patient = Patient.objects.get(user__email="maria.lopez@demo.ldncare.example")
    assert PharmacyPreference.objects.filter(patient=patient).exists()
    for _ in ("with a choice", "without one"):
        expected = PharmacyPreference.objects.filter(patient=patient).first()
        charted = patient_get_for(physician, patient.pk)
        with CaptureQueriesContext(connection) as queries:
            assert preferred_pharmacy_of_patient(charted) == expected
        assert len(queries) == 0
        assert preferred_pharmacy_of_patient(Patient.objects.get(pk=patient.pk)) == expected  # read on its own
        PharmacyPreference.objects.filter(patient=patient).delete()


CHART_TEMPLATE_ORDERS = Template(
    """{% for order in orders %}
      <li><a href="{% url 'prescriptions:clinic_order' order.pk %}">{{ order.number }}</a> · {{ order.get_status_display }} · {{ order.created_at|date:"M j, Y" }}{% if order.pharmacy %} · {{ order.pharmacy.name }}{% endif %}</li>
    {% endfor %}"""
)


@pytest.mark.django_db
def test_chart_orders_are_the_template_items():
    from prescriptions.models import Pharmacy
    from prescriptions.presenters import chart_orders_html

    call_command("seed_demo", verbosity=0)
    Pharmacy.objects.filter(pk=Pharmacy.objects.order_by("pk").first().pk).update(name="Gulf & <Coast>")
    PrescriptionOrder.objects.filter(pk=PrescriptionOrder.objects.order_by("pk").first().pk).update(pharmacy=None)
    orders = list(PrescriptionOrder.objects.select_related("pharmacy").order_by("pk"))
    assert any(o.pharmacy for o in orders) and any(not o.pharmacy for o in orders)
    with timezone.override(zoneinfo.ZoneInfo("America/Chicago")):
        ours = str(chart_orders_html(orders))
        assert _squeezed(ours) == _squeezed(CHART_TEMPLATE_ORDERS.render(Context({"orders": orders})))
    assert str(chart_orders_html([])) == ""
