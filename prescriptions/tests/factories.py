import datetime as dt

import factory
from django.utils import timezone

from patients.intake.services import intake_review
from patients.tests.factories import complete_intake
from portal.tests.factories import TEST_PASSWORD, PharmacyUserFactory, state
from prescriptions.models import OrderVerification, Pharmacy, PharmacyLicense, PharmacyMembership
from prescriptions.orders import compounding
from prescriptions.orders import services as order_services
from prescriptions.plans import services as plan_services


class PharmacyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pharmacy

    name = factory.Sequence(lambda n: f"Compounding Pharmacy {n}")
    address_line1 = "1 Main St"
    city = "Austin"
    state_code = "TX"
    postal_code = "78701"
    phone = "512-555-0100"


class PharmacyLicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PharmacyLicense

    pharmacy = factory.SubFactory(PharmacyFactory)
    state = factory.LazyFunction(lambda: state("TX"))
    number = factory.Sequence(lambda n: f"PH-{n:05d}")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    verified_at = factory.LazyFunction(timezone.now)


class PharmacyMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PharmacyMembership

    user = factory.SubFactory(PharmacyUserFactory)
    pharmacy = factory.SubFactory(PharmacyFactory)


# --- plans and orders, made through the services so that every rule applies ----------------------


def approve_intake(patient, physician, *, override_reason="", **step_overrides):
    """Complete, submit and approve a patient's intake (the precondition of any plan)."""
    complete_intake(patient, **step_overrides)
    intake_review(patient=patient, physician=physician, decision="approve", override_reason=override_reason)
    patient.refresh_from_db()
    return patient


def make_plan(patient, physician, **kwargs):
    kwargs.setdefault("start_date", patient.today())
    kwargs.setdefault("template", "standard")
    kwargs.setdefault("formulation", "oral_liquid")
    return plan_services.titration_plan_create(patient=patient, physician=physician, **kwargs)


def make_draft(plan, physician, **kwargs):

    kwargs.setdefault("indication_code", "M79.7")
    kwargs.setdefault("indication_text", "Fibromyalgia")
    if plan.formulation == "capsule":
        kwargs.setdefault("capsule_strength_mg", __import__("decimal").Decimal("1.5"))
    return order_services.order_draft_create(plan=plan, physician=physician, **kwargs)


def sign(order, physician, **kwargs):
    kwargs.setdefault("password", TEST_PASSWORD)
    return order_services.order_sign(order=order, physician=physician, **kwargs)


# The happy path after signing, with who does each step.
PATH_AFTER_SENT = ["received", "in_review", "compounding", "shipped", "delivered"]


CHECKLIST_DONE = {
    "prescriber_confirmed": True,
    "patient_confirmed": True,
    "allergies_confirmed": True,
    "dose_confirmed": True,
}


def verification_on_file(order, pharmacy_user):
    """A completed checklist without the move to compounding (for tests of the transition itself)."""
    return OrderVerification.objects.create(
        order=order, pharmacist=pharmacy_user, dose_check="", content_hash=order.content_hash, **CHECKLIST_DONE
    )


def verify(order, pharmacy_user):
    """Complete the verification checklist of an order in review, which starts compounding."""
    compounding.order_verify(order=order, pharmacist=pharmacy_user, **CHECKLIST_DONE)
    order.refresh_from_db()
    return order


def record_compounding(order, pharmacy_user, **kwargs):
    kwargs.setdefault("lot_number", "L2601-07")
    kwargs.setdefault("compounded_on", timezone.localdate())
    kwargs.setdefault("beyond_use_date", timezone.localdate() + dt.timedelta(days=90))
    kwargs.setdefault("compounded_by", "A.B.")
    kwargs.setdefault("checked_by", "C.D.")
    return compounding.compounding_record_create(order=order, pharmacist=pharmacy_user, **kwargs)


def advance(order, pharmacy_user, *statuses, **kwargs):
    """Move a sent order through ``statuses`` as the pharmacy: compounding through the verification
    checklist, shipping with a compounding record and a USPS tracking number."""

    for to in statuses:
        if to == "compounding":
            order = verify(order, pharmacy_user)
            continue
        extra = {"carrier": "USPS", "tracking_number": "9400100000000000000001"} if to == "shipped" else {}
        if to == "shipped" and not order.compounding_records.exists():
            record_compounding(order, pharmacy_user)
        note = "Reason" if to in ("rejected", "needs_clarification") else ""
        order = order_services.order_transition(order=order, actor=pharmacy_user, to=to, note=note, **extra, **kwargs)
    return order
