"""Demo compounding pharmacies with different state licenses and their staff; titration plans for
the approved demo patients; and orders in every state, spread over the two pharmacies.

Everything clinical is made through the services, so every rule (licensure, routing, signing,
transitions) applies to the demo exactly as to real use. Seeding again changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from patients.checkins.services import checkin_record
from patients.clinic.care_team_demo import seed_care_team
from patients.followups.services import followup_sync
from patients.intake.services import intake_review
from patients.models import Appointment, Intake, Patient, ReviewStatus
from patients.payments.demo import seed_cash_pay
from portal.demo import DEMO_PASSWORD, demo_email, demo_ensure, demo_user, ensure_demo_totp
from portal.models import ServiceState, User
from prescriptions.dosing import Step
from prescriptions.fax import sending as fax_sending
from prescriptions.models import (
    CompoundingRecord,
    FaxTransmission,
    OrderVerification,
    Pharmacy,
    PharmacyLicense,
    PharmacyMembership,
    PharmacyPreference,
    PharmacyPriceRange,
    PlanEvent,
    PrescriptionOrder,
    StateDefaultPharmacy,
    TitrationPlan,
)
from prescriptions.orders import compounding
from prescriptions.orders import services as order_services
from prescriptions.plans import services as plan_services

PHARMACIES = [
    {
        "name": "Prairie Compounding Pharmacy",
        "address_line1": "410 Locust St",
        "city": "Des Moines",
        "state_code": "IA",
        "postal_code": "50309",
        "phone": "515-555-0142",
        "email": "orders@prairie-compounding.example",
        "licenses": [
            ("IA", "IA-PH-3310", 500),
            ("IL", "054-021876", 420),
            ("MO", "2020-031245", 380),
            ("TX", "TX-NR-33871", 55),
        ],
        "staff": ("rx.prairie", "Dana", "Hughes"),
        "default_for": ["IA", "IL", "MO"],
    },
    {
        "name": "Gulf Coast Compounding",
        "address_line1": "2200 Bayshore Blvd",
        "city": "Tampa",
        "state_code": "FL",
        "postal_code": "33606",
        "phone": "813-555-0199",
        "email": "rx@gulfcoast-compounding.example",
        "licenses": [("FL", "PH-31877", 600), ("GA", "PHNR-009912", 365), ("TX", "TX-NR-40022", 300)],
        "staff": ("rx.gulfcoast", "Luis", "Ortega"),
        "default_for": ["FL", "GA", "TX"],
    },
    {
        # Outside the portal: signed orders reach it as faxed prescriptions (docs/domain.md "Orders by fax").
        "name": "Lone Star Apothecary",
        "address_line1": "1801 S Congress Ave",
        "city": "Austin",
        "state_code": "TX",
        "postal_code": "78704",
        "phone": "512-555-0173",
        "fax": "512-555-0174",
        "order_delivery": "fax",
        "licenses": [("TX", "TX-PH-28815", 400), ("GA", "PHNR-011204", 250)],
        "staff": None,
        "default_for": [],
    },
]

# USPS-shaped tracking numbers (22 digits); Maria's latest order carries the second one.
TRACKING = ("9400111899223345678905", "9400111899223345678912")


def _seed_pharmacies(today: dt.date) -> dict[str, Pharmacy]:
    states = {s.code: s for s in ServiceState.objects.all()}
    pharmacies = {}
    for spec in PHARMACIES:
        spec = dict(spec)
        licenses = spec.pop("licenses")
        staff = spec.pop("staff")
        default_for = spec.pop("default_for")
        pharmacy = demo_ensure(Pharmacy, name=spec.pop("name"), values=spec)
        for code, number, days in licenses:
            demo_ensure(
                PharmacyLicense,
                pharmacy=pharmacy,
                state=states[code],
                number=number,
                values={"expires_on": today + dt.timedelta(days=days), "verified_at": timezone.now()},
                keep_if_set=("verified_at",),
            )
        if staff is not None:
            staff_local, staff_first, staff_last = staff
            user = demo_user(staff_local, role=User.Role.PHARMACY, first_name=staff_first, last_name=staff_last)
            ensure_demo_totp(user)
            # Each portal pharmacy's staff get the "an order is waiting" emails.
            demo_ensure(
                PharmacyMembership, user=user, values={"pharmacy": pharmacy, "receives_order_notifications": True}
            )
        for code in default_for:
            StateDefaultPharmacy.objects.update_or_create(state=states[code], defaults={"pharmacy": pharmacy})
        pharmacies[pharmacy.name] = pharmacy
    return pharmacies


# What a month of each formulation usually costs at the demo pharmacies (their own estimates), and
# their NPIs, printed on Good Faith Estimates beside the range.
PRICE_RANGES = {
    "Prairie Compounding Pharmacy": (
        ("1093817462", "42-1837465"),
        {"capsule": (3_500, 5_500), "oral_liquid": (4_000, 6_500)},
    ),
    "Gulf Coast Compounding": (
        ("1504837265", "59-2748163"),
        {"capsule": (3_000, 5_000), "oral_liquid": (4_500, 7_000)},
    ),
}


def _seed_price_ranges(today: dt.date, pharmacies: dict[str, Pharmacy]) -> None:
    for name, ((npi, tin), ranges) in PRICE_RANGES.items():
        pharmacy = pharmacies.get(name)
        if pharmacy is None:
            continue
        if not pharmacy.npi and not pharmacy.tin:
            Pharmacy.objects.filter(pk=pharmacy.pk).update(npi=npi, tin=tin)
        for formulation, (low, high) in ranges.items():
            PharmacyPriceRange.objects.get_or_create(
                pharmacy=pharmacy,
                formulation=formulation,
                defaults={"low_cents": low, "high_cents": high, "updated_on": today},
            )


def _user(local: str) -> User | None:
    return User.objects.filter(email=demo_email(local)).first()


def _patient(local: str) -> Patient | None:
    return Patient.objects.select_related("state", "user").filter(user__email=demo_email(local)).first()


def _sign(order: PrescriptionOrder, physician: User, *, deliver: bool = True) -> PrescriptionOrder:
    return order_services.order_sign(order=order, physician=physician, password=DEMO_PASSWORD, deliver=deliver)


def _move(
    order: PrescriptionOrder, actor: User, *steps: str | tuple[str, str], tracking: str = ""
) -> PrescriptionOrder:
    """Move an order as its pharmacy would: compounding through the verification checklist, and
    shipping after the compounding record."""
    for step in steps:
        to, note = step if isinstance(step, tuple) else (step, "")
        if to == "compounding":
            compounding.order_verify(
                order=order,
                pharmacist=actor,
                prescriber_confirmed=True,
                patient_confirmed=True,
                allergies_confirmed=True,
                dose_confirmed=True,
            )
            order.refresh_from_db()
            continue
        if to == "shipped":
            today = timezone.localdate()
            compounding.compounding_record_create(
                order=order,
                pharmacist=actor,
                lot_number=f"DEMO-{today:%y%m}-{order.pk:04d}",
                compounded_on=today,
                beyond_use_date=today + dt.timedelta(days=DEMO_BEYOND_USE_DAYS),
                compounded_by="J.M.",
                checked_by="K.L.",
            )
        extra = {"carrier": "USPS", "tracking_number": tracking} if to == "shipped" else {}
        order = order_services.order_transition(order=order, actor=actor, to=to, note=note, **extra)
    return order


# The demo's compounded liquids keep this long (a pharmacy's own policy decides it; docs/domain.md
# "Verification and the compounding record").
DEMO_BEYOND_USE_DAYS = 30


# Maria's first dose, in days before today (patients.demo puts her intake, review and first visit
# before it and her check-ins after it).
MARIA_FIRST_DOSE_DAYS_AGO = 14


def _move_back(patient: Patient, plan: TitrationPlan, order: PrescriptionOrder, *, days: int) -> None:
    """Shift a plan that started on arrival and its first order ``days`` into the past: the
    dates of the plan, the order's supply and events, and the order's signing time, whose content
    hash is then taken again (the content is the same, signed earlier)."""
    shift = dt.timedelta(days=days)
    plan.refresh_from_db()
    TitrationPlan.objects.filter(pk=plan.pk).update(
        start_date=plan.start_date - shift, arrived_on=plan.arrived_on - shift
    )
    PlanEvent.objects.filter(plan=plan).update(effective_on=plan.start_date - shift)
    order.refresh_from_db()
    # The supply was counted from day 1 of the schedule: it now starts on her first dose.
    supply_shift = order.supply_start - (plan.start_date - shift)
    order.supply_start -= supply_shift
    order.signed_at -= shift
    order.dose_segments = [
        {**segment, "start": (dt.date.fromisoformat(segment["start"]) - supply_shift).isoformat()}
        for segment in order.dose_segments
    ]
    order.content_hash = order_services.order_content_hash(order)
    PrescriptionOrder.objects.filter(pk=order.pk).update(
        supply_start=order.supply_start, signed_at=order.signed_at, dose_segments=order.dose_segments,
        content_hash=order.content_hash,
    )  # fmt: skip
    for event in order.events.all():
        type(event).objects.filter(pk=event.pk).update(at=event.at - shift)
    PrescriptionOrder.objects.filter(pk=order.pk).update(status_changed_at=F("status_changed_at") - shift)
    OrderVerification.objects.filter(order=order).update(verified_at=F("verified_at") - shift)
    CompoundingRecord.objects.filter(order=order).update(
        compounded_on=F("compounded_on") - shift,
        beyond_use_date=F("beyond_use_date") - shift,
        recorded_at=F("recorded_at") - shift,
    )
    followup_sync(patient=patient)


# Ruth's plan started this many days ago; its start owed a visit within 14 days that was never
# booked, so her follow-up is overdue.
RUTH_PLAN_STARTED_DAYS_AGO = 40


def _seed_ruth(rivera: User) -> None:
    """Ruth (TX) is on the standard schedule, started 40 days ago, and has not booked the
    follow-up her last dose change owes: she is on the care team's recall list."""
    ruth = _patient("ruth.ellis")
    if ruth is None or TitrationPlan.objects.filter(patient=ruth).exists():
        return
    if not Intake.objects.filter(patient=ruth, review_status=ReviewStatus.APPROVED).exists():
        return
    plan = plan_services.titration_plan_create(
        patient=ruth, physician=rivera, start_date=ruth.today(), template="standard", formulation="capsule"
    )
    # Written through the service today, then moved back: the plan's dates and its event.
    start = plan.start_date - dt.timedelta(days=RUTH_PLAN_STARTED_DAYS_AGO)
    TitrationPlan.objects.filter(pk=plan.pk).update(start_date=start)
    PlanEvent.objects.filter(plan=plan).update(effective_on=start)
    followup_sync(patient=ruth)


def _seed_maria(today: dt.date, rivera: User, prairie: Pharmacy, prairie_staff: User, gulf_staff: User) -> None:
    """Maria (TX) started the standard schedule at bedtime 14 days ago, after her intake, its review
    and her first visit; vivid dreams moved her dose to the morning two days ago (a new plan
    version). Her follow-up visit tomorrow is linked to the follow-up her start owes. Her orders: the first one delivered,
    one rejected by the Texas default pharmacy, then she chose Prairie: one cancelled, one
    shipped with tracking (her latest), and a draft for the month after."""
    maria = _patient("maria.lopez")
    if maria is None or TitrationPlan.objects.filter(patient=maria).exists():
        return
    if Intake.objects.filter(patient=maria, review_status=ReviewStatus.APPROVED).count() == 0:
        return
    local = maria.today()
    # Her first plan started when the medicine arrived: written, signed and delivered through the
    # services today, then that history is moved back so that it came 17 to 15 days ago and her
    # first dose 14 days ago, after her first visit and before her check-ins.
    # The first plan is the decision of her first visit (its visit note names it).
    first_visit = (
        Appointment.objects.filter(patient=maria, physician=rivera, status=Appointment.Status.COMPLETED)
        .order_by("starts_at")
        .first()
    )
    v1 = plan_services.titration_plan_create(
        patient=maria,
        physician=rivera,
        start_on_arrival=True,
        template="standard",
        formulation="oral_liquid",
        note="CRPS and neuropathic pain; standard titration.",
        visit=first_visit,
    )
    indication = {
        "indication_code": "G90.512",
        "indication_text": "Complex regional pain syndrome I of left upper limb",
    }
    first = order_services.order_draft_create(plan=v1, physician=rivera, **indication)
    first = _move(
        _sign(first, rivera),
        gulf_staff,
        *("received", "in_review", "compounding", "shipped", "delivered"),
        tracking=TRACKING[0],
    )
    _move_back(maria, v1, first, days=MARIA_FIRST_DOSE_DAYS_AGO + 1)
    v1.refresh_from_db()
    first.refresh_from_db()
    v2 = plan_services.titration_plan_create(
        patient=maria,
        physician=rivera,
        start_date=local - dt.timedelta(days=2),
        template="custom",
        steps=[Step(Decimal("3.0"), 7), Step(Decimal("4.5"), None)],
        formulation="oral_liquid",
        dosing_time="morning",
        note="Vivid dreams at bedtime: dose moved to the morning.",
    )
    next_supply = first.supply_ends_on + dt.timedelta(days=1)
    rejected = order_services.order_draft_create(plan=v2, physician=rivera, supply_start=next_supply, **indication)
    _move(
        _sign(rejected, rivera),
        gulf_staff,
        ("rejected", "Our Texas shipments are paused this month; please send it to another pharmacy."),
    )
    PharmacyPreference.objects.update_or_create(patient=maria, defaults={"pharmacy": prairie})
    duplicate = order_services.order_draft_create(plan=v2, physician=rivera, supply_start=next_supply, **indication)
    order_services.order_transition(
        order=_sign(duplicate, rivera), actor=rivera, to="cancelled", note="Sent twice by mistake."
    )
    shipped = order_services.order_draft_create(
        plan=v2, physician=rivera, supply_start=next_supply, refills=2, **indication
    )
    _move(
        _sign(shipped, rivera), prairie_staff, "received", "in_review", "compounding", "shipped", tracking=TRACKING[1]
    )
    order_services.order_draft_create(
        plan=v2,
        physician=rivera,
        supply_start=next_supply + dt.timedelta(days=30),
        **indication,
    )


def _seed_sara(today: dt.date, rivera: User, gulf_staff: User) -> None:
    """Sara (GA) is approved by Dr. Rivera and was to start capsules tomorrow; her orders sit at
    Gulf Coast in the pharmacy's working states, and one is signed but held. Today she reported
    tramadol in a check-in, so her plan is on hold with an urgent item for Dr. Rivera."""
    sara = _patient("sara.miller")
    if sara is None or TitrationPlan.objects.filter(patient=sara).exists():
        return
    intake = Intake.objects.filter(patient=sara).first()
    if intake is None or intake.review_status not in (ReviewStatus.PENDING, ReviewStatus.APPROVED):
        return
    if intake.review_status == ReviewStatus.PENDING:
        intake_review(patient=sara, physician=rivera, decision="approve", note="Fibromyalgia; no contraindications.")
    plan = plan_services.titration_plan_create(
        patient=sara,
        physician=rivera,
        start_date=sara.today() + dt.timedelta(days=1),
        template="standard",
        formulation="capsule",
    )

    def draft() -> PrescriptionOrder:
        return order_services.order_draft_create(
            plan=plan,
            physician=rivera,
            capsule_strength_mg=Decimal("1.5"),
            indication_code="M79.7",
            indication_text="Fibromyalgia",
        )

    _sign(draft(), rivera, deliver=False)
    _sign(draft(), rivera)
    _move(_sign(draft(), rivera), gulf_staff, "received")
    _move(_sign(draft(), rivera), gulf_staff, "received", "in_review")
    _move(
        _sign(draft(), rivera),
        gulf_staff,
        "received",
        "in_review",
        ("needs_clarification", "The intake lists no allergies; please confirm microcrystalline cellulose is fine."),
    )
    _move(_sign(draft(), rivera), gulf_staff, "received", "in_review", "compounding")
    # One order went to Lone Star Apothecary, which receives orders by fax: Sara chose it for that
    # order, and the seed sends the fax at once (the worker would otherwise) so its page shows "Fax sent".
    lone_star = Pharmacy.objects.filter(name="Lone Star Apothecary").first()
    if lone_star is not None:
        PharmacyPreference.objects.update_or_create(patient=sara, defaults={"pharmacy": lone_star})
        faxed = _sign(draft(), rivera)
        PharmacyPreference.objects.filter(patient=sara).update(pharmacy=None)
        for transmission in FaxTransmission.objects.filter(order=faxed, status=FaxTransmission.Status.QUEUED):
            fax_sending.fax_transmission_attempt(transmission_id=transmission.pk)
    # Today's check-in reports tramadol after dental work: her plan is held and Dr. Rivera's clinic
    # home shows an urgent item (docs/domain.md "Safety triage").
    checkin_record(
        patient=sara, pain=6, enjoyment=5, activity=5, side_effects=[], side_effect_severity="none",
        opioid_use=True, opioid_names="Tramadol 50 mg after dental work",
        opioid_last_taken=sara.today() - dt.timedelta(days=2), note="The dentist gave me tramadol for two days.",
    )  # fmt: skip


def seed(today: dt.date) -> dict:
    pharmacies = _seed_pharmacies(today)
    rivera, prairie_staff, gulf_staff = _user("dr.rivera"), _user("rx.prairie"), _user("rx.gulfcoast")
    if rivera is not None:
        prairie = pharmacies["Prairie Compounding Pharmacy"]
        _seed_maria(today, rivera, prairie, prairie_staff, gulf_staff)
        _seed_sara(today, rivera, gulf_staff)
        _seed_ruth(rivera)
    seed_care_team()  # after the plans: the recall list reads the follow-ups they owe
    _seed_price_ranges(today, pharmacies)
    seed_cash_pay(today)  # after the price ranges and Maria's order, which her estimates show
    return {"pharmacies": pharmacies}
