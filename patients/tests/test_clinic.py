"""Physician review, the review queue, the patient list and the chart."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.models import CheckIn, Intake, ReviewStatus
from patients.tests.factories import PatientFactory, complete_intake
from portal.models import AccessLog
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.outbox import deliver_due
from portal.tests.signin import sign_in


def transplant_answers():
    return {
        "history": {"organ_transplant": True},
        "medications": {"takes_immunosuppressants": True, "immunosuppressant_names": "Tacrolimus"},
    }


@pytest.mark.django_db
def test_review_queue_lists_only_pending_intakes_in_licensed_states(client, physician):
    tx = PatientFactory(state=state("TX"))
    complete_intake(tx)
    fl = PatientFactory(state=state("FL"))
    complete_intake(fl, about={"state_code": "FL"})
    draft = PatientFactory(state=state("TX"))
    complete_intake(draft, submit=False)
    sign_in(client, physician)
    response = client.get("/clinic/reviews/")
    assert [i.patient for i in response.context["page"]] == [tx]


@pytest.mark.django_db
def test_physician_approves_and_the_patient_gets_an_email_without_health_details(
    client, physician, patient, django_capture_on_commit_callbacks
):
    complete_intake(patient, history={"hashimotos": True})
    sign_in(client, physician)
    with time_machine.travel(dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC), tick=False):
        response = client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "approve", "note": "ok"})
        assert len(mail.outbox) == 0  # the request only wrote a reminder row
        assert deliver_due() == 0  # updates wait two minutes for others to the same person
        assert deliver_due(now=timezone.now() + dt.timedelta(minutes=3)) == 1
    assert response.status_code == 302
    intake = Intake.objects.get(patient=patient)
    assert (intake.review_status, intake.reviewed_by) == (ReviewStatus.APPROVED, physician)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body + mail.outbox[0].subject + mail.outbox[0].alternatives[0][0]
    assert "update in your" in body
    for secret in ("Hashimoto", "naltrexone", "LDN", "approved", "thyroid", patient.legal_last_name):
        assert secret not in body


@pytest.mark.django_db
def test_declining_needs_a_note(client, physician, patient):
    complete_intake(patient)
    sign_in(client, physician)
    response = client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "decline"}, follow=True)
    assert b"Say why the intake is declined" in response.content
    assert Intake.objects.get(patient=patient).review_status == ReviewStatus.PENDING
    client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "decline", "note": "Not suitable"})
    assert Intake.objects.get(patient=patient).review_status == ReviewStatus.DECLINED


@pytest.mark.django_db
def test_approving_a_not_eligible_patient_needs_an_override_reason(client, physician, patient):
    complete_intake(patient, **transplant_answers())
    sign_in(client, physician)
    response = client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "approve"}, follow=True)
    assert b"Record why you approve anyway" in response.content
    assert Intake.objects.get(patient=patient).review_status == ReviewStatus.PENDING
    client.post(
        f"/clinic/patients/{patient.pk}/review/",
        {"decision": "approve", "override_reason": "Transplant team agrees; close monitoring."},
    )
    intake = Intake.objects.get(patient=patient)
    assert intake.review_status == ReviewStatus.APPROVED
    assert intake.override_reason.startswith("Transplant team")


@pytest.mark.django_db
def test_approving_during_the_opioid_washout_needs_an_override_reason(client, physician, patient):
    complete_intake(
        patient,
        medications={"takes_opioids": True, "opioid_names": "Tramadol", "opioid_last_dose": dt.date.today()},
    )
    sign_in(client, physician)
    client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "approve"})
    assert Intake.objects.get(patient=patient).review_status == ReviewStatus.PENDING


@pytest.mark.django_db
def test_a_review_cannot_be_made_twice(client, physician, patient):
    complete_intake(patient)
    sign_in(client, physician)
    client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "approve"})
    response = client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "decline", "note": "x"}, follow=True)
    assert b"not waiting for review" in response.content
    assert Intake.objects.get(patient=patient).review_status == ReviewStatus.APPROVED


@pytest.mark.django_db
def test_physician_without_a_license_in_the_state_gets_404(client, outsider_physician, patient):
    complete_intake(patient)
    sign_in(client, outsider_physician)
    assert client.get(f"/clinic/patients/{patient.pk}/").status_code == 404
    assert client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "approve"}).status_code == 404
    assert Intake.objects.get(patient=patient).review_status == ReviewStatus.PENDING


@pytest.mark.django_db
def test_an_expired_license_counts_as_none_for_the_chart(client, patient):
    expired = PhysicianLicenseFactory(state=state("TX"), expires_on=dt.date.today() - dt.timedelta(days=1)).physician
    sign_in(client, expired)
    assert client.get(f"/clinic/patients/{patient.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["patient", "pharmacy", "admin"])
@pytest.mark.parametrize("path", ["/clinic/reviews/", "/clinic/patients/", "/clinic/patients/{pk}/"])
def test_clinic_pages_refuse_other_roles(client, role_users, patient, role, path):
    sign_in(client, role_users[role])
    assert client.get(path.format(pk=patient.pk)).status_code == 403


@pytest.mark.django_db
def test_review_refuses_get_and_chart_refuses_post(client, physician, patient):
    sign_in(client, physician)
    assert client.get(f"/clinic/patients/{patient.pk}/review/").status_code == 405
    assert client.post(f"/clinic/patients/{patient.pk}/").status_code == 405


@pytest.mark.django_db
def test_review_with_no_decision_changes_nothing(client, physician, patient):
    complete_intake(patient)
    sign_in(client, physician)
    response = client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "maybe"}, follow=True)
    assert b"Choose approve or decline" in response.content
    assert Intake.objects.get(patient=patient).review_status == ReviewStatus.PENDING


@pytest.mark.django_db
def test_chart_view_writes_an_access_audit_row_and_shows_the_peg_chart(client, physician, patient):
    complete_intake(patient)
    CheckIn.objects.create(patient=patient, pain=4, enjoyment=3, activity=2)
    sign_in(client, physician)
    response = client.get(f"/clinic/patients/{patient.pk}/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" in content and "30 % better" in content and "50 % better" in content
    assert response.context["response"].percent_change == 57.1
    assert "Strong response" in content
    log = AccessLog.objects.get()
    assert (log.actor, log.patient, log.action, log.ip_address) == (
        physician,
        patient.user,
        "chart.view",
        "198.51.100.7",
    )


@pytest.mark.django_db
def test_patient_list_filters_and_searches(client, physician):
    a = PatientFactory(state=state("TX"), legal_first_name="Ana", legal_last_name="Zamora")
    complete_intake(a, about={"legal_first_name": "Ana", "legal_last_name": "Zamora"}, history={"hashimotos": True})
    # Fixed names and emails: a random one containing "zamo" would match the search too.
    b = PatientFactory(state=state("TX"), user__first_name="Ben", user__last_name="Young", user__email="b@example.com")
    complete_intake(b, about={"legal_first_name": "Ben", "legal_last_name": "Young"})
    PatientFactory(  # not started
        state=state("TX"), legal_first_name="Cara", legal_last_name="Xu",
        user__first_name="Cara", user__last_name="Xu", user__email="c@example.com",
    )  # fmt: skip
    sign_in(client, physician)

    def names(query):
        return [patient.legal_last_name for patient in client.get("/clinic/patients/" + query).context["page"]]

    assert names("?q=zamo") == ["Zamora"]
    assert names("?screening=needs_review") == ["Zamora"]
    assert names("?review_status=pending") == ["Young", "Zamora"]
    assert len(names("?review_status=not_submitted")) == 1
    assert names("?state=FL") == []


@pytest.mark.django_db
def test_patient_list_paginates(client, physician):
    PatientFactory.create_batch(30, state=state("TX"))
    sign_in(client, physician)
    first = client.get("/clinic/patients/")
    assert len(first.context["page"]) == 25
    assert len(client.get("/clinic/patients/?page=2").context["page"]) == 5


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_patient_list_and_chart_query_counts_do_not_grow_with_the_data(client, physician):
    sign_in(client, physician)
    target = PatientFactory(state=state("TX"))
    complete_intake(target)
    for _ in range(3):
        p = PatientFactory(state=state("TX"))
        complete_intake(p)
    CheckIn.objects.create(patient=target, pain=5, enjoyment=5, activity=5)
    small = (_count_queries(client, "/clinic/patients/"), _count_queries(client, f"/clinic/patients/{target.pk}/"))
    for _ in range(20):
        p = PatientFactory(state=state("TX"))
        complete_intake(p)
    for _ in range(30):
        CheckIn.objects.create(patient=target, pain=4, enjoyment=4, activity=4)
    large = (_count_queries(client, "/clinic/patients/"), _count_queries(client, f"/clinic/patients/{target.pk}/"))
    assert small == large
    assert max(large) <= 20


@pytest.mark.django_db
def test_the_name_search_uses_trigram_indexes_on_postgresql(physician):
    """A search by part of a name can be answered from the trigram indexes (patients migration
    0006) on both tables it looks at."""
    from django.db import connection

    from patients.models import Patient
    from patients.selectors import patient_list_for, patient_search
    from portal.models import User

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    users = User.objects.bulk_create(
        [User(email=f"search{i}@example.com", first_name=f"First{i}", last_name=f"Last{i}") for i in range(5000)]
    )
    Patient.objects.bulk_create(
        [Patient(user=u, legal_first_name=f"Given{i}", legal_last_name=f"Family{i}") for i, u in enumerate(users)]
    )
    Patient.objects.filter(user=users[0]).update(legal_last_name="Quenzwick")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
        cursor.execute("ANALYZE portal_user")
    sql, params = patient_search(patient_list_for(physician), q="enzwi").query.sql_with_params()
    with connection.cursor() as cursor:
        # On a few thousand rows a scan is still cheap; what matters is that the indexes can serve
        # the search's shape (an OR across the join could use none of them).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The account side is answered from its three trigram indexes at once; on the patient side,
    # at this size, PostgreSQL prefers reading the covering name-order index.
    assert "BitmapOr" in plan and "user_email_trgm" in plan and "user_last_name_trgm" in plan, plan
    assert "Seq Scan on patients_patient" not in plan, plan


@pytest.mark.django_db
def test_the_clinic_home_warns_of_the_physicians_own_license_expiring_within_60_days(client, physician):
    import datetime as dt

    from portal.models import PhysicianLicense

    license_ = PhysicianLicense.objects.get(physician=physician)
    sign_in(client, physician)
    license_.expires_on = dt.date.today() + dt.timedelta(days=45)
    license_.save()
    page = client.get("/clinic/").content.decode()
    assert "license (" in page and "expires in 45 days" in page
    license_.expires_on = dt.date.today() + dt.timedelta(days=90)
    license_.save()
    assert "expires in" not in client.get("/clinic/").content.decode()
