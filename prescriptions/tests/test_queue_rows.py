"""A pharmacy queue row written in Python shows what the template's own lookups and filters would."""

import zoneinfo

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import timezone

from prescriptions.models import PrescriptionOrder
from prescriptions.presenters import queue_rows

OLD_ROW = Template(
    "{% url 'prescriptions:pharmacy_order' order.pk %}|{{ order.number }}|{{ order.signed_at|date:'M j, H:i' }}|"
    "{{ order.patient_name }}|{{ order.get_formulation_display }}, {{ order.strength_label }}|"
    "{{ order.quantity|floatformat:0 }} {{ order.quantity_unit }}|{{ order.ship_to_state }}|{{ order.prescriber_name }}|"
    "{{ order.get_status_display }}|{% if order.tracking_number %}{{ order.carrier }} {{ order.tracking_number }}{% endif %}"
)
NEW_ROW = Template(
    "{{ r.url }}|{{ r.number }}|{{ r.signed }}|{{ r.patient_name }}|{{ r.medication }}|{{ r.quantity }}|"
    "{{ r.ship_to_state }}|{{ r.prescriber_name }}|{{ r.status }}|{{ r.tracking }}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["America/Chicago", "Pacific/Honolulu"])
def test_queue_rows_match_the_template_expressions(zone):
    call_command("seed_demo", verbosity=0)
    orders = list(PrescriptionOrder.objects.exclude(signed_at=None).order_by("pk"))
    PrescriptionOrder.objects.filter(pk=orders[0].pk).update(patient_name="<b>Ann & Bo</b>", tracking_number="1Z<x>")
    orders[0].refresh_from_db()
    assert len(orders) >= 3 and {o.formulation for o in orders} >= {"capsule"}
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for order, row in zip(orders, queue_rows(orders), strict=True):
            assert NEW_ROW.render(Context({"r": row})) == OLD_ROW.render(Context({"order": order}))
