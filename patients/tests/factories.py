import factory

from patients.models import Patient
from portal.tests.factories import UserFactory, state


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    user = factory.SubFactory(UserFactory)
    state = factory.LazyFunction(lambda: state("TX"))
    timezone = "America/Chicago"


ABOUT_DATA = {
    "legal_first_name": "Rosa",
    "legal_last_name": "Diaz",
    "date_of_birth": __import__("datetime").date(1980, 5, 17),
    "phone": "512-555-0100",
    "address_line1": "1 Congress Ave",
    "address_line2": "",
    "city": "Austin",
    "state_code": "TX",
    "postal_code": "78701",
    "timezone": "",
}

STEP_DATA = {
    "conditions": {"conditions": ["fibromyalgia"], "condition_other": ""},
    "pain": {"peg_pain": 8, "peg_enjoyment": 6, "peg_activity": 7},
    "medications": {
        "takes_opioids": False,
        "opioid_names": "",
        "opioid_last_dose": None,
        "takes_immunosuppressants": False,
        "immunosuppressant_names": "",
        "takes_thyroid_medication": False,
        "thyroid_medication_names": "",
        "other_medications": "",
    },
    "history": {"organ_transplant": False, "liver_disease": False, "hashimotos": False},
    "allergies": {"no_known_allergies": True, "allergies": ""},
}


def complete_intake(patient, *, submit=True, about=None, **step_overrides):
    """Fill every intake step through the services (so the rules apply), then submit."""
    from patients.intake.services import (
        intake_mark_step,
        intake_record_consents,
        intake_save_about,
        intake_save_step,
        intake_submit,
    )

    intake_save_about(patient=patient, data={**ABOUT_DATA, **(about or {})})
    for step, data in STEP_DATA.items():
        intake_save_step(patient=patient, step=step, data={**data, **step_overrides.get(step, {})})
    intake_mark_step(patient=patient, step="pharmacy")
    intake_record_consents(patient=patient, kinds=["telehealth", "off_label", "privacy"], ip_address=None)
    if submit:
        intake_submit(patient=patient)
    patient.refresh_from_db()
    return patient.intake


def plan_started(patient, on, *, due_in_days=14, doses=("4.5",)):
    """A plan that started on ``on`` (any day, past included: written directly, the plan service
    keeps starts near today), each dose but the last lasting 14 days, then the patient's follow-up
    recomputed from it. Returns the open follow-up."""
    from decimal import Decimal

    from django.utils import timezone

    from patients.followups.services import followup_next_for, followup_sync
    from portal.tests.factories import PhysicianFactory
    from prescriptions.models import TitrationPlan, TitrationStep

    version = TitrationPlan.objects.filter(patient=patient).count() + 1
    TitrationPlan.objects.filter(patient=patient, superseded_at__isnull=True).update(superseded_at=timezone.now())
    plan = TitrationPlan.objects.create(
        patient=patient,
        version=version,
        start_date=on,
        followup_due_in_days=due_in_days,
        created_by=PhysicianFactory(),
    )
    for number, dose in enumerate(doses, start=1):
        days = None if number == len(doses) else 14
        TitrationStep.objects.create(plan=plan, sequence=number, dose_mg=Decimal(dose), days=days)
    followup_sync(patient=patient)
    return followup_next_for(patient)


class VisitNoteFactory(factory.django.DjangoModelFactory):
    """A draft note by the visit's physician (``appointment`` is required)."""

    class Meta:
        model = "patients.VisitNote"

    author = factory.LazyAttribute(lambda note: note.appointment.physician)
    subjective = "Pain 6/10, sleeping better."
    assessment = "Responding to LDN at 3.0 mg."
    plan = "Raise maintenance to 4.5 mg at bedtime."
    summary_decided = "We will raise your dose a little."
    summary_next_steps = "Keep logging your weekly check-ins."
    summary_next_visit = "In about four weeks."


class FeeScheduleFactory(factory.django.DjangoModelFactory):
    """A fee-schedule version in force from 1 January 2026 with a price for both kinds of visit
    (initial $250.00 as 99204, follow-up $150.00 as 99214); ``fees=False`` leaves it without."""

    class Meta:
        model = "patients.FeeSchedule"
        skip_postgeneration_save = True

    name = "2026 prices"
    effective_from = __import__("datetime").date(2026, 1, 1)
    legal_name = "Lakeside LDN Care PLLC"
    npi = "1234567893"
    tin = "12-3456789"
    address_line1 = "100 Main Street"
    address_line2 = "Suite 200"
    city = "Austin"
    state_code = "TX"
    postal_code = "78701"
    phone = "512-555-0199"
    billing_email = "billing@example.com"
    cancellation_policy = (
        "Cancel at least 24 hours ahead for a full refund. Later cancellations and missed visits are not refunded."
    )

    @factory.post_generation
    def fees(schedule, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        from patients.models import Fee, VisitType

        prices = {
            VisitType.Kind.INITIAL: ("99204", "Video visit, new patient", 25_000),
            VisitType.Kind.FOLLOW_UP: ("99214", "Video visit, follow-up", 15_000),
        }
        for kind, (code, description, cents) in prices.items():
            Fee.objects.create(
                schedule=schedule,
                visit_type=VisitType.objects.get(kind=kind),
                service_code=code,
                description=description,
                amount_cents=cents,
            )


def appointment_at(patient, starts_at, *, kind="initial", physician=None, status="booked"):
    """A visit written directly (no booking rules), for tests that only need one to exist."""
    import datetime as dt

    from patients.models import Appointment, VisitType
    from portal.tests.factories import PhysicianFactory

    visit_type = VisitType.objects.get(kind=kind)
    return Appointment.objects.create(
        patient=patient,
        physician=physician or PhysicianFactory(),
        visit_type=visit_type,
        location_state=patient.state,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=visit_type.duration_minutes),
        status=status,
    )


def paid_payment(appointment, schedule, *, paid_at, status="paid", refunded_cents=0):
    """A payment of the visit's fee under ``schedule``, as Stripe would have left it paid."""
    from patients.billing.estimates import service_code_with_modifier
    from patients.models import Payment

    fee = schedule.fees.get(visit_type=appointment.visit_type)
    return Payment.objects.create(
        patient=appointment.patient,
        appointment=appointment,
        fee_schedule=schedule,
        description=fee.description,
        service_code=service_code_with_modifier(fee, schedule),
        amount_cents=fee.amount_cents,
        status=status,
        checkout_session_id=f"cs_test_{appointment.pk}_{status}",
        payment_intent_id=f"pi_test_{appointment.pk}",
        paid_at=paid_at,
        refunded_cents=refunded_cents,
    )
