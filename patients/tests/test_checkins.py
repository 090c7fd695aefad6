import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from patients.checkins.charts import ChartPoint, peg_chart
from patients.checkins.peg import peg_response
from patients.checkins.selectors import checkin_due
from patients.models import CheckIn, TreatmentPhase
from patients.tests.factories import complete_intake
from portal.tests.signin import sign_in

CHECKIN = {
    "pain": 5,
    "enjoyment": 4,
    "activity": 3,
    "kind": "weekly",
    "side_effect_severity": "none",
    "opioid_use": "no",
}


@pytest.mark.django_db
def test_patient_logs_a_check_in(client, patient):
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.post(
        "/patient/checkins/new/", {**CHECKIN, "side_effects": ["vivid_dreams", "headache"], "note": "Sleeping badly"}
    )
    assert response["Location"] == "/patient/"
    checkin = CheckIn.objects.get(patient=patient, kind="weekly")
    assert checkin.score == 4.0
    assert checkin.side_effects == ["vivid_dreams", "headache"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**CHECKIN, "pain": 12}, b"from 0 to 10"),
        ({**CHECKIN, "pain": ""}, b"Please answer with a number"),
        ({**CHECKIN, "side_effects": ["other"]}, b"what the other side effect is"),
        ({**CHECKIN, "side_effects": ["hair_loss"]}, b"Select a valid choice"),
    ],
)
def test_bad_check_in_shows_the_error_and_saves_nothing(client, patient, data, message):
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.post("/patient/checkins/new/", data)
    assert response.status_code == 200
    assert message in response.content
    assert not CheckIn.objects.filter(patient=patient).exclude(kind="baseline").exists()


@pytest.mark.django_db
def test_check_in_before_the_intake_sends_the_patient_to_the_intake(client, patient):
    sign_in(client, patient.user)
    assert client.get("/patient/checkins/new/")["Location"] == "/intake/"
    assert client.post("/patient/checkins/new/", CHECKIN)["Location"] == "/intake/"
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["physician", "pharmacy", "admin"])
def test_check_in_page_refuses_other_roles(client, role_users, role):
    sign_in(client, role_users[role])
    assert client.get("/patient/checkins/new/").status_code == 403


@pytest.mark.django_db
def test_check_in_refuses_put(client, patient):
    sign_in(client, patient.user)
    assert client.put("/patient/checkins/new/").status_code == 405


@pytest.mark.django_db
def test_weekly_check_in_is_due_during_titration_only(patient):
    now = timezone.now()
    assert not checkin_due(patient, last_checkin=None, now=now)
    patient.treatment_phase = TreatmentPhase.TITRATION
    assert checkin_due(patient, last_checkin=None, now=now)
    recent = CheckIn(recorded_at=now - dt.timedelta(days=6, hours=23))
    old = CheckIn(recorded_at=now - dt.timedelta(days=7))
    assert not checkin_due(patient, last_checkin=recent, now=now)
    assert checkin_due(patient, last_checkin=old, now=now)


@pytest.mark.django_db
def test_dashboard_prompts_for_a_due_check_in(client, patient):
    complete_intake(patient)
    patient.treatment_phase = TreatmentPhase.TITRATION
    patient.save()
    CheckIn.objects.filter(patient=patient).update(recorded_at=timezone.now() - dt.timedelta(days=8))
    sign_in(client, patient.user)
    assert b"Your weekly check-in is due" in client.get("/patient/").content


@pytest.mark.parametrize(
    ("baseline", "current", "change", "label"),
    [
        (8.0, 4.0, 50.0, "Strong"),
        (8.0, 5.6, 30.0, "Meaningful"),
        (8.0, 5.7, 28.7, "Some improvement"),
        (8.0, 8.0, 0.0, "No change"),
        (6.0, 7.0, -16.7, "Worse"),
        (0.0, 0.0, None, "Baseline was 0"),
        (None, 3.0, None, "No check-in"),
    ],
)
def test_response_thresholds(baseline, current, change, label):
    result = peg_response(baseline, current)
    assert result.percent_change == change
    assert result.label.startswith(label)


def test_chart_draws_points_baseline_improvement_lines_and_dose_steps():
    points = [ChartPoint(dt.date(2026, 1, 1) + dt.timedelta(weeks=i), s) for i, s in enumerate([8, 6.5, 5, 4])]
    chart = peg_chart(
        points,
        baseline=8.0,
        dose_steps=[(dt.date(2026, 1, 1), 1.5), (dt.date(2026, 1, 8), 3.0), (dt.date(2026, 1, 15), 4.5)],
    )
    svg = render_to_string("patients/checkins/_peg_chart.html", {"chart": chart}).strip()
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert [p.y for p in chart.points] == sorted(p.y for p in chart.points)  # lower PEG is drawn lower
    assert "Jan 1, 2026: PEG 8" in svg and "4.5 mg" in svg
    assert svg.count("<circle") == 4
    assert "baseline" in svg and "30 % better" in svg and "50 % better" in svg
    assert "dose (mg)" in svg and "<path" in svg
    assert 'role="img"' in svg and "<title" in svg


def test_chart_without_points_is_empty():
    assert peg_chart([], baseline=None) is None
    assert render_to_string("patients/checkins/_peg_chart.html", {"chart": None}).strip() == ""


@pytest.mark.django_db
@pytest.mark.parametrize("weekly_count", [0, 2, 5, 9])
def test_dashboard_reads_the_latest_check_ins_and_the_baseline_in_one_query(
    patient, weekly_count, django_assert_num_queries
):
    from patients.checkins.selectors import recent_checkins_with_baseline

    now = timezone.now()
    made = [CheckIn.objects.create(patient=patient, kind="baseline", pain=8, enjoyment=8, activity=8,
                                   recorded_at=now - dt.timedelta(weeks=20))]  # fmt: skip
    for week in range(weekly_count):
        made.append(CheckIn.objects.create(patient=patient, kind="weekly", pain=5, enjoyment=5, activity=5,
                                           recorded_at=now - dt.timedelta(weeks=weekly_count - week)))  # fmt: skip
    newest_first = sorted(made, key=lambda c: c.recorded_at, reverse=True)
    with django_assert_num_queries(1):
        recent, baseline = recent_checkins_with_baseline(patient)
    assert [c.pk for c in recent] == [c.pk for c in newest_first[:5]]
    assert baseline.pk == made[0].pk


@pytest.mark.django_db
def test_no_check_ins_means_no_baseline(patient):
    from patients.checkins.selectors import recent_checkins_with_baseline

    assert recent_checkins_with_baseline(patient) == ([], None)


def test_the_chart_dates_a_check_in_on_the_patients_own_day():
    """22:30 in Texas is 04:30 the next day in UTC: the point belongs on the Texas day."""
    from types import SimpleNamespace

    from patients.checkins.charts import chart_points

    evening = SimpleNamespace(recorded_at=dt.datetime(2026, 3, 11, 4, 30, tzinfo=dt.UTC), score=5.0)
    (point,) = chart_points([evening], "America/Chicago")
    assert point.day == dt.date(2026, 3, 10)
    (point,) = chart_points([evening], "Asia/Tokyo")
    assert point.day == dt.date(2026, 3, 11)


@pytest.mark.django_db
def test_the_chart_page_shows_check_in_dates_in_the_physicians_zone(client, patient, physician):
    from patients.models import CheckIn, PhysicianProfile
    from patients.tests.factories import complete_intake

    complete_intake(patient)
    PhysicianProfile.objects.update_or_create(physician=physician, defaults={"timezone": "Asia/Tokyo"})
    CheckIn.objects.filter(patient=patient).update(recorded_at=dt.datetime(2026, 3, 11, 4, 30, tzinfo=dt.UTC))
    sign_in(client, physician)
    html = client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    # the check-in table row: 13:30 in Tokyo, where the practice's Chicago zone would say Mar 10
    assert "<tr><td>Mar 11, 2026</td>" in html


@pytest.mark.django_db
def test_each_pain_question_is_a_row_of_eleven_buttons_labelled_at_both_ends(client, patient):
    complete_intake(patient)
    sign_in(client, patient.user)
    content = client.get("/patient/checkins/new/").content.decode()
    assert 'type="number"' not in content
    for name in ("pain", "enjoyment", "activity"):
        radios = re.findall(rf'<input type="radio" class="btn-check" name="{name}" value="(\d+)"', content)
        assert radios == [str(n) for n in range(11)]
        assert f'<label class="btn btn-outline-primary scale-button" for="id_{name}_7">7</label>' in content
    assert content.count("<fieldset") >= 3 and "how bad has your pain been?" in content
    assert (
        '<label class="btn btn-outline-primary scale-button" for="id_pain_0">0<span class="visually-hidden"> = no pain</span>'
        in content
    )
    assert "<span>0 = no pain</span><span>10 = pain as bad as you can imagine</span>" in content
    assert "<span>10 = completely gets in the way</span>" in content
    assert "style=" not in content  # the buttons' look is in portal.css (the CSP allows no inline styles)


@pytest.mark.django_db
def test_a_refused_answer_keeps_the_chosen_buttons_and_marks_the_row(client, patient):
    complete_intake(patient)
    sign_in(client, patient.user)
    content = client.post("/patient/checkins/new/", {**CHECKIN, "activity": ""}).content.decode()
    assert 'value="5" required id="id_pain_5" checked>' in content
    assert '<div id="id_activity" class="scale-buttons is-invalid">' in content
    assert "Please answer with a number from 0 to 10." in content
