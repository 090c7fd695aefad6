import pytest
from django.template import Context, Template

from education.models import Article, Phase
from education.selectors import articles_for_phase
from education.tests.factories import ArticleFactory


@pytest.mark.django_db
@pytest.mark.parametrize("phase", Phase.values)
def test_articles_for_each_phase_are_two_or_three_of_that_phase(phase):
    articles = articles_for_phase(phase)
    assert 2 <= len(articles) <= 3
    for article in articles:
        assert phase in article.phase_list
        assert article.status == Article.Status.PUBLISHED


@pytest.mark.django_db
def test_articles_for_phase_respects_the_limit_and_skips_drafts():
    ArticleFactory(phases="stable", status=Article.Status.DRAFT, order=0, title="AAA draft")
    articles = articles_for_phase("stable", limit=2)
    assert len(articles) == 2
    assert all(a.status == Article.Status.PUBLISHED for a in articles)


@pytest.mark.django_db
def test_unknown_phase_suggests_nothing():
    assert articles_for_phase("maintenance") == []
    assert articles_for_phase("") == []


def render(template, **context):
    return Template("{% load education_tags %}" + template).render(Context(context))


@pytest.mark.django_db
def test_suggested_reading_tag_renders_links_for_a_phase():
    html = render("{% suggested_reading phase %}", phase="titration")
    assert 2 <= html.count('href="/learn/') <= 3
    assert "<h2" not in html  # the page around it gives the heading (no second "Suggested reading")
    for article in articles_for_phase("titration"):
        assert f'href="/learn/{article.slug}/"' in html
        assert article.title in html


@pytest.mark.django_db
def test_suggested_reading_tag_renders_nothing_for_an_unknown_phase():
    assert render("{% suggested_reading phase %}", phase="unknown").strip() == ""


@pytest.mark.django_db
def test_suggested_reading_tag_accepts_a_choices_member():
    # The patient dashboard may pass an enum member; it is a plain string to education.
    assert "/learn/" in render("{% suggested_reading phase %}", phase=Phase.STABLE)


@pytest.mark.django_db
def test_cached_suggestions_follow_every_edit_in_the_admin(django_assert_num_queries):
    first = articles_for_phase("stable")
    with django_assert_num_queries(0):
        assert [a.pk for a in articles_for_phase("stable")] == [a.pk for a in first]
    article = Article.objects.get(pk=first[0].pk)
    article.title = "Renamed by an editor"
    article.save()
    assert articles_for_phase("stable")[0].title == "Renamed by an editor"
    article.status = Article.Status.DRAFT
    article.save()
    assert article.pk not in [a.pk for a in articles_for_phase("stable")]
    article.category.name = "Renamed category"
    article.status = Article.Status.PUBLISHED
    article.save()
    article.category.save()
    assert articles_for_phase("stable")[0].category.name == "Renamed category"
    Article.objects.get(pk=article.pk).delete()
    assert article.pk not in [a.pk for a in articles_for_phase("stable")]


@pytest.mark.django_db
def test_a_list_read_before_an_edit_commits_is_dropped_when_it_commits(django_capture_on_commit_callbacks):
    first = articles_for_phase("stable")[0]
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.get(pk=first.pk)
        article.title = "Retitled in a transaction"
        article.save()
        # Another request reading before the commit would cache the rows it can see.
        from django.core.cache import cache

        from education.selectors import LIBRARY_CACHE_PREFIX

        cache.set(LIBRARY_CACHE_PREFIX + "phase:stable", [first], 300)
    assert articles_for_phase("stable")[0].title == "Retitled in a transaction"
