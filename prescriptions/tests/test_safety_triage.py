"""Safety triage of check-ins: opioid use holds LDN until a physician reviews it, a red flag shows
what to do now and raises an urgent item, severe side effects or a PEG rise raise a review item;
items come first on the clinic home; a physician resolves them (resume, stop, call) with a note."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from patients.checkins.services import checkin_record
from patients.checkins.triage import triage
from patients.models import CareItem, CheckIn, FollowUp, TreatmentPhase
from portal.models import AccessLog, Reminder
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.outbox import deliver_due
from portal.tests.signin import sign_in
from prescriptions.dosing import Step, dose_on
from prescriptions.models import PlanEvent, TitrationPlan
from prescriptions.plans import services as plan_services
from prescriptions.tests.factories import make_draft, make_plan

QUIET = {"side_effects": [], "side_effect_severity": "none", "opioid_use": False}


def check_in(patient, *, peg=(4, 4, 4), **answers):
    pain, enjoyment, activity = peg
    return checkin_record(patient=patient, pain=pain, enjoyment=enjoyment, activity=activity, **{**QUIET, **answers})


def opioid_yesterday(patient):
    return {
        "opioid_use": True,
        "opioid_names": "Oxycodone",
        "opioid_last_taken": patient.today() - dt.timedelta(days=1),
    }


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, ("", False, False)),
        ({"opioid_use": True}, ("urgent", True, False)),
        ({"red_flags": ["chest_pain"]}, ("urgent", False, True)),
        ({"red_flags": ["self_harm"], "opioid_use": True}, ("urgent", True, True)),
        ({"severity": "severe"}, ("review", False, False)),
        ({"severity": "moderate"}, ("", False, False)),
        ({"peg": 7.0}, ("review", False, False)),  # 2 points above the baseline of 5
        ({"peg": 6.9}, ("", False, False)),
        ({"red_flags": ["not-a-flag"]}, ("", False, False)),
    ],
)
def test_triage_rules(answers, expected):
    args = {"opioid_use": False, "red_flags": [], "severity": "none", "peg": 5.0, "baseline_peg": 5.0, **answers}
    result = triage(**args)
    assert (result.priority, result.hold_for_opioids, result.show_emergency_advice) == expected


def seen_yesterday(patient, physician):
    from patients.followups.services import followup_sync
    from patients.models import Appointment, VisitType

    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    Appointment.objects.create(
        patient=patient, physician=physician, visit_type=VisitType.objects.get(kind="follow_up"),
        location_state=patient.state, starts_at=start, ends_at=start + dt.timedelta(minutes=20), status="completed",
    )  # fmt: skip
    followup_sync(patient=patient)


@pytest.fixture
def on_plan(approved_patient, physician):
    make_plan(
        approved_patient, physician, template="standard", start_date=approved_patient.today() - dt.timedelta(days=3)
    )
    return approved_patient


@pytest.mark.django_db
def test_reported_opioid_use_holds_the_plan_raises_an_urgent_item_and_emails_only_licensed_physicians(
    on_plan, physician, outsider_physician, django_capture_on_commit_callbacks
):
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    result = check_in(
        on_plan, peg=(9, 9, 9), red_flags=["vomiting", "withdrawal", "chest_pain"], **opioid_yesterday(on_plan)
    )
    assert result.triage.hold_for_opioids and result.triage.show_emergency_advice
    plan = TitrationPlan.objects.get(patient=on_plan, superseded_at__isnull=True)
    assert (plan.pause_kind, plan.paused_on, plan.pause_reason) == ("hold", on_plan.today(), "Opioid exposure reported")
    assert dose_on(plan, on_plan.today()) is None
    on_plan.refresh_from_db()
    assert on_plan.treatment_phase == TreatmentPhase.ON_HOLD
    assert on_plan.intake.deferred_until == on_plan.today() + dt.timedelta(days=13)  # 14 days after the last dose
    item = CareItem.objects.get(patient=on_plan)
    assert item.priority == "urgent" and "Oxycodone" in item.reasons and "Chest pain" in item.reasons
    event = PlanEvent.objects.get(plan=plan, kind="hold")
    assert event.summary == "Held: Opioid exposure reported" and event.actor is None

    deliver_due()
    alerts = [m for m in mail.outbox if m.subject == "A patient needs attention in the portal"]
    assert sorted(m.to[0] for m in alerts) == sorted([physician.email, colleague.email])
    for message in alerts:
        text = message.body + message.alternatives[0][0]
        for detail in ("Oxycodone", "opioid", "chest", "LDN", on_plan.legal_last_name, "PEG"):
            assert detail.lower() not in text.lower()


@pytest.mark.django_db
def test_the_patient_sees_what_to_do_now_and_do_not_take_ldn(client, on_plan):
    sign_in(client, on_plan.user)
    data = {
        "pain": 9, "enjoyment": 9, "activity": 9, "kind": "weekly", "side_effect_severity": "severe",
        "opioid_use": "yes", "opioid_names": "Oxycodone", "opioid_last_taken": (on_plan.today() - dt.timedelta(days=1)).isoformat(),
        "red_flags": ["vomiting", "chest_pain"],
    }  # fmt: skip
    response = client.post("/patient/checkins/new/", data)
    checkin = CheckIn.objects.get(patient=on_plan, kind="weekly")
    assert response["Location"] == f"/patient/checkins/{checkin.pk}/safety/"
    page = client.get(response["Location"]).content.decode()
    assert "Call 911" in page and "988" in page and "Do not take LDN until your physician says so" in page
    home = client.get("/patient/").content.decode()
    assert "Do not take LDN until your physician says so" in home
    assert "Tonight&#x27;s dose" not in home and "Tonight's dose" not in home


@pytest.mark.django_db
def test_an_opioid_answer_without_the_medicine_or_day_is_refused_and_nothing_is_saved(client, on_plan):
    sign_in(client, on_plan.user)
    data = {
        "pain": 4,
        "enjoyment": 4,
        "activity": 4,
        "kind": "weekly",
        "side_effect_severity": "none",
        "opioid_use": "yes",
    }
    response = client.post("/patient/checkins/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "which opioid medicine" in page and "the day you last took it" in page
    assert not CheckIn.objects.filter(patient=on_plan, kind="weekly").exists()
    assert not CareItem.objects.exists()
    assert TitrationPlan.objects.get(patient=on_plan, superseded_at__isnull=True).paused_on is None


@pytest.mark.django_db
def test_severe_side_effects_or_a_peg_rise_from_the_plan_start_raise_a_review_item_without_email(on_plan):
    # the baseline is the last check-in on or before the plan's start: the intake's, PEG 5 in the factory
    baseline = CheckIn.objects.filter(patient=on_plan).order_by("-recorded_at").first()
    check_in(on_plan, side_effect_severity="severe")
    rise = round(baseline.score) + 2
    check_in(on_plan, peg=(rise, rise, rise))
    items = list(CareItem.objects.filter(patient=on_plan).order_by("pk"))
    assert [i.priority for i in items] == ["review", "review"]
    assert "Severe side effects" in items[0].reasons and "up 2" in items[1].reasons
    assert not Reminder.objects.filter(kind="care-item-urgent").exists()
    assert TitrationPlan.objects.get(patient=on_plan, superseded_at__isnull=True).paused_on is None


@pytest.mark.django_db
def test_items_come_first_on_the_clinic_home_of_licensed_physicians_only(
    client, on_plan, physician, outsider_physician
):
    check_in(on_plan, red_flags=["breathing"])
    item = CareItem.objects.get()
    sign_in(client, physician)
    page = client.get("/clinic/").content.decode()
    # The work list comes first, and the urgent item heads it (prescriptions/tests/pages/test_clinic_work_list.py).
    assert page.index("data-kind=") == page.index('data-kind="urgent"')
    assert page.index(f"/clinic/items/{item.pk}/") < page.index("Next visits")
    assert on_plan.full_name in page and "waiting" in page
    other = client.__class__()
    sign_in(other, outsider_physician)
    assert f"/clinic/items/{item.pk}/" not in other.get("/clinic/").content.decode()
    assert other.get(f"/clinic/items/{item.pk}/").status_code == 404


@pytest.mark.django_db
def test_resolving_with_resume_restarts_after_the_washout_with_a_new_follow_up(client, on_plan, physician):
    seen_yesterday(on_plan, physician)  # the start has been followed by a visit
    check_in(on_plan, **opioid_yesterday(on_plan))
    item = CareItem.objects.get()
    sign_in(client, physician)
    page = client.get(f"/clinic/items/{item.pk}/").content.decode()
    washout_end = on_plan.today() + dt.timedelta(days=13)
    assert f"{washout_end:%b} {washout_end.day}, {washout_end.year}" in page
    response = client.post(
        f"/clinic/items/{item.pk}/", {"resolution": "resumed", "note": "Called; one dose after dental work."}
    )
    assert response["Location"] == "/clinic/"
    item.refresh_from_db()
    assert (item.resolution, item.resolved_by) == ("resumed", physician) and item.resolved_at
    current = TitrationPlan.objects.get(patient=on_plan, superseded_at__isnull=True)
    assert current.start_date == washout_end and not current.is_paused
    assert PlanEvent.objects.get(plan=current).kind == "resume"
    followup = FollowUp.objects.get(patient=on_plan, status="pending")
    assert (followup.counts_from, followup.due_on) == (washout_end, washout_end + dt.timedelta(days=14))
    assert AccessLog.objects.filter(actor=physician, action="care_item.view", patient=on_plan.user).exists()
    assert item.history.count() >= 2  # raised, then resolved: the resolution is audited


@pytest.mark.django_db
def test_a_resolution_needs_a_note_and_a_resume_before_the_washout_is_refused(client, on_plan, physician):
    check_in(on_plan, **opioid_yesterday(on_plan))
    item = CareItem.objects.get()
    sign_in(client, physician)
    page = client.post(f"/clinic/items/{item.pk}/", {"resolution": "called"}).content.decode()
    assert "Write a short note" in page
    too_soon = on_plan.today().isoformat()
    page = client.post(
        f"/clinic/items/{item.pk}/", {"resolution": "resumed", "note": "ok", "resume_on": too_soon}
    ).content.decode()
    assert "washout lasts until" in page
    item.refresh_from_db()
    assert item.is_open  # a refused resume leaves the item open


@pytest.mark.django_db
def test_while_held_no_refill_or_follow_up_reminder_is_sent_and_no_order_can_be_drafted(
    on_plan, physician, tx_pharmacy
):
    from portal.reminders import reminder_send
    from prescriptions.orders.reminders import refill_reminder_schedule
    from prescriptions.tests.factories import sign
    from tests.test_reminder_reliability import daytime_zone

    order = sign(make_draft(TitrationPlan.objects.get(patient=on_plan), physician), physician)
    refill_reminder_schedule(order)
    check_in(on_plan, **opioid_yesterday(on_plan))
    followup = FollowUp.objects.get(patient=on_plan, status="pending")
    # The pharmacy's "a new order is waiting" email is to its staff, not a reminder to the patient.
    rows = Reminder.objects.filter(
        subject__in=[f"patients.followup:{followup.pk}", f"prescriptions.prescriptionorder:{order.pk}"]
    ).exclude(kind__startswith="pharmacy-")
    rows.update(status="queued", time_zone=daytime_zone())
    outcomes = {r.kind: reminder_send(r.pk) for r in rows}
    assert set(outcomes.values()) == {"skipped"} and "refill-due" in outcomes and "followup-due-soon" in outcomes
    reasons = set(Reminder.objects.filter(pk__in=[r.pk for r in rows]).values_list("status_reason", flat=True))
    assert reasons == {"treatment is on hold or stopped", "the plan is on hold or stopped"}
    with pytest.raises(ValidationError, match="on hold"):
        make_draft(TitrationPlan.objects.get(patient=on_plan, superseded_at__isnull=True), physician)


@pytest.mark.django_db
def test_a_stop_needs_a_re_screen_and_after_seven_days_a_low_first_step(on_plan, physician):
    plan_services.plan_pause(patient=on_plan, kind="stop", reason="Insomnia, patient wants a break", by=physician)
    stopped = TitrationPlan.objects.get(patient=on_plan, superseded_at__isnull=True)
    later = on_plan.today() + dt.timedelta(days=10)
    with pytest.raises(ValidationError, match="answer the opioid question again"):
        make_plan(on_plan, physician, template="custom", steps=[Step(D("4.5"), None)], start_date=later)
    check_in(on_plan)  # the re-screen: "no opioids"
    with pytest.raises(ValidationError, match="starts low again"):
        make_plan(on_plan, physician, template="custom", steps=[Step(D("4.5"), None)], start_date=later)
    restarted = make_plan(on_plan, physician, template="restart", start_date=later)
    assert restarted.version == stopped.version + 1
    assert PlanEvent.objects.get(plan=restarted).summary == "Resumed at 1.5 mg"


@pytest.mark.django_db
def test_holding_from_the_chart_needs_a_reason_and_the_history_names_what_happened(client, on_plan, physician):
    sign_in(client, physician)
    client.post(f"/clinic/patients/{on_plan.pk}/plan/pause/", {"kind": "hold"})
    assert TitrationPlan.objects.get(patient=on_plan, superseded_at__isnull=True).paused_on is None
    assert "Say why you hold or stop the plan" in client.get(f"/clinic/patients/{on_plan.pk}/").content.decode()
    client.post(f"/clinic/patients/{on_plan.pk}/plan/pause/", {"kind": "hold", "reason": "Rash, waiting for photos"})
    chart = client.get(f"/clinic/patients/{on_plan.pk}/").content.decode()
    assert "Held: Rash, waiting for photos" in chart and "Resume the plan" in chart


@pytest.mark.django_db
def test_a_lowered_maintenance_is_named_as_such(on_plan, physician):
    make_plan(on_plan, physician, template="custom", steps=[Step(D("1.5"), 7), Step(D("3.0"), 7), Step(D("1.5"), None)],
              start_date=on_plan.today())  # fmt: skip
    event = PlanEvent.objects.filter(patient=on_plan).order_by("-pk").first()
    assert event.summary == "Maintenance lowered from 4.5 to 1.5 mg"


@pytest.mark.django_db
def test_a_message_marked_urgent_raises_an_urgent_item_for_the_licensed_physicians(client, on_plan, physician):
    sign_in(client, on_plan.user)
    client.post(
        "/patient/messages/", {"subject": "Rash", "body": "My face is swelling since this morning", "urgent": "on"}
    )
    item = CareItem.objects.get(patient=on_plan)
    assert item.priority == "urgent" and item.message.body.startswith("My face")
    deliver_due()
    assert [m.to for m in mail.outbox if m.subject == "A patient needs attention in the portal"] == [[physician.email]]
    sign_in(client, physician)
    page = client.get(f"/clinic/items/{item.pk}/").content.decode()
    assert "My face is swelling" in page and "Open the conversation" in page
    # a physician's message is never "urgent" (the flag is the patient's)
    from patients.messaging.services import message_send

    message_send(thread=item.message.thread, sender=physician, body="Please call 911 now.", urgent=True)
    assert CareItem.objects.count() == 1


@pytest.mark.django_db
def test_a_stopped_patient_is_asked_to_answer_the_re_screen_from_the_dashboard(client, on_plan, physician):
    plan_services.plan_pause(patient=on_plan, kind="stop", reason="Patient wants a break", by=physician)
    sign_in(client, on_plan.user)
    home = client.get("/patient/").content.decode()
    assert "Do not take LDN until your physician says so" in home
    assert "answer them in a check-in" in home and "/patient/checkins/new/" in home
