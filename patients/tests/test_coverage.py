"""Coverage when a license lapses: patients with no licensed physician are reported to admins (a
daily email that names no one), and visits the physician can no longer hold are flagged on both
sides with the patient asked to rebook."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from patients.models import Appointment, VisitType
from patients.safety.coverage import coverage_check, uncovered_patients
from patients.tests.factories import PatientFactory
from portal.models import PhysicianLicense, Reminder
from portal.tests.factories import AdminFactory, PhysicianLicenseFactory, state
from portal.tests.outbox import deliver_due
from portal.tests.signin import sign_in


@pytest.fixture
def noon():
    """Noon in Chicago: the admin email is held outside 08:00–20:00."""
    with time_machine.travel(dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def georgia():
    license_ = PhysicianLicenseFactory(state=state("GA"))
    patient = PatientFactory(state=state("GA"), legal_last_name="Harrow")
    return license_, patient


def visit(patient, physician, days_ahead: int) -> Appointment:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days_ahead)
    return Appointment.objects.create(
        patient=patient, physician=physician, visit_type=VisitType.objects.get(kind="follow_up"),
        location_state=patient.state, starts_at=start, ends_at=start + dt.timedelta(minutes=20),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_lapsed_license_puts_its_patients_on_the_admin_report_with_a_daily_email_naming_no_one(client, noon, georgia):
    license_, patient = georgia
    admin = AdminFactory()
    assert not uncovered_patients().filter(pk=patient.pk).exists()
    PhysicianLicense.objects.filter(pk=license_.pk).update(expires_on=dt.date.today() - dt.timedelta(days=1))
    assert uncovered_patients().filter(pk=patient.pk).exists()
    coverage_check()
    coverage_check()  # twice the same day: still one email per admin
    deliver_due()
    (message,) = [m for m in mail.outbox if m.to == [admin.email]]
    assert message.subject == "Some patients have no licensed physician today"
    assert "Harrow" not in message.body and "Georgia" not in message.body
    sign_in(client, admin)
    page = client.get("/admin/patients/patient/?coverage=none").content.decode()
    assert "Harrow" in page


@pytest.mark.django_db
def test_the_email_is_skipped_once_another_physician_is_licensed_there(noon, georgia):
    license_, _ = georgia
    AdminFactory()
    PhysicianLicense.objects.filter(pk=license_.pk).update(expires_on=dt.date.today() - dt.timedelta(days=1))
    coverage_check()
    PhysicianLicenseFactory(state=state("GA"))
    deliver_due()
    assert Reminder.objects.get(kind="coverage-gap").status_reason == "every patient has a licensed physician again"


@pytest.mark.django_db
def test_visits_after_the_lapse_are_flagged_on_both_sides_and_the_patient_can_rebook_up_to_the_visit(
    client, django_capture_on_commit_callbacks, georgia
):
    license_, patient = georgia
    physician = license_.physician
    soon, later = visit(patient, physician, 1), visit(patient, physician, 20)
    with django_capture_on_commit_callbacks(execute=True):  # the admin shortens the license
        license_.expires_on = dt.date.today() + dt.timedelta(days=10)
        license_.save()
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.rebook_requested_at is None and later.rebook_requested_at is not None
    assert Reminder.objects.filter(kind="portal-update", recipient=patient.user).exists()  # a neutral email
    sign_in(client, patient.user)
    page = client.get("/patient/appointments/").content.decode()
    assert "can no longer see patients in Georgia on this day" in page
    sign_in(client, physician)
    page = client.get(f"/clinic/appointments/{later.pk}/").content.decode()
    assert "The patient was asked on" in page
    # within the 24-hour cut-off a flagged visit can still be moved
    Appointment.objects.filter(pk=later.pk).update(starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3),
                                                   ends_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3, minutes=20))  # fmt: skip
    from patients.visits.services import appointment_can_change

    later.refresh_from_db()
    assert appointment_can_change(later)


@pytest.mark.django_db
def test_the_coverage_check_reads_licenses_once_however_many_visits(georgia):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patients.safety.coverage import visits_to_rebook

    license_, patient = georgia
    for days in (1, 2):
        visit(patient, license_.physician, days)
    now = dt.datetime.now(dt.UTC)
    with CaptureQueriesContext(connection) as few:
        visits_to_rebook(now=now)
    for days in range(3, 12):
        visit(PatientFactory(state=state("GA")), license_.physician, days)
    with CaptureQueriesContext(connection) as many:
        visits_to_rebook(now=now)
    assert len(few) == len(many) == 2
