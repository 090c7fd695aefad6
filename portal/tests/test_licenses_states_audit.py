import datetime as dt

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from patients.selectors import patient_get_for, patient_list_for
from patients.tests.factories import PatientFactory
from portal.audit import access_record
from portal.models import AccessLog, PhysicianLicense, ServiceState
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in
from prescriptions.tests.factories import PharmacyLicenseFactory

EXPIRY = dt.date(2026, 6, 30)


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [PhysicianLicenseFactory, PharmacyLicenseFactory])
def test_license_is_active_on_its_expiry_day_and_not_the_day_after(factory):
    license_ = factory(expires_on=EXPIRY)
    model = type(license_)
    assert license_.is_active_on(EXPIRY)
    assert not license_.is_active_on(EXPIRY + dt.timedelta(days=1))
    # the queryset rule agrees with the method
    assert model.objects.active_on(EXPIRY).filter(pk=license_.pk).exists()
    assert not model.objects.active_on(EXPIRY + dt.timedelta(days=1)).filter(pk=license_.pk).exists()


@pytest.mark.django_db
def test_unverified_license_is_never_active():
    license_ = PhysicianLicenseFactory(expires_on=EXPIRY, verified_at=None)
    assert not license_.is_active_on(EXPIRY - dt.timedelta(days=100))
    assert not PhysicianLicense.objects.active_on(EXPIRY - dt.timedelta(days=100)).exists()


@pytest.mark.django_db
def test_data_migration_creates_the_six_launch_states():
    states = {s.code: s for s in ServiceState.objects.all()}
    assert set(states) == {"IA", "IL", "MO", "FL", "GA", "TX"}
    assert all(s.active for s in states.values())
    assert states["FL"].timezone == "America/New_York"
    assert states["TX"].timezone == "America/Chicago"


def _row_counts():
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_rows():
    call_command("seed_demo", verbosity=0)
    first = _row_counts()
    call_command("seed_demo", verbosity=0)
    second = _row_counts()
    # history tables may grow when a record really changes; the domain rows must not
    first = {k: v for k, v in first.items() if ".Historical" not in k}
    second = {k: v for k, v in second.items() if ".Historical" not in k}
    assert first == second
    assert first["portal.User"] >= 10
    assert PhysicianLicense.objects.filter(expires_on__lt=dt.date.today()).exists(), (
        "one physician has an expired license"
    )
    from patients.models import Appointment

    cancelled = Appointment.objects.get(status="cancelled", patient__user__email="maria.lopez@demo.ldncare.example")
    assert cancelled.cancelled_by.email == "dr.rivera@demo.ldncare.example" and cancelled.cancellation_note


@pytest.mark.django_db
def test_physician_sees_only_patients_in_states_with_an_active_license(physician, outsider_physician):
    tx_patient = PatientFactory(state=state("TX"))
    ia_patient = PatientFactory(state=state("IA"))
    assert list(patient_list_for(physician)) == [tx_patient]
    assert list(patient_list_for(outsider_physician)) == [ia_patient]


@pytest.mark.django_db
def test_an_expired_license_counts_as_none():
    license_ = PhysicianLicenseFactory(state=state("TX"), expires_on=dt.date.today() - dt.timedelta(days=1))
    tx_patient = PatientFactory(state=state("TX"))
    assert not patient_list_for(license_.physician).exists()
    from django.http import Http404

    with pytest.raises(Http404):
        patient_get_for(license_.physician, tx_patient.pk)


@pytest.mark.django_db
def test_patients_and_pharmacy_staff_see_no_other_patient(patient, other_patient, pharmacy_user):
    assert list(patient_list_for(patient.user)) == [patient]
    assert not patient_list_for(pharmacy_user).exists()


@pytest.mark.django_db
def test_viewing_someone_elses_record_writes_an_access_audit_row(physician, patient):
    request = RequestFactory().get("/clinic/patients/1/", REMOTE_ADDR="203.0.113.9")
    request.user = physician
    access_record(request, patient_user=patient.user, action="chart.view")
    row = AccessLog.objects.get()
    assert (row.actor, row.patient, row.action, row.ip_address) == (
        physician,
        patient.user,
        "chart.view",
        "203.0.113.9",
    )
    # a patient looking at their own record is not an access to audit
    request.user = patient.user
    assert access_record(request, patient_user=patient.user, action="chart.view") is None
    assert AccessLog.objects.count() == 1


@pytest.mark.django_db
def test_access_log_is_read_only_in_the_admin(client, admin_user, physician, patient):
    AccessLog.objects.create(actor=physician, patient=patient.user, action="chart.view", path="/x")
    sign_in(client, admin_user)
    assert client.get("/admin/portal/accesslog/").status_code == 200
    assert client.get("/admin/portal/accesslog/add/").status_code == 403
    row = AccessLog.objects.get()
    assert client.post(f"/admin/portal/accesslog/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessLog.objects.count() == 1


@pytest.mark.django_db
def test_license_changes_keep_history(physician):
    license_ = physician.licenses.get()
    license_.expires_on = license_.expires_on + dt.timedelta(days=30)
    license_.save()
    assert license_.history.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/portal/user/",
        "/admin/portal/user/?role=physician",
        "/admin/portal/servicestate/",
        "/admin/portal/physicianlicense/?state__id__exact=1",
        "/admin/prescriptions/pharmacy/",
        "/admin/prescriptions/pharmacylicense/",
        "/admin/prescriptions/pharmacymembership/",
        "/admin/patients/patient/?q=a",
    ],
)
def test_admin_lists_work(client, admin_user, physician, pharmacy_user, patient, path):
    sign_in(client, admin_user)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_licensure_is_judged_on_the_date_in_the_states_own_zone():
    """At 23:30 in Chicago it is already tomorrow in Florida: a Florida license expiring today no
    longer counts there, while an Illinois one does (one definition, portal.access.licensure_day)."""
    import datetime as dt

    from portal.access import licensure_day, physician_license_in
    from portal.tests.factories import PhysicianLicenseFactory, state

    moment = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))  # CDT
    assert licensure_day(state("FL"), moment) == dt.date(2026, 3, 11)
    assert licensure_day(state("IL"), moment) == dt.date(2026, 3, 10)
    florida = PhysicianLicenseFactory(state=state("FL"), expires_on=dt.date(2026, 3, 10))
    physician = florida.physician
    PhysicianLicenseFactory(physician=physician, state=state("IL"), expires_on=dt.date(2026, 3, 10))
    assert physician_license_in(physician, state("FL"), moment=moment) is None
    assert physician_license_in(physician, state("IL"), moment=moment) is not None
