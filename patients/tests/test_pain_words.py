"""Patients read their progress in plain words and two numbers to one decimal ("Your pain score
has roughly halved since you started (7.3 → 3.3)"); physicians keep the PEG score and the percent
change."""

import datetime as dt

import pytest
from django.utils import timezone

from patients.checkins.presenters import Band, pain_progress
from patients.models import CheckIn
from patients.tests.factories import complete_intake
from portal.tests.signin import sign_in


@pytest.mark.parametrize(
    ("baseline", "latest", "band"),
    [
        (7.33, 3.33, Band.ROUGHLY_HALVED),  # a 55 % fall
        (8.0, 4.8, Band.ROUGHLY_HALVED),  # 40 % exactly
        (8.0, 3.2, Band.MORE_THAN_HALVED),  # 60 % exactly
        (9.0, 1.0, Band.MORE_THAN_HALVED),
        (6.0, 4.0, Band.ABOUT_A_THIRD),  # 33 %
        (8.0, 6.0, Band.ABOUT_A_THIRD),  # 25 % exactly
        (6.0, 5.0, Band.A_LITTLE),  # 17 %
        (6.0, 5.5, Band.A_LITTLE),  # half a point exactly
        (6.0, 5.67, Band.SAME),  # under half a point
        (6.0, 6.0, Band.SAME),
        (6.0, 6.33, Band.SAME),
        (0.0, 0.0, Band.SAME),
        (0.33, 0.0, Band.SAME),
        (4.0, 4.5, Band.UP),
        (4.0, 7.0, Band.UP),
        (0.0, 2.0, Band.UP),
    ],
)
def test_each_change_reads_in_its_band(baseline, latest, band):
    assert pain_progress(baseline, latest).band == band


def test_the_sentence_gives_both_numbers_to_one_decimal():
    progress = pain_progress(7.33, 3.33)
    assert progress.sentence == "Your pain score has roughly halved since you started (7.3 → 3.3)."
    assert (progress.started, progress.latest) == ("7.3", "3.3")
    assert pain_progress(5.0, 7.67).sentence == "Your pain score has gone up since you started (5.0 → 7.7)."


def test_the_band_follows_the_numbers_as_shown():
    # 6.04 and 5.56 show as 6.0 and 5.6: a fall of 0.4, "about the same", not "a little".
    assert pain_progress(6.04, 5.56).band == Band.SAME


def test_nothing_to_say_without_both_scores():
    assert pain_progress(None, 3.0) is None
    assert pain_progress(6.0, None) is None


@pytest.fixture
def improving(patient):
    """Started at 7.3 (the intake), 3.3 in the latest weekly check-in."""
    complete_intake(patient)
    CheckIn.objects.filter(patient=patient, kind=CheckIn.Kind.BASELINE).update(
        pain=8, enjoyment=7, activity=7, recorded_at=timezone.now() - dt.timedelta(days=30)
    )
    CheckIn.objects.create(patient=patient, kind=CheckIn.Kind.WEEKLY, pain=4, enjoyment=3, activity=3)
    return patient


@pytest.mark.django_db
def test_the_patients_home_says_it_in_plain_words_without_peg_or_percent(client, improving):
    sign_in(client, improving.user)
    html = client.get("/patient/").content.decode()
    assert "Your pain score has roughly halved since you started (7.3" in html
    assert '<span class="visually-hidden">to</span> 3.3)' in html
    assert "Your latest pain score: <strong>3.3</strong> out of 10" in html
    assert "PEG" not in html
    assert "%" not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.django_db
def test_with_only_the_intake_there_is_no_comparison_yet(client, patient):
    complete_intake(patient)
    sign_in(client, patient.user)
    html = client.get("/patient/").content.decode()
    assert "Your latest pain score" in html
    assert "since you started" not in html


@pytest.mark.django_db
def test_a_higher_score_is_said_kindly_with_a_way_to_ask(client, patient):
    complete_intake(patient)
    CheckIn.objects.filter(patient=patient, kind=CheckIn.Kind.BASELINE).update(
        pain=4, enjoyment=4, activity=4, recorded_at=timezone.now() - dt.timedelta(days=30)
    )
    CheckIn.objects.create(patient=patient, kind=CheckIn.Kind.WEEKLY, pain=6, enjoyment=6, activity=6)
    sign_in(client, patient.user)
    html = client.get("/patient/").content.decode()
    assert "Your pain score has gone up since you started (4.0" in html
    assert "send a message to your care team" in html


@pytest.mark.django_db
def test_the_physicians_chart_keeps_the_peg_numbers_and_percent_change(client, improving, physician):
    sign_in(client, physician)
    html = client.get(f"/clinic/patients/{improving.pk}/").content.decode()
    assert "Baseline PEG" in html
    assert "54.6 %" in html
