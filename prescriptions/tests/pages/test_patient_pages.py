"""The patient's order, refill, dose-calendar and dashboard panels."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest

from portal.models import AccessLog
from portal.tests.signin import sign_in
from prescriptions.models import RefillRequest
from prescriptions.orders import refills as refills
from prescriptions.plans.presenters import dose_steps
from prescriptions.plans.selectors import plan_schedule_for
from prescriptions.plans.services import plan_pause
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


def step_rows(content: str) -> list[str]:
    """The text of each dose step on the phone list, whitespace collapsed."""
    rows = re.findall(r'<li class="dose-step[^"]*"[^>]*>(.*?)</li>', content, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", row).split()) for row in rows]


@pytest.mark.django_db
def test_on_phones_the_schedule_is_a_list_of_steps_and_the_grid_is_for_wide_screens(
    client, approved_patient, physician
):
    today = approved_patient.today()
    make_plan(approved_patient, physician, start_date=today - dt.timedelta(days=2))
    sign_in(client, approved_patient.user)
    content = client.get("/patient/schedule/").content.decode()

    def day(offset):
        shown = today + dt.timedelta(days=offset)
        return f"{shown:%a %b} {shown.day}"

    assert step_rows(content) == [
        f"Now – {day(4)}: 1.5 mg each night",
        f"{day(5)} – {day(11)}: 3.0 mg each night",
        f"From {day(12)}: 4.5 mg each night",
    ]
    assert 'class="dose-step is-now" aria-current="step"' in content
    # the list only below 768 px, the month grid (and its month links) only from 768 px
    assert '<section class="d-md-none" aria-labelledby="steps-heading">' in content
    grid = content[content.index('<div class="d-none d-md-block">') :]
    assert grid.index('aria-label="Months"') < grid.index('<table class="table table-bordered dose-calendar">')


@pytest.mark.django_db
def test_the_steps_give_millilitres_once_the_pharmacy_has_the_order(client, approved_patient, shipped):
    sign_in(client, approved_patient.user)
    rows = step_rows(client.get("/patient/schedule/").content.decode())
    assert rows[0].startswith("Now – ") and rows[0].endswith(": 1.5 mL (1.5 mg) each night")
    assert rows[1].endswith(": 3.0 mL (3.0 mg) each night") and rows[-1].startswith("From ")


@pytest.mark.django_db
def test_the_steps_of_a_morning_plan_that_starts_later_and_of_a_stopped_plan(client, approved_patient, physician):
    today = approved_patient.today()
    make_plan(approved_patient, physician, start_date=today + dt.timedelta(days=3), dosing_time="morning")
    steps = dose_steps(plan_schedule_for(approved_patient), today)
    assert [(s.start, s.end, s.mg, s.each, s.is_now) for s in steps] == [
        (today + dt.timedelta(days=3), today + dt.timedelta(days=9), D("1.5"), "each morning", False),
        (today + dt.timedelta(days=10), today + dt.timedelta(days=16), D("3.0"), "each morning", False),
        (today + dt.timedelta(days=17), None, D("4.5"), "each morning", False),
    ]
    sign_in(client, approved_patient.user)
    first = step_rows(client.get("/patient/schedule/").content.decode())[0]
    assert re.fullmatch(r"\w{3} \w{3} \d+ – \w{3} \w{3} \d+: 1\.5 mg each morning", first)

    plan_pause(
        patient=approved_patient, kind="stop", reason="Side effects", by=physician, on=today + dt.timedelta(days=5)
    )
    steps = dose_steps(plan_schedule_for(approved_patient), today)
    assert [(s.start, s.end, s.mg, s.pause) for s in steps] == [
        (today + dt.timedelta(days=3), today + dt.timedelta(days=4), D("1.5"), ""),
        (today + dt.timedelta(days=5), None, None, "No dose: your plan is stopped"),
    ]
