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
