"""The chart in review mode (a pending intake: flags, answers and the decision first; no plan or
order actions until approval), the short lists beside the PEG chart, and the chart's legibility
on a phone."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.checkins.charts import NARROW, WIDE, ChartPoint, peg_chart
from patients.clinic.review import screening_flags
from patients.messaging.services import thread_start
from patients.models import CheckIn, Intake
from patients.tests.factories import VisitNoteFactory, appointment_at, complete_intake, plan_started
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in
from prescriptions.models import TitrationPlan
from prescriptions.orders.services import order_draft_create
from prescriptions.plans.services import titration_plan_create
from prescriptions.tests.factories import approve_intake

PLAN_ACTIONS = ("/plan/new/", "/orders/new/", "Start a titration plan", "Draft an order")


def chart(client, patient):
    response = client.get(f"/clinic/patients/{patient.pk}/")
    assert response.status_code == 200
    return response


def transplant_on_immunosuppressants():
    return {
        "history": {"organ_transplant": True, "hashimotos": True},
        "medications": {"takes_immunosuppressants": True, "immunosuppressant_names": "Tacrolimus"},
    }


# --- review mode -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pending_intake_opens_the_chart_in_review_mode_with_flags_answers_and_the_decision(
    client, physician, patient
):
    complete_intake(patient, **transplant_on_immunosuppressants())
    sign_in(client, physician)
    response = chart(client, patient)
    content = response.content.decode()
    assert response.context["review_mode"]
    review = content.split('id="review-heading"', 1)[1].split("</section>", 1)[0]
    # The flags, the most serious first, each labelled in words (never colour alone).
    assert review.index("Contraindication") < review.index("Caution")
    assert "organ transplant and take immunosuppressants" in review and "Hashimoto" in review
    # The answers and the decision form are in the review.
    assert "Tacrolimus" in review and 'name="decision"' in review
    assert f'action="/clinic/patients/{patient.pk}/review/"' in review
    # The review comes before the rest of the chart.
    assert content.index('id="review-heading"') < content.index('id="response-heading"')


@pytest.mark.django_db
def test_review_mode_hides_plan_and_order_actions_until_the_intake_is_approved(client, physician, patient):
    complete_intake(patient)
    sign_in(client, physician)
    content = chart(client, patient).content.decode()
    for action in PLAN_ACTIONS:
        assert action not in content
    assert "No contraindications or cautions from the screening." in content

    client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "approve"})
    response = chart(client, patient)
    assert not response.context["review_mode"]
    assert 'id="review-heading"' not in response.content.decode()
    assert f"/clinic/patients/{patient.pk}/plan/new/" in response.content.decode()


@pytest.mark.django_db
def test_a_declined_intake_shows_no_plan_actions_and_no_review(client, physician, patient):
    complete_intake(patient)
    sign_in(client, physician)
    client.post(f"/clinic/patients/{patient.pk}/review/", {"decision": "decline", "note": "Not a candidate."})
    content = chart(client, patient).content.decode()
    assert 'id="review-heading"' not in content
    for action in PLAN_ACTIONS:
        assert action not in content


@pytest.mark.django_db
def test_a_coordinator_sees_no_review_mode(client, coordinator, patient):
    complete_intake(patient, **transplant_on_immunosuppressants())
    sign_in(client, coordinator)
    response = chart(client, patient)
    assert not response.context["review_mode"] and response.context["review_form"] is None
    assert 'name="decision"' not in response.content.decode()


@pytest.mark.django_db
def test_the_server_refuses_a_plan_before_the_intake_is_approved(client, physician, patient):
    complete_intake(patient)
    sign_in(client, physician)
    data = {
        "template": "standard",
        "formulation": "oral_liquid",
        "dosing_time": "bedtime",
        "start_mode": "date",
        "start_date": patient.today().isoformat(),
        "followup_due_in_days": 14,
        "steps-TOTAL_FORMS": 8,
        "steps-INITIAL_FORMS": 0,
    }
    response = client.post(f"/clinic/patients/{patient.pk}/plan/new/", data)
    assert response.status_code == 200
    assert "must review and approve this patient&#x27;s intake" in response.content.decode()
    assert not TitrationPlan.objects.exists()
    with pytest.raises(ValidationError, match="approve this patient's intake"):
        titration_plan_create(patient=patient, physician=physician, start_date=patient.today())


@pytest.mark.django_db
def test_the_server_refuses_an_order_before_the_intake_is_approved(physician, patient):
    complete_intake(patient)
    plan_started(patient, patient.today())  # a plan written directly, as if one slipped through
    plan = TitrationPlan.objects.get()
    with pytest.raises(ValidationError, match="approve this patient's intake"):
        order_draft_create(plan=plan, physician=physician, indication_code="M79.7", indication_text="Fibromyalgia")


@pytest.mark.django_db
def test_screening_flags_label_each_reason_by_how_serious_it_is(patient):
    last_dose = patient.today() - dt.timedelta(days=3)
    intake = complete_intake(
        patient,
        medications={"takes_opioids": True, "opioid_names": "Tramadol", "opioid_last_dose": last_dose.isoformat()},
        history={"liver_disease": True},
    )
    flags = screening_flags(intake, zone_name=patient.time_zone_name)
    assert [f.label for f in flags] == ["Opioid washout", "Caution"]
    assert flags[0].reason in intake.screening_reasons and flags[1].reason in intake.screening_reasons
    assert screening_flags(Intake(patient=patient), zone_name=patient.time_zone_name) == []


# --- visits, notes and messages beside the PEG chart -------------------------------------------------


def _record(patient, physician):
    """An approved patient with visits (the physician's own, a colleague's with and without a
    signed note), a conversation and check-ins."""
    approve_intake(patient, physician)
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    now = timezone.now()
    own = appointment_at(patient, now - dt.timedelta(days=30), physician=physician, status="completed")
    signed = appointment_at(patient, now - dt.timedelta(days=20), physician=colleague, status="completed")
    VisitNoteFactory(
        appointment=signed, signed_at=now - dt.timedelta(days=19), signed_by=colleague, content_hash="0" * 64
    )
    unsigned = appointment_at(patient, now - dt.timedelta(days=10), physician=colleague, status="completed")
    VisitNoteFactory(appointment=unsigned)
    thread = thread_start(patient=patient, author=patient.user, subject="Vivid dreams", body="Since the dose went up.")
    return own, signed, unsigned, thread


@pytest.mark.django_db
def test_the_chart_lists_visits_signed_notes_and_conversations_with_links(client, physician, patient):
    own, signed, unsigned, thread = _record(patient, physician)
    sign_in(client, physician)
    content = chart(client, patient).content.decode()
    assert f'href="/clinic/appointments/{own.pk}/visit-note/"' in content  # their own visit
    assert f'href="/clinic/appointments/{signed.pk}/visit-note/"' in content  # a colleague's signed note
    assert f'href="/clinic/appointments/{unsigned.pk}/visit-note/"' not in content  # a colleague's draft
    notes = content.split('id="notes-heading"', 1)[1].split("</div></div>", 1)[0]
    assert f"/clinic/appointments/{signed.pk}/visit-note/" in notes and "Signed by" in notes
    assert f'href="/clinic/messages/{thread.pk}/"' in content and "Vivid dreams" in content
    assert "1 unread" in content
    # Every link the lists hold opens for this physician.
    for href in (f"/clinic/appointments/{own.pk}/visit-note/", f"/clinic/appointments/{signed.pk}/visit-note/"):
        assert client.get(href).status_code == 200
    assert client.get(f"/clinic/messages/{thread.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_coordinator_sees_visits_and_conversations_but_no_note_links(client, coordinator, physician, patient):
    own, signed, _, thread = _record(patient, physician)
    sign_in(client, coordinator)
    content = chart(client, patient).content.decode()
    assert "/visit-note/" not in content and 'id="notes-heading"' not in content
    assert f'href="/clinic/messages/{thread.pk}/"' in content


@pytest.mark.django_db
def test_each_list_says_when_it_is_empty(client, physician, patient):
    approve_intake(patient, physician)
    sign_in(client, physician)
    content = chart(client, patient).content.decode()
    for empty in ("No visits yet.", "No signed notes yet.", "No conversations yet."):
        assert empty in content


@pytest.mark.django_db
def test_the_chart_query_count_stays_within_budget_and_does_not_grow(
    client, physician, patient, django_assert_max_num_queries
):
    _record(patient, physician)
    sign_in(client, physician)
    with django_assert_max_num_queries(20) as small:
        chart(client, patient)
    _record_more(patient, physician)
    with django_assert_max_num_queries(20) as large:
        chart(client, patient)
    assert len(large.captured_queries) == len(small.captured_queries)


def _record_more(patient, physician):
    now = timezone.now()
    visits = []
    for days in range(40, 52):
        visit = appointment_at(patient, now - dt.timedelta(days=days), physician=physician, status="completed")
        VisitNoteFactory(
            appointment=visit, signed_at=now - dt.timedelta(days=days - 1), signed_by=physician, content_hash="0" * 64
        )
        visits.append(visit)
    for number in range(8):
        thread_start(patient=patient, author=patient.user, subject=f"Question {number}", body="A question.")
    for _ in range(10):
        CheckIn.objects.create(patient=patient, pain=4, enjoyment=4, activity=4)
    return visits


# --- the PEG chart on a phone ------------------------------------------------------------------------

# The chart column's width: a 375 px phone leaves about 320 px for the narrow drawing; the wide
# one shows from 576 px up, where the column is at least 480 px wide.
SMALLEST_SHOWN = {NARROW.key: 320, WIDE.key: 480}


def _smallest_text_px(svg: str) -> float:
    width = float(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    root_font = float(re.search(r'<svg [^>]*font-size="(\d+)"', svg).group(1))
    sizes = [root_font] + [float(size) for size in re.findall(r'<text [^>]*font-size="(\d+)"', svg)]
    key = re.search(r'class="peg-chart peg-chart-(\w+)"', svg).group(1)
    return min(sizes) * SMALLEST_SHOWN[key] / width


@pytest.mark.django_db
def test_the_peg_chart_keeps_its_labels_at_12_px_or_more_and_lists_its_values_in_a_table(client, physician, patient):
    approve_intake(patient, physician)
    for pain in (7, 6, 5):
        CheckIn.objects.create(patient=patient, pain=pain, enjoyment=5, activity=5)
    sign_in(client, physician)
    content = chart(client, patient).content.decode()
    svgs = re.findall(r'<svg [^>]*class="peg-chart .*?</svg>', content, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert _smallest_text_px(svg) >= 12
    assert 'class="d-sm-none"' in content and 'class="d-none d-sm-block"' in content
    table = content.split("values as a table</summary>", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + 4  # the header, the intake's baseline and three check-ins
    # Each drawing names its own title and description.
    assert 'id="peg-chart-wide-title"' in content and 'id="peg-chart-narrow-title"' in content


def test_the_narrow_chart_has_fewer_score_labels():
    points = [ChartPoint(dt.date(2026, 1, 1) + dt.timedelta(weeks=i), s) for i, s in enumerate([8, 6, 5])]
    wide = peg_chart(points, baseline=8.0, frame=WIDE)
    narrow = peg_chart(points, baseline=8.0, frame=NARROW)
    assert len(narrow.grid) < len(wide.grid)
    assert narrow.width < wide.width and narrow.font >= 12 and wide.font >= 12


def test_the_table_gives_the_dose_of_each_check_in_day():
    points = [ChartPoint(dt.date(2026, 1, 1), 8), ChartPoint(dt.date(2026, 1, 10), 6)]
    chart_ = peg_chart(points, baseline=8.0, dose_steps=[(dt.date(2026, 1, 2), 0.75), (dt.date(2026, 1, 9), 1.5)])
    assert [p.dose_text for p in chart_.points] == ["", "1.5"]
