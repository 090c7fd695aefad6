"""The patient's order, refill, dose-calendar and dashboard panels."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest

from portal.models import AccessLog
from portal.tests.signin import sign_in
from prescriptions.models import RefillRequest
from prescriptions.orders import refills as refills
from prescriptions.tests.factories import make_plan


@pytest.mark.django_db
def test_patient_follows_the_order_and_sees_the_tracking_number(client, approved_patient, shipped):
    sign_in(client, approved_patient.user)
    listing = client.get("/patient/orders/").content.decode()
    assert shipped.number in listing and "Shipped" in listing and "USPS tracking number <a href=" in listing
    page = client.get(f"/patient/orders/{shipped.pk}/").content.decode()
    assert "USPS tracking number <a href=" in page and "Ask for a refill" in page
    assert not AccessLog.objects.filter(actor=approved_patient.user).exists()  # their own record


@pytest.mark.django_db
def test_patient_requests_a_refill_once(client, approved_patient, shipped):
    sign_in(client, approved_patient.user)
    client.post(f"/patient/orders/{shipped.pk}/refill/", {"note": "Two days left"})
    assert RefillRequest.objects.get().patient_note == "Two days left"
    response = client.post(f"/patient/orders/{shipped.pk}/refill/", {"note": ""}, follow=True)
    assert b"already asked for a refill" in response.content
    assert RefillRequest.objects.count() == 1


@pytest.mark.django_db
def test_patient_cannot_request_a_refill_before_shipping(client, approved_patient, sent_order):
    sign_in(client, approved_patient.user)
    response = client.post(f"/patient/orders/{sent_order.pk}/refill/", {"note": "x" * 501}, follow=True)
    assert b"under 500 characters" in response.content
    response = client.post(f"/patient/orders/{sent_order.pk}/refill/", {}, follow=True)
    assert b"once this order has shipped" in response.content
    assert not RefillRequest.objects.exists()


@pytest.mark.django_db
def test_the_schedule_calendar_shows_each_days_dose(client, approved_patient, physician):
    plan = make_plan(approved_patient, physician)
    sign_in(client, approved_patient.user)
    start = plan.start_date
    month = f"{start:%Y-%m}"
    response = client.get(f"/patient/schedule/?month={month}")
    cells = {cell.day: cell for week in response.context["calendar"].weeks for cell in week if cell}
    assert cells[start].mg == D("1.5") and cells[start].changes and cells[start].is_today
    later = start + dt.timedelta(days=7)
    if later.month == start.month:
        assert (cells[later].mg, cells[later].changes) == (D("3.0"), True)
    assert b'aria-current="date"' in response.content
    assert client.get("/patient/schedule/?month=2026-13").status_code == 200
    assert client.get("/patient/schedule/?month=bad").context["calendar"].month == approved_patient.today().month


@pytest.mark.django_db
def test_the_schedule_without_a_plan_says_so(client, patient):
    sign_in(client, patient.user)
    assert b"do not have a dosing plan yet" in client.get("/patient/schedule/").content


@pytest.mark.django_db
def test_dashboard_shows_tonights_dose_in_mg_and_ml_and_the_order_status(client, approved_patient, shipped):
    sign_in(client, approved_patient.user)
    content = client.get("/patient/").content.decode()
    assert "Tonight's dose" in content
    assert re.search(r"1\.5 mg\s*<span[^>]*>= 1\.5 mL", content)
    assert "Take 1.5 mL (1.5 mg) by mouth at bedtime" in content
    assert f"Latest prescription ({shipped.number}): <strong>Shipped</strong>" in content
    assert "/patient/orders/" in content and "/patient/schedule/" in content


@pytest.mark.django_db
def test_dashboard_before_any_plan_keeps_the_placeholder(client, patient):
    sign_in(client, patient.user)
    assert b"No prescription yet" in client.get("/patient/").content
