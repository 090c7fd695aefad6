"""The public library pages: anyone may read published articles, nothing else, with GET/HEAD."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from education.models import Article, Category
from education.tests.factories import ArticleFactory
from portal.tests.factories import PhysicianFactory
from portal.tests.signin import sign_in

INDEX = "/learn/"


def article_url(slug):
    return f"/learn/{slug}/"


def test_url_names_match_the_url_map():
    assert reverse("education:index") == INDEX
    assert reverse("education:article", args=["side-effects"]) == article_url("side-effects")


@pytest.mark.django_db
def test_anonymous_visitor_reads_the_index_grouped_by_category(client):
    response = client.get(INDEX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    for category in Category.objects.all():
        assert f'id="{category.slug}"' in body
        assert escape(category.name) in body
    assert "Starting LDN and raising the dose" in body
    assert 'role="search"' in body and '<label for="library-search"' in body


@pytest.mark.django_db
def test_anonymous_visitor_reads_an_article(client):
    chen = PhysicianFactory(first_name="Michael", last_name="Chen")
    Article.objects.filter(slug="side-effects").update(reviewed_by=chen)
    article = Article.objects.get(slug="side-effects")

    response = client.get(article_url("side-effects"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert f"<h1>{article.title}</h1>" in body
    assert f'<meta name="description" content="{escape(article.summary)}">' in body
    assert "Medically reviewed by Dr. Michael Chen" in body
    assert 'datetime="2026-11-01"' in body and "November 1, 2026" in body
    assert article.category.name in body
    assert "<h2>The short version</h2>" in body  # the rendered Markdown body
    for related in article.related.all():
        assert related.title in body


@pytest.mark.django_db
def test_article_without_a_reviewer_says_when_it_was_reviewed(client):
    body = client.get(article_url("ldn-faq")).content.decode()
    assert "Reviewed on" in body and "Medically reviewed by" not in body


@pytest.mark.django_db
def test_draft_article_is_not_found_by_the_public(client, admin_user):
    draft = ArticleFactory(status=Article.Status.DRAFT, title="Secret draft")
    assert client.get(article_url(draft.slug)).status_code == 404
    # Signed-in people get no special view either: drafts are for the admin.
    sign_in(client, admin_user)
    assert client.get(article_url(draft.slug)).status_code == 404


@pytest.mark.django_db
def test_unknown_article_is_not_found(client):
    assert client.get(article_url("no-such-article")).status_code == 404


@pytest.mark.django_db
def test_drafts_are_not_listed_searched_or_linked_as_related(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, title="Unreleased zanzibar guide")
    Article.objects.get(slug="side-effects").related.add(draft)
    assert "Unreleased zanzibar guide" not in client.get(INDEX).content.decode()
    assert "Unreleased zanzibar guide" not in client.get(INDEX, {"q": "zanzibar"}).content.decode()
    assert "Unreleased zanzibar guide" not in client.get(article_url("side-effects")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", [INDEX, article_url("side-effects")])
def test_pages_refuse_writes(client, path):
    for method in (client.post, client.put, client.delete, client.patch):
        assert method(path).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("path", [INDEX, article_url("side-effects")])
def test_pages_answer_head(client, path):
    assert client.head(path).status_code == 200


@pytest.mark.django_db
def test_search_shows_ranked_results(client):
    response = client.get(INDEX, {"q": "titrating"})
    assert response.status_code == 200
    results = response.context["results"]
    assert "starting-doses-and-titration" in [a.slug for a in results]
    assert "Results for “titrating”" in response.content.decode()


@pytest.mark.django_db
def test_search_with_no_match_says_so_plainly(client):
    body = client.get(INDEX, {"q": "xylophone"}).content.decode()
    assert "No articles match “xylophone”" in body


@pytest.mark.django_db
def test_search_input_is_escaped(client):
    body = client.get(INDEX, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.django_db
def test_hostile_body_is_sanitized_on_the_page(client):
    article = ArticleFactory(
        body_markdown="# Sneaky heading\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))"
    )
    body = client.get(article_url(article.slug)).content.decode()
    main = body.split('<main id="main"', 1)[1]
    assert "alert(1)" not in main and "onerror" not in main and 'href="javascript:' not in main
    assert body.count("<h1") == 1


@pytest.mark.django_db
def test_headings_never_skip_a_level_on_an_article(client):
    body = client.get(article_url("starting-doses-and-titration")).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])", body)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_index_query_count_does_not_grow_with_the_library(client):
    categories = list(Category.objects.all())
    ArticleFactory.create_batch(5, category=categories[0])
    small = count_queries(client, INDEX)
    for i in range(35):
        ArticleFactory(category=categories[i % len(categories)])
    large = count_queries(client, INDEX)
    assert small == large
    assert large <= 2


@pytest.mark.django_db
def test_search_query_count_does_not_grow_with_the_library(client):
    ArticleFactory.create_batch(5, title="Quokka facts")
    small = count_queries(client, f"{INDEX}?q=quokka")
    ArticleFactory.create_batch(35, title="Quokka facts")
    large = count_queries(client, f"{INDEX}?q=quokka")
    assert small == large
    assert large <= 1


@pytest.mark.django_db
def test_article_query_count_does_not_grow_with_related_articles(client):
    categories = list(Category.objects.all())
    article = ArticleFactory(reviewed_by=PhysicianFactory())
    article.related.set(ArticleFactory(category=categories[i % 9]) for i in range(5))
    client.get(article_url(article.slug))  # the served states' names are cached public data
    small = count_queries(client, article_url(article.slug))
    article.related.add(*(ArticleFactory(category=categories[i % 9]) for i in range(35)))
    large = count_queries(client, article_url(article.slug))
    assert small == large
    assert large <= 2


@pytest.mark.django_db
def test_the_states_an_article_names_come_from_the_service_states(client):
    from portal.models import ServiceState

    page = client.get("/learn/states-we-serve/").content.decode()
    assert "<li>Texas</li>" in page and "{served_states" not in page
    iowa = ServiceState.objects.get(code="IA")
    iowa.active = False
    iowa.save()
    ServiceState.objects.create(code="NV", name="Nevada", timezone="America/Los_Angeles", active=True)
    page = client.get("/learn/states-we-serve/").content.decode()
    assert "<li>Nevada</li>" in page and "<li>Iowa</li>" not in page
    faq = client.get("/learn/ldn-faq/").content.decode()
    assert "We currently serve Florida, Georgia, Illinois, Missouri, Nevada and Texas" in faq
