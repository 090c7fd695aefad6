"""Demo patients: one for each screening outcome, one mid-intake, one not started, one whose
follow-up is overdue, and a visitor from a state the practice does not serve (on the waitlist)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from patients.intake.services import (
    intake_ensure,
    intake_mark_step,
    intake_record_consents,
    intake_review,
    intake_save_about,
    intake_save_step,
    intake_submit,
)
from patients.models import (
    CheckIn,
    HealthAnswerChange,
    Intake,
    Patient,
    ReviewStatus,
    TreatmentPhase,
    WaitlistEntry,
)
from patients.notifications.demo import seed_texting
from patients.profile.services import health_answers_update
from patients.services import patient_ensure
from portal.demo import demo_email, demo_user
from portal.models import User

ABOUT = {
    "maria.lopez": ("Maria", "Lopez", dt.date(1979, 4, 12), "512-555-0134", "88 Rainey St", "Austin", "TX", "78701"),
    "james.carter": ("James", "Carter", dt.date(1968, 9, 3), "312-555-0177", "1400 W Fulton St", "Chicago", "IL", "60607"),
    "aisha.brown": ("Aisha", "Brown", dt.date(1985, 1, 22), "813-555-0108", "301 Channelside Dr", "Tampa", "FL", "33602"),
    "tom.nguyen": ("Tom", "Nguyen", dt.date(1972, 6, 30), "314-555-0161", "700 Washington Ave", "St. Louis", "MO", "63101"),
    "sara.miller": ("Sara", "Miller", dt.date(1990, 11, 5), "404-555-0122", "55 Peachtree Pl", "Atlanta", "GA", "30309"),
    "li.wang": ("Li", "Wang", dt.date(1983, 3, 17), "515-555-0190", "920 Grand Ave", "Des Moines", "IA", "50309"),
    "ruth.ellis": ("Ruth", "Ellis", dt.date(1958, 2, 14), "210-555-0143", "415 Alamo Plaza", "San Antonio", "TX", "78205"),
}  # fmt: skip

BASE_ANSWERS = {
    "conditions": {"conditions": ["fibromyalgia"], "condition_other": ""},
    "pain": {"peg_pain": 7, "peg_enjoyment": 7, "peg_activity": 6},
    "medications": {
        "takes_opioids": False, "opioid_names": "", "opioid_last_dose": None,
        "takes_immunosuppressants": False, "immunosuppressant_names": "",
        "takes_thyroid_medication": False, "thyroid_medication_names": "", "other_medications": "Duloxetine 30 mg",
    },
    "history": {"organ_transplant": False, "liver_disease": False, "hashimotos": False},
    "allergies": {"no_known_allergies": True, "allergies": ""},
}  # fmt: skip


def _answers(today: dt.date, local: str) -> dict:
    answers = {step: dict(values) for step, values in BASE_ANSWERS.items()}
    if local == "maria.lopez":
        answers["conditions"] = {"conditions": ["crps", "neuropathic"], "condition_other": ""}
        answers["pain"] = {"peg_pain": 8, "peg_enjoyment": 7, "peg_activity": 7}
    elif local == "james.carter":  # needs review: Hashimoto's on thyroid medicine
        answers["history"]["hashimotos"] = True
        answers["medications"].update(takes_thyroid_medication=True, thyroid_medication_names="Levothyroxine 75 mcg")
    elif local == "aisha.brown":  # deferred: tramadol five days ago
        answers["medications"].update(
            takes_opioids=True, opioid_names="Tramadol 50 mg", opioid_last_dose=today - dt.timedelta(days=5)
        )
    elif local == "tom.nguyen":  # not eligible: kidney transplant on tacrolimus
        answers["conditions"] = {"conditions": ["spondylosis", "other"], "condition_other": "Chronic low back pain"}
        answers["history"]["organ_transplant"] = True
        answers["medications"].update(takes_immunosuppressants=True, immunosuppressant_names="Tacrolimus")
    return answers


def _complete_intake(patient: Patient, local: str, today: dt.date, *, submit: bool, steps=None) -> Intake:
    first, last, born, phone, street, city, state, zip_code = ABOUT[local]
    intake_save_about(
        patient=patient,
        data={
            "legal_first_name": first, "legal_last_name": last, "date_of_birth": born, "phone": phone,
            "address_line1": street, "address_line2": "", "city": city, "state_code": state,
            "postal_code": zip_code, "timezone": "",
        },
    )  # fmt: skip
    answers = _answers(today, local)
    for step in steps or answers:
        intake_save_step(patient=patient, step=step, data=answers[step])
    if submit:
        intake_mark_step(patient=patient, step="pharmacy")
        intake_record_consents(patient=patient, kinds=["telehealth", "off_label", "privacy"], ip_address=None)
        intake_submit(patient=patient)
    return Intake.objects.get(patient=patient)


MARIA_WEEKLY = [(6, 6, 6), (6, 5, 5), (5, 4, 5), (4, 4, 3), (4, 3, 3)]
# Maria's timeline, in days before today: intake, then (in the other demo modules) the first visit
# 18 days ago and the plan's start 14 days ago, then check-ins after the start.
MARIA_INTAKE_DAYS_AGO = 21
MARIA_CHECKIN_DAYS_AGO = [12, 9, 6, 3, 1]


def _seed_profile_change(patient: Patient) -> None:
    """Ruth added an allergy in her profile after her intake: her chart shows "Allergies changed
    on … — review" until a physician licensed in Texas marks it reviewed."""
    intake = Intake.objects.filter(patient=patient).first()
    if intake is None or not intake.is_submitted or HealthAnswerChange.objects.filter(patient=patient).exists():
        return
    health_answers_update(
        patient=patient,
        by=patient.user,
        other_medications=intake.other_medications,
        no_known_allergies=False,
        allergies="Sulfa antibiotics (hives)",
        takes_opioids=False,
    )


def seed(today: dt.date) -> dict:
    physician = User.objects.filter(email=demo_email("dr.rivera")).first()
    patients = {}
    for local in ABOUT:
        first, last = ABOUT[local][0], ABOUT[local][1]
        user = demo_user(local, role=User.Role.PATIENT, first_name=first, last_name=last)
        patient = patient_ensure(user=user)
        intake = intake_ensure(patient=patient)
        if not intake.is_submitted and local != "li.wang":
            intake = _complete_intake(patient, local, today, submit=True)
            if local == "maria.lopez" and physician is not None:
                # In order: intake, review, the first visit (patients.visits.demo), the plan's start
                # (prescriptions.demo, MARIA_PLAN_STARTS_DAYS_AGO), then her check-ins.
                now = timezone.now()
                submitted = now - dt.timedelta(days=MARIA_INTAKE_DAYS_AGO)
                Intake.objects.filter(pk=intake.pk).update(submitted_at=submitted)
                CheckIn.objects.filter(patient=patient, kind=CheckIn.Kind.BASELINE).update(recorded_at=submitted)
                intake_review(patient=patient, physician=physician, decision="approve", note="Good candidate.")
                Intake.objects.filter(pk=intake.pk).update(reviewed_at=submitted + dt.timedelta(days=1))
                for days_ago, (pain, enjoyment, activity) in zip(MARIA_CHECKIN_DAYS_AGO, MARIA_WEEKLY, strict=True):
                    CheckIn.objects.create(
                        patient=patient, kind=CheckIn.Kind.WEEKLY, pain=pain, enjoyment=enjoyment,
                        activity=activity, recorded_at=now - dt.timedelta(days=days_ago), opioid_use=False,
                        side_effect_severity="mild" if days_ago == MARIA_CHECKIN_DAYS_AGO[0] else "none",
                        side_effects=["vivid_dreams"] if days_ago == MARIA_CHECKIN_DAYS_AGO[0] else [],
                    )  # fmt: skip
                Patient.objects.filter(pk=patient.pk).update(treatment_phase=TreatmentPhase.TITRATION)
            elif local == "ruth.ellis" and physician is not None:
                # Approved six weeks ago; her plan (prescriptions.demo) owes a follow-up visit that
                # was never booked: the care team's recall list.
                intake_review(patient=patient, physician=physician, decision="approve", note="Fibromyalgia; no flags.")
        elif local == "li.wang" and not intake.completed_steps:
            _complete_intake(patient, local, today, submit=False, steps=["conditions"])
        patients[local] = patient
    _seed_profile_change(patients["ruth.ellis"])
    # Texts on, with a verified number (README "Text messages").
    seed_texting(Patient.objects.get(pk=patients["maria.lopez"].pk))
    # Signed up, intake not started yet.
    newcomer = demo_user("sam.reed", role=User.Role.PATIENT, first_name="Sam", last_name="Reed")
    patient_ensure(user=newcomer)
    # A visitor from Nevada, which the practice does not serve: only an email and a state are kept.
    WaitlistEntry.objects.get_or_create(email=demo_email("visitor.nv"), state_code="NV")
    from patients.visits.demo import seed_booking

    seed_booking(today)
    return {"patients": patients, "approved": ReviewStatus.APPROVED}
