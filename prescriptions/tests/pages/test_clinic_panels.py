"""What the chart and the clinic home show of plans and orders, and their query budgets."""

from decimal import Decimal as D

import pytest

from portal.tests.signin import sign_in
from prescriptions.dosing import Step
from prescriptions.models import PrescriptionOrder, RefillRequest
from prescriptions.orders import refills as refills
from prescriptions.plans import services as plan_services
from prescriptions.tests.factories import advance
from prescriptions.tests.pages.helpers import clone_orders, count_queries


@pytest.mark.django_db
def test_chart_draws_the_dose_step_line_and_the_titration_card(client, physician, approved_patient, shipped):
    plan_services.titration_plan_create(
        patient=approved_patient,
        physician=physician,
        start_date=approved_patient.today(),
        template="custom",
        steps=[Step(D("1.5"), None)],
        dosing_time="morning",
        note="Vivid dreams",
    )
    sign_in(client, physician)
    content = client.get(f"/clinic/patients/{approved_patient.pk}/").content.decode()
    assert 'stroke="#6f42c1"' in content and "dose (mg)" in content
    assert "Titration plan" in content and "Version 2" in content and "Earlier versions" in content
    assert f"/clinic/patients/{approved_patient.pk}/plan/new/" in content
    assert f"/clinic/orders/{shipped.pk}/" in content


@pytest.mark.django_db
def test_clinic_and_patient_order_pages_do_not_query_more_with_more_orders(
    client, physician, approved_patient, sent_order, pharmacy_user
):
    paths = [f"/clinic/orders/{sent_order.pk}/", "/clinic/orders/", f"/fhir/MedicationRequest/{sent_order.pk}"]
    paths.append(f"/clinic/patients/{sent_order.patient_id}/")  # the chart lists the orders and refill requests
    sign_in(client, physician)
    clone_orders(sent_order, 9)
    RefillRequest.objects.create(order=sent_order, patient=sent_order.patient)
    small = [count_queries(client, p) for p in paths]
    for order in clone_orders(sent_order, 190)[:20]:
        RefillRequest.objects.create(order=order, patient=order.patient)
    large = [count_queries(client, p) for p in paths]
    # The chart reads most: besides the orders, its lists of visits, signed notes and conversations.
    assert small == large and max(large) <= 18
    sign_in(client, approved_patient.user)
    paths = ["/patient/orders/", f"/patient/orders/{sent_order.pk}/", "/patient/schedule/", "/patient/"]
    RefillRequest.objects.all().delete()
    PrescriptionOrder.objects.exclude(pk=sent_order.pk).delete()
    for path in paths:  # fill the cached reading list of the patient's phase
        client.get(path)
    small = [count_queries(client, p) for p in paths]
    advance(sent_order, pharmacy_user, "received", "in_review", "compounding", "shipped")
    clone_orders(sent_order, 20)
    for path in paths:  # a shipped order moves the patient on to titration: warm that phase's reading list
        client.get(path)
    assert [count_queries(client, p) for p in paths] == small
