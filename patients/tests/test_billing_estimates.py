"""Good Faith Estimates (45 CFR 149.610; docs/domain.md "Cash pay"): what they contain, their
deadlines, when they are issued, and that nothing about them changes afterwards."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from patients.billing import selectors, services
from patients.billing.estimates import disclaimers
from patients.models import Fee, FeeSchedule, GoodFaithEstimate, VisitType
from patients.tests.booking_helpers import local
from patients.tests.factories import (
    FeeScheduleFactory,
    PatientFactory,
    appointment_at,
    complete_intake,
    paid_payment,
)
from portal.models import ServiceState
from portal.tests.factories import PhysicianFactory, state
from portal.tests.signin import sign_in
from prescriptions.models import PharmacyPreference, PharmacyPriceRange, StateDefaultPharmacy
from prescriptions.tests.factories import (
    PharmacyFactory,
    PharmacyLicenseFactory,
    approve_intake,
    make_draft,
    make_plan,
    sign,
)

R = GoodFaithEstimate.Reason


@pytest.fixture
def schedule(db):
    return FeeScheduleFactory()


@pytest.fixture
def rosa(clock, patient):
    """The TX patient with her intake submitted: Rosa Diaz, born 17 May 1980, fibromyalgia."""
    complete_intake(patient)
    patient.refresh_from_db()
    return patient


@pytest.fixture
def tx_pharmacy(db):
    """The practice's default Texas pharmacy, with a monthly price range for each formulation."""
    pharmacy = PharmacyFactory(name="Hill Country Compounding", npi="1987654321", city="Austin")
    PharmacyLicenseFactory(pharmacy=pharmacy, state=state("TX"))
    StateDefaultPharmacy.objects.update_or_create(
        state=ServiceState.objects.get(code="TX"), defaults={"pharmacy": pharmacy}
    )
    PharmacyPriceRange.objects.create(
        pharmacy=pharmacy, formulation="oral_liquid", low_cents=3_500, high_cents=6_000, updated_on=dt.date(2026, 2, 1)
    )
    PharmacyPriceRange.objects.create(
        pharmacy=pharmacy, formulation="capsule", low_cents=4_500, high_cents=8_000, updated_on=dt.date(2026, 2, 15)
    )
    return pharmacy


def book(patient, starts_at, *, kind="initial", reason=R.SCHEDULED):
    appointment = appointment_at(patient, starts_at, kind=kind)
    return appointment, services.estimate_issue_for_visit(appointment=appointment, reason=reason)


# --- content -------------------------------------------------------------------------------------


def test_an_estimate_at_booking_holds_every_element_the_rule_requires(rosa, schedule, tx_pharmacy):
    _, estimate = book(rosa, local(2026, 3, 16, 10))
    content = estimate.content

    assert estimate.number == f"GFE-{estimate.pk:06d}" == content["number"]
    assert content["issued_on"] == "2026-03-02"
    # (c)(1)(i) the patient's name and date of birth
    assert content["patient"] == {"name": "Rosa Diaz", "date_of_birth": "1980-05-17"}
    # (c)(1)(ii) the primary service in plain words and its date
    primary = content["primary_service"]
    assert primary["description"] == "Video visit, new patient"
    assert primary["service_on"] == "2026-03-16"
    assert primary["service_time"] == "Monday, March 16, 2026 at 10:00 AM CDT"
    # (c)(1)(iii)–(iv) itemized items by provider with service codes, diagnosis codes and charges
    practice, pharmacy = content["providers"]
    assert practice["items"] == [
        {
            "description": "Video visit, new patient",
            "service_code": "99204",
            "modifier": "95",
            "billed_code": "99204-95",
            "place_of_service": "10",
            "place_of_service_label": FeeSchedule.PlaceOfService.HOME.label,
            "diagnosis_codes": ["M79.7"],
            "low_cents": 25_000,
            "high_cents": 25_000,
            "note": "",
        }
    ]
    # Before any order, the condition reported at intake, marked as such.
    assert content["diagnoses"] == [{"code": "M79.7", "text": "Fibromyalgia", "from_intake": True}]
    # (c)(1)(v) each provider's name, NPI, TIN and where the service is furnished
    assert (practice["name"], practice["npi"], practice["tin"]) == (
        "Lakeside LDN Care PLLC",
        "1234567893",
        "12-3456789",
    )
    assert practice["states"] == ["TX"]
    assert practice["locations"][0] == "By secure video, with the patient in Texas (TX)"
    assert practice["address_lines"] == ["100 Main Street", "Suite 200", "Austin, TX 78701"]
    assert pharmacy["name"] == "Hill Country Compounding"
    assert pharmacy["npi"] == "1987654321"
    assert pharmacy["role"] == "co-provider"
    # No plan yet: the range spans both formulations.
    (medicine,) = pharmacy["items"]
    assert (medicine["low_cents"], medicine["high_cents"]) == (3_500, 8_000)
    assert "one month's supply" in medicine["description"]
    assert "February 15, 2026" in medicine["note"]
    assert (content["total_low_cents"], content["total_high_cents"]) == (28_500, 33_000)
    assert estimate.total_cents == 33_000
    # (c)(1)(vi)–(vii) items scheduled separately, with the "separate estimates" statement
    separate = content["separately_scheduled"]
    assert "separate Good Faith Estimate" in separate["disclaimer"]
    assert "512-555-0199" in separate["disclaimer"]
    assert separate["items"][0]["billed_code"] == "99214-95"
    assert separate["items"][0]["amount_cents"] == 15_000
    # (c)(1)(viii)–(xi) the disclaimers, and the practice's cancellation policy
    assert content["disclaimers"] == disclaimers(schedule)
    texts = " ".join(item["text"] for item in content["disclaimers"])
    for phrase in (
        "not included in this estimate",
        "may be different",
        "$400 or more",
        "www.cms.gov/nosurprises",
        "1-800-985-3059",
        "will not affect the quality",
        "not a contract",
        "Save this estimate",
    ):
        assert phrase in texts
    assert content["cancellation_policy"].startswith("Cancel at least 24 hours ahead")
    # Stored exactly as built, with the digest of its canonical JSON.
    assert json.loads(json.dumps(content)) == content
    assert estimate.content_sha256 == services.content_digest(content)
    stored = GoodFaithEstimate.objects.get(pk=estimate.pk)
    assert stored.content == content and stored.number == estimate.number
    assert (stored.fee_schedule, stored.reason, stored.requested_at) == (schedule, R.SCHEDULED, estimate.requested_at)


def test_the_pharmacy_range_follows_the_patients_formulation_and_the_diagnosis_the_signed_order(
    clock, patient, physician, schedule, tx_pharmacy
):
    approve_intake(patient, physician)
    plan = make_plan(patient, physician, formulation="capsule")
    sign(make_draft(plan, physician, indication_code="G90.50", indication_text="CRPS I, unspecified"), physician)
    _, estimate = book(patient, local(2026, 3, 16, 10), kind="follow_up")
    (medicine,) = estimate.content["providers"][1]["items"]
    assert (medicine["low_cents"], medicine["high_cents"]) == (4_500, 8_000)
    assert "capsules" in medicine["description"]
    assert estimate.content["diagnoses"] == [{"code": "G90.50", "text": "CRPS I, unspecified", "from_intake": False}]
    assert estimate.content["primary_service"]["billed_code"] == "99214-95"


def test_the_patients_own_pharmacy_is_the_co_provider_when_it_is_licensed_in_their_state(rosa, schedule, tx_pharmacy):
    chosen = PharmacyFactory(name="Bluebonnet Pharmacy")
    PharmacyLicenseFactory(pharmacy=chosen, state=state("TX"))
    PharmacyPriceRange.objects.create(
        pharmacy=chosen, formulation="oral_liquid", low_cents=2_000, high_cents=2_500, updated_on=dt.date(2026, 1, 5)
    )
    PharmacyPreference.objects.update_or_create(patient=rosa, defaults={"pharmacy": chosen})
    _, estimate = book(rosa, local(2026, 3, 16, 10))
    assert [provider["name"] for provider in estimate.content["providers"]] == [
        "Lakeside LDN Care PLLC",
        "Bluebonnet Pharmacy",
    ]


def test_without_a_pharmacy_or_a_known_diagnosis_the_estimate_lists_the_practice_alone(clock, schedule):
    patient = PatientFactory(state=state("TX"))
    _, estimate = book(patient, local(2026, 3, 16, 10))
    assert [provider["name"] for provider in estimate.content["providers"]] == ["Lakeside LDN Care PLLC"]
    assert estimate.content["diagnoses"] == []
    assert estimate.content["patient"]["date_of_birth"] is None
    assert estimate.total_cents == 25_000


def test_a_condition_with_several_possible_codes_is_left_for_the_physician(clock, patient, schedule):
    complete_intake(patient, conditions={"conditions": ["crps", "fibromyalgia"], "condition_other": ""})
    _, estimate = book(patient, local(2026, 3, 16, 10))
    assert estimate.content["diagnoses"] == [{"code": "M79.7", "text": "Fibromyalgia", "from_intake": True}]


def test_the_visit_is_furnished_in_the_state_the_patient_will_be_in(rosa, schedule):
    appointment = appointment_at(rosa, local(2026, 3, 16, 10))
    appointment.location_state = state("IA")
    appointment.save(update_fields=["location_state"])
    estimate = services.estimate_issue_for_visit(appointment=appointment, reason=R.SCHEDULED)
    assert estimate.content["providers"][0]["states"] == ["IA"]
    assert estimate.content["providers"][0]["locations"][0] == "By secure video, with the patient in Iowa (IA)"


def test_the_estimate_uses_the_schedule_in_force_on_the_visit_date(rosa, schedule):
    later = FeeScheduleFactory(name="April prices", effective_from=dt.date(2026, 4, 1), fees=False)
    for fee in schedule.fees.all():
        Fee.objects.create(
            schedule=later, visit_type=fee.visit_type, service_code=fee.service_code, description=fee.description,
            amount_cents=fee.amount_cents + 2_000,
        )  # fmt: skip
    _, march = book(rosa, local(2026, 3, 30, 10))
    _, april = book(rosa, local(2026, 4, 1, 10), kind="follow_up")
    assert (march.fee_schedule, march.total_cents) == (schedule, 25_000)
    assert (april.fee_schedule, april.total_cents) == (later, 17_000)


# --- deadlines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "due_on"),
    [
        (local(2026, 3, 16, 10), dt.date(2026, 3, 5)),  # 10 business days ahead: 3 business days
        (local(2026, 3, 13, 10), dt.date(2026, 3, 3)),  # 9 ahead: 1 business day
        (local(2026, 3, 5, 10), dt.date(2026, 3, 3)),  # 3 ahead: 1 business day
        (local(2026, 3, 4, 10), None),  # 2 ahead: no deadline, issued anyway
    ],
)
def test_the_deadline_depends_on_how_far_ahead_the_visit_is_booked(rosa, schedule, starts_at, due_on):
    _, estimate = book(rosa, starts_at)
    assert estimate is not None
    assert estimate.due_on == due_on
    assert estimate.content["due_on"] == (due_on.isoformat() if due_on else None)


def test_a_booking_late_in_the_evening_counts_from_that_day_in_the_billing_zone(clock, rosa, schedule):
    # Friday 6 March 2026 at 22:30 in Chicago is already Saturday in UTC.
    clock.move_to(dt.datetime(2026, 3, 7, 4, 30, tzinfo=dt.UTC))
    _, estimate = book(rosa, local(2026, 3, 11, 10))
    assert estimate.content["requested_on"] == "2026-03-06"
    assert estimate.due_on == dt.date(2026, 3, 9)


def test_a_moved_visit_gets_a_new_estimate(rosa, schedule):
    appointment, first = book(rosa, local(2026, 3, 16, 10))
    appointment.starts_at = local(2026, 3, 4, 10)
    appointment.ends_at = appointment.starts_at + dt.timedelta(minutes=60)
    appointment.save()
    second = services.estimate_issue_for_visit(appointment=appointment, reason=R.RESCHEDULED)
    assert second.pk != first.pk and second.number != first.number
    assert second.reason == R.RESCHEDULED and second.due_on is None
    assert second.content["reason_label"] == "A visit was moved"
    assert GoodFaithEstimate.objects.get(pk=first.pk).content["primary_service"]["service_on"] == "2026-03-16"


def test_a_visit_estimate_is_only_for_a_booking_or_a_move(rosa, schedule):
    appointment = appointment_at(rosa, local(2026, 3, 16, 10))
    with pytest.raises(ValueError):
        services.estimate_issue_for_visit(appointment=appointment, reason=R.REQUESTED)


def test_without_published_prices_no_estimate_is_issued_and_the_booking_stands(rosa):
    appointment, estimate = book(rosa, local(2026, 3, 16, 10))
    assert estimate is None
    assert not GoodFaithEstimate.objects.exists()
    FeeScheduleFactory(effective_from=dt.date(2026, 3, 20))  # published, but only from a later date
    assert services.estimate_issue_for_visit(appointment=appointment, reason=R.SCHEDULED) is None
    empty = FeeScheduleFactory(name="No fees", effective_from=dt.date(2026, 3, 1), fees=False)
    assert empty.fees.count() == 0
    assert services.estimate_issue_for_visit(appointment=appointment, reason=R.SCHEDULED) is None


# --- on request ----------------------------------------------------------------------------------


def test_a_new_patient_asking_gets_an_estimate_of_the_initial_visit_due_in_three_business_days(rosa, schedule):
    estimate = services.estimate_request(patient=rosa)
    assert estimate.reason == R.REQUESTED
    assert estimate.appointment is None
    assert estimate.due_on == dt.date(2026, 3, 5)
    primary = estimate.content["primary_service"]
    assert primary["billed_code"] == "99204-95"
    assert primary["service_on"] is None and primary["scheduled"] is False
    assert estimate.content["reason_label"] == "The patient asked"


def test_a_patient_with_a_visit_booked_or_done_asking_gets_the_follow_up_price(rosa, schedule):
    appointment_at(rosa, local(2026, 2, 16, 10), status="completed")
    estimate = services.estimate_request(patient=rosa)
    assert estimate.content["primary_service"]["billed_code"] == "99214-95"
    assert estimate.total_cents == 15_000


def test_a_cancelled_visit_does_not_make_the_next_one_a_follow_up(rosa, schedule):
    appointment_at(rosa, local(2026, 3, 16, 10), status="cancelled")
    estimate = services.estimate_request(patient=rosa)
    assert estimate.content["primary_service"]["billed_code"] == "99204-95"


def test_asking_before_the_practice_publishes_prices_is_refused_with_a_clear_message(rosa):
    FeeScheduleFactory(effective_from=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="The practice has not published prices yet."):
        services.estimate_request(patient=rosa)
    assert not GoodFaithEstimate.objects.exists()


def test_asking_when_the_schedule_has_no_price_for_the_visit_is_refused(rosa):
    FeeScheduleFactory(fees=False)
    with pytest.raises(ValidationError, match="has not published a price"):
        services.estimate_request(patient=rosa)


def test_numbers_follow_one_another_and_are_unique(rosa, schedule):
    numbers = [services.estimate_request(patient=rosa).number for _ in range(3)]
    assert len(set(numbers)) == 3
    assert all(number.startswith("GFE-") and len(number) == 10 for number in numbers)


# --- immutability --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "GFE-999999"),
        ("total_cents", 1),
        ("content_sha256", "0" * 64),
        ("due_on", dt.date(2030, 1, 1)),
        ("reason", R.SCHEDULED),
        ("requested_at", dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)),
    ],
)
def test_an_issued_estimate_cannot_be_changed(rosa, schedule, field, value):
    estimate = services.estimate_request(patient=rosa)
    setattr(estimate, field, value)
    with pytest.raises(ValidationError, match="cannot be changed"):
        estimate.save()


def test_an_estimates_content_cannot_be_edited_in_place(rosa, schedule):
    estimate = services.estimate_request(patient=rosa)
    estimate.content["total_high_cents"] = 1
    with pytest.raises(ValidationError):
        estimate.save()
    assert GoodFaithEstimate.objects.get(pk=estimate.pk).content["total_high_cents"] == 25_000


def test_new_prices_do_not_change_an_estimate_already_given(rosa, schedule):
    estimate = services.estimate_request(patient=rosa)
    Fee.objects.filter(schedule=schedule).update(amount_cents=99_900)
    FeeSchedule.objects.filter(pk=schedule.pk).update(legal_name="Renamed PLLC")
    stored = GoodFaithEstimate.objects.get(pk=estimate.pk)
    assert stored.content == estimate.content
    assert stored.content_sha256 == services.content_digest(stored.content)
    assert stored.content["providers"][0]["name"] == "Lakeside LDN Care PLLC"
    assert schedule.in_use


def test_the_pdf_and_issue_time_can_still_be_filled_in(rosa, schedule):
    estimate = services.estimate_request(patient=rosa)
    estimate.pdf_sha256 = "a" * 64
    estimate.save(update_fields=["pdf_sha256"])
    assert GoodFaithEstimate.objects.get(pk=estimate.pk).pdf_sha256 == "a" * 64


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pdf_sha256", "b" * 64),
        ("pdf_sha256", ""),
        ("issued_at", dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)),
        ("issued_at", None),
        ("pdf", "billing/2026/03/another.pdf"),
        ("pdf", ""),
    ],
)
def test_a_rendered_estimates_pdf_and_issue_time_are_never_changed_or_cleared(
    rosa, schedule, private_storage, django_capture_on_commit_callbacks, field, value
):
    with django_capture_on_commit_callbacks(execute=True):  # the renderer sets them the first time
        estimate = services.estimate_request(patient=rosa)
    estimate.refresh_from_db()
    before = (estimate.pdf.name, estimate.pdf_sha256, estimate.issued_at)
    assert all(before)
    setattr(estimate, field, value)
    with pytest.raises(ValidationError, match="cannot be changed"):
        estimate.save()
    stored = GoodFaithEstimate.objects.get(pk=estimate.pk)
    assert (stored.pdf.name, stored.pdf_sha256, stored.issued_at) == before


def test_a_superbills_pdf_is_never_replaced(rosa, schedule, private_storage, django_capture_on_commit_callbacks):
    visit = appointment_at(rosa, local(2026, 2, 2, 10), status="completed")
    paid_payment(visit, schedule, paid_at=local(2026, 2, 2, 11))
    with django_capture_on_commit_callbacks(execute=True):
        superbill = services.superbill_request(
            patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
        )
    superbill.refresh_from_db()
    assert superbill.pdf and superbill.issued_at
    superbill.pdf_sha256 = "c" * 64
    with pytest.raises(ValidationError, match="cannot be changed"):
        superbill.save(update_fields=["pdf_sha256"])


# --- the patient's own clock ---------------------------------------------------------------------


def test_the_visit_date_on_an_estimate_is_the_patients_own(clock, patient, schedule):
    patient.timezone = "America/Los_Angeles"
    patient.save(update_fields=["timezone"])
    # 23:30 on Monday 16 March in Los Angeles is already Tuesday in the billing zone (Chicago).
    _, estimate = book(patient, local(2026, 3, 16, 23, 30, zone=ZoneInfo("America/Los_Angeles")))
    primary = estimate.content["primary_service"]
    assert primary["service_on"] == "2026-03-16"
    assert primary["service_time"] == "Monday, March 16, 2026 at 11:30 PM PDT"
    # The deadline still counts business days to the visit's date in the billing zone (17 March).
    assert estimate.due_on == dt.date(2026, 3, 5)


def test_the_estimate_page_says_which_codes_come_from_the_intake(client, rosa, schedule):
    sign_in(client, rosa.user)
    estimate = services.estimate_request(patient=rosa)
    page = client.get(f"/patient/billing/estimates/{estimate.pk}/").content.decode()
    assert "M79.7 (Fibromyalgia, from your intake)" in page


# --- selectors -----------------------------------------------------------------------------------


def test_fee_for_a_visit_type_on_a_day(db, schedule):
    initial = VisitType.objects.get(kind="initial")
    fee = selectors.fee_for(visit_type=initial, day=dt.date(2026, 3, 2))
    assert (fee.amount_cents, fee.service_code, fee.schedule) == (25_000, "99204", schedule)
    assert selectors.fee_for(visit_type=initial, day=dt.date(2025, 12, 31)) is None
    assert selectors.fee_schedule_on(dt.date(2026, 1, 1)) == schedule


def test_current_prices_show_todays_schedule_and_the_next_one(clock, schedule):
    later = FeeScheduleFactory(name="Summer prices", effective_from=dt.date(2026, 6, 1))
    prices = selectors.current_prices()
    assert prices.schedule == schedule and prices.upcoming == later
    assert [fee.service_code for fee in prices.fees] == ["99204", "99214"]
    assert len(prices.upcoming_fees) == 2
    assert selectors.current_prices(today=dt.date(2025, 1, 1)).schedule is None


def test_a_patient_reads_only_their_own_estimates(rosa, other_patient, schedule, physician, admin_user):
    mine = services.estimate_request(patient=rosa)
    theirs = services.estimate_request(patient=other_patient)
    assert list(selectors.estimate_list_for(rosa.user)) == [mine]
    assert selectors.estimate_get_for(rosa.user, mine.pk) == mine
    with pytest.raises(Http404):
        selectors.estimate_get_for(rosa.user, theirs.pk)
    with pytest.raises(Http404):
        selectors.estimate_get_for(rosa.user, "not-a-number")
    for outsider in (physician, admin_user, PhysicianFactory()):
        assert not selectors.estimate_list_for(outsider).exists()
        with pytest.raises(Http404):
            selectors.estimate_get_for(outsider, mine.pk)
