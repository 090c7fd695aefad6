"""The demo: plans for the approved demo patients and orders in every state at both pharmacies."""

import pytest
from django.core.management import call_command

from portal.demo import demo_email
from portal.models import User
from portal.tests.signin import sign_in
from prescriptions.models import OrderStatus, PrescriptionOrder, TitrationPlan
from prescriptions.orders.selectors import latest_order_for_patient
from prescriptions.orders.services import order_content_intact


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


@pytest.mark.django_db
def test_the_demo_has_orders_in_every_state_spread_over_the_pharmacies(seeded):
    statuses = set(PrescriptionOrder.objects.values_list("status", flat=True))
    assert statuses == set(OrderStatus.values)
    pharmacies = set(PrescriptionOrder.objects.exclude(pharmacy=None).values_list("pharmacy__name", flat=True))
    assert pharmacies == {"Prairie Compounding Pharmacy", "Gulf Coast Compounding", "Lone Star Apothecary"}
    # The fax-only pharmacy's order went out by fax when it was seeded.
    faxed = PrescriptionOrder.objects.get(pharmacy__name="Lone Star Apothecary")
    assert faxed.status == "sent" and faxed.fax_transmissions.filter(status="sent").exists()
    assert all(order_content_intact(o) for o in PrescriptionOrder.objects.exclude(status="draft"))


@pytest.mark.django_db
def test_maria_is_titrating_on_a_second_plan_version_and_her_order_shipped_with_tracking(seeded, client):
    plans = TitrationPlan.objects.filter(patient__user__email=demo_email("maria.lopez")).order_by("version")
    assert [(p.version, p.dosing_time, p.is_current) for p in plans] == [(1, "bedtime", False), (2, "morning", True)]
    maria = plans[0].patient
    latest = latest_order_for_patient(maria)
    assert (latest.status, latest.carrier, latest.tracking_number) == ("shipped", "USPS", "9400111899223345678912")
    # Shipped the way a pharmacy must: checklist completed, compounding record kept.
    verification = latest.verifications.get()
    assert verification.dose_confirmed and verification.content_hash == latest.content_hash
    record = latest.compounding_records.get()
    assert record.compounded_by != record.checked_by and 0 < record.beyond_use_days <= 180
    sign_in(client, maria.user)
    assert b"9400111899223345678912" in client.get("/patient/orders/").content
    assert b"Shipped" in client.get("/patient/").content


@pytest.mark.django_db
def test_seeding_again_adds_no_plans_or_orders(seeded):
    counts = (TitrationPlan.objects.count(), PrescriptionOrder.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (TitrationPlan.objects.count(), PrescriptionOrder.objects.count()) == counts


@pytest.mark.django_db
def test_the_demo_totp_secret_is_nowhere_in_the_database_and_the_demo_logins_still_work(seeded, client):
    from django.apps import apps
    from django.db import connection

    from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from portal.management.commands.demo_totp_code import current_demo_code

    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # every table, every column
            assert all(DEMO_TOTP_SECRET not in str(row) for row in cursor.fetchall()), model._meta.db_table
    response = client.post("/accounts/login/", {"login": "dr.rivera@demo.ldncare.example", "password": DEMO_PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    client.post("/accounts/2fa/authenticate/", {"code": current_demo_code()})
    assert client.get("/clinic/").status_code == 200


@pytest.mark.django_db
def test_seeding_again_writes_no_change_history(seeded):
    from django.apps import apps

    history = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    before = {m._meta.label: m.objects.count() for m in history}
    call_command("seed_demo", verbosity=0)
    after = {m._meta.label: m.objects.count() for m in history}
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}


@pytest.mark.django_db
def test_marias_story_happens_in_order_and_her_booked_visit_is_linked_to_her_follow_up(seeded):
    from patients.models import Appointment, CheckIn, FollowUp, Intake

    maria = TitrationPlan.objects.filter(patient__user__email=demo_email("maria.lopez")).first().patient
    intake = Intake.objects.get(patient=maria)
    first_visit = Appointment.objects.get(patient=maria, status="completed")
    first_plan = TitrationPlan.objects.get(patient=maria, version=1)
    first_order = PrescriptionOrder.objects.filter(patient=maria).exclude(status="draft").order_by("signed_at").first()
    weekly = CheckIn.objects.filter(patient=maria, kind="weekly").order_by("recorded_at")
    zone = __import__("zoneinfo").ZoneInfo(maria.time_zone_name)
    moments = [
        intake.submitted_at,
        intake.reviewed_at,
        first_visit.starts_at,
        first_order.signed_at,
        __import__("datetime").datetime.combine(first_plan.start_date, __import__("datetime").time(), tzinfo=zone),
        weekly.first().recorded_at,
    ]
    assert moments == sorted(moments)
    assert first_order.supply_start == first_plan.start_date and order_content_intact(first_order)
    booked = Appointment.objects.get(patient=maria, status="booked")
    followup = FollowUp.objects.get(patient=maria, status__in=["pending", "booked"])
    assert (booked.followup, followup.status) == (followup, "booked")


@pytest.mark.django_db
def test_the_coordinators_recall_list_starts_with_ruths_overdue_follow_up(seeded, client):
    nora = User.objects.get(email=demo_email("nora.quinn"))
    sign_in(client, nora)
    page = client.get("/clinic/recalls/").content.decode()
    assert "Ruth Ellis" in page and "Overdue" in page and "Called, no answer" in page
    inbox = client.get("/clinic/messages/?show=mine").content.decode()
    assert "Receipt for my visit" in inbox and "Vivid dreams" not in inbox
