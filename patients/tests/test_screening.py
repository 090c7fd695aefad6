"""The screening function, rule by rule, with the boundary days (docs/domain.md "Intake and screening")."""

import datetime as dt

import pytest

from patients.intake.screening import DEFERRED, ELIGIBLE, NEEDS_REVIEW, NOT_ELIGIBLE, ScreeningAnswers, screen

TODAY = dt.date(2026, 3, 20)


def days_ago(n):
    return TODAY - dt.timedelta(days=n)


def test_no_flags_is_eligible():
    result = screen(ScreeningAnswers(), today=TODAY)
    assert (result.outcome, result.reasons, result.deferred_until) == (ELIGIBLE, [], None)


@pytest.mark.parametrize(
    ("last_dose_days_ago", "outcome", "deferred_until"),
    [
        (0, DEFERRED, TODAY + dt.timedelta(days=14)),
        (1, DEFERRED, TODAY + dt.timedelta(days=13)),
        (13, DEFERRED, TODAY + dt.timedelta(days=1)),
        (14, ELIGIBLE, None),
        (15, ELIGIBLE, None),
        (30, ELIGIBLE, None),
    ],
)
def test_opioid_washout_boundary_days(last_dose_days_ago, outcome, deferred_until):
    result = screen(ScreeningAnswers(takes_opioids=True, opioid_last_dose=days_ago(last_dose_days_ago)), today=TODAY)
    assert result.outcome == outcome
    assert result.deferred_until == deferred_until
    if outcome == DEFERRED:
        assert "withdrawal" in result.reasons[0]


def test_opioid_without_a_date_is_treated_as_taken_today():
    result = screen(ScreeningAnswers(takes_opioids=True), today=TODAY)
    assert (result.outcome, result.deferred_until) == (DEFERRED, TODAY + dt.timedelta(days=14))


def test_transplant_on_immunosuppressants_is_not_eligible():
    result = screen(ScreeningAnswers(organ_transplant=True, takes_immunosuppressants=True), today=TODAY)
    assert result.outcome == NOT_ELIGIBLE
    assert "transplant" in result.reasons[0]


def test_transplant_without_immunosuppressants_needs_review():
    assert screen(ScreeningAnswers(organ_transplant=True), today=TODAY).outcome == NEEDS_REVIEW


def test_immunosuppressants_without_transplant_are_not_a_flag():
    assert screen(ScreeningAnswers(takes_immunosuppressants=True), today=TODAY).outcome == ELIGIBLE


@pytest.mark.parametrize("flag", ["liver_disease", "hashimotos"])
def test_liver_disease_and_hashimotos_need_review_with_a_reason(flag):
    result = screen(ScreeningAnswers(**{flag: True}), today=TODAY)
    assert result.outcome == NEEDS_REVIEW
    assert len(result.reasons) == 1


def test_thyroid_medication_alone_is_not_a_flag():
    assert screen(ScreeningAnswers(takes_thyroid_medication=True), today=TODAY).outcome == ELIGIBLE


def test_most_restrictive_outcome_wins_and_every_reason_is_kept():
    answers = ScreeningAnswers(
        takes_opioids=True,
        opioid_last_dose=days_ago(3),
        organ_transplant=True,
        takes_immunosuppressants=True,
        liver_disease=True,
        hashimotos=True,
    )
    result = screen(answers, today=TODAY)
    assert result.outcome == NOT_ELIGIBLE
    assert len(result.reasons) == 4
    assert result.deferred_until == TODAY + dt.timedelta(days=11)


def test_deferred_beats_needs_review():
    answers = ScreeningAnswers(takes_opioids=True, opioid_last_dose=days_ago(2), hashimotos=True)
    assert screen(answers, today=TODAY).outcome == DEFERRED


@pytest.mark.parametrize("transplant", [False, True])
@pytest.mark.parametrize("immuno", [False, True])
@pytest.mark.parametrize("liver", [False, True])
@pytest.mark.parametrize("hashimotos", [False, True])
@pytest.mark.parametrize("opioid_days", [None, 5, 20])
def test_every_combination_gives_the_expected_outcome(transplant, immuno, liver, hashimotos, opioid_days):
    answers = ScreeningAnswers(
        takes_opioids=opioid_days is not None,
        opioid_last_dose=days_ago(opioid_days) if opioid_days is not None else None,
        takes_immunosuppressants=immuno,
        organ_transplant=transplant,
        liver_disease=liver,
        hashimotos=hashimotos,
    )
    if transplant and immuno:
        expected = NOT_ELIGIBLE
    elif opioid_days is not None and opioid_days < 14:
        expected = DEFERRED
    elif transplant or liver or hashimotos:
        expected = NEEDS_REVIEW
    else:
        expected = ELIGIBLE
    assert screen(answers, today=TODAY).outcome == expected
