import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from education.models import Article, review_cutoff, validate_phases
from education.tests.factories import ArticleFactory
from portal.tests.factories import UserFactory

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("reviewed_on", "stale"),
    [
        (None, True),
        (dt.date(2026, 11, 1), False),
        (dt.date(2025, 11, 27), False),  # exactly 12 months: still current
        (dt.date(2025, 11, 26), True),
    ],
)
def test_article_is_stale_after_twelve_months_or_when_never_reviewed(reviewed_on, stale):
    assert Article(reviewed_on=reviewed_on).is_stale(TODAY) is stale


def test_review_cutoff_on_a_leap_day():
    assert review_cutoff(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)


@pytest.mark.django_db
def test_stale_queryset_agrees_with_is_stale():
    old = ArticleFactory(reviewed_on=dt.date(2025, 1, 1))
    never = ArticleFactory(reviewed_on=None)
    current = ArticleFactory(reviewed_on=dt.date(2026, 6, 1))
    stale = set(Article.objects.stale_on(TODAY))
    assert {old, never} <= stale
    assert current not in stale
    for article in (old, never, current):
        assert article.is_stale(TODAY) is (article in stale)


@pytest.mark.django_db
def test_phase_lookup_matches_whole_values_only():
    middle = ArticleFactory(phases="before-first-visit,titration,stable")
    last = ArticleFactory(phases="titration,stable")
    alone = ArticleFactory(phases="stable")
    other = ArticleFactory(phases="titration")
    found = set(Article.objects.for_phase("stable"))
    assert {middle, last, alone} <= found
    assert other not in found
    assert not Article.objects.for_phase("stab").filter(pk__in=[middle.pk, last.pk, alone.pk]).exists()


@pytest.mark.parametrize("value", ["", "titration", "before-first-visit,stable"])
def test_valid_phase_lists(value):
    validate_phases(value)


@pytest.mark.parametrize("value", ["titration, stable", "titration,,stable", "maintenance", "stable,stable", ","])
def test_invalid_phase_lists(value):
    with pytest.raises(ValidationError):
        validate_phases(value)


@pytest.mark.django_db
def test_only_a_physician_may_be_the_reviewer():
    article = ArticleFactory.build(reviewed_by=UserFactory())
    with pytest.raises(ValidationError, match="physician"):
        article.clean()
