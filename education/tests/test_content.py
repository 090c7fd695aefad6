"""The launch content: the parser, what the data migration loaded, and the demo seed."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from education import demo
from education.content_loader import (
    CATEGORIES,
    CONTENT_REVIEWED_ON,
    ContentError,
    load_sources,
    parse_article,
)
from education.models import Article, Category, Phase
from portal.tests.factories import PhysicianFactory

SAMPLE = """---
title: A title: with a colon
slug: a-title
category: faq
summary: One sentence.
phases: titration, stable
related: one, two
order: 4
---

## Body

Text.
"""


def test_parser_reads_front_matter_and_body():
    source = parse_article(SAMPLE)
    assert source.title == "A title: with a colon"
    assert source.slug == "a-title"
    assert source.category == "faq"
    assert source.phases == ("titration", "stable")
    assert source.phases_value == "titration,stable"
    assert source.related == ("one", "two")
    assert source.order == 4
    assert source.body == "## Body\n\nText.\n"


def test_parser_accepts_empty_optional_lists():
    source = parse_article(SAMPLE.replace("phases: titration, stable", "phases: ").replace("related: one, two\n", ""))
    assert source.phases == ()
    assert source.related == ()


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (SAMPLE.replace("---\ntitle", "title", 1), "must start"),
        (SAMPLE.replace("order: 4\n---", "order: 4"), "no closing"),
        (SAMPLE.replace("summary: One sentence.\n", ""), "missing summary"),
        (SAMPLE.replace("order: 4", "order: soon"), "whole number"),
        (SAMPLE.replace("order: 4", "author: someone"), "unknown front matter key"),
        (SAMPLE.replace("order: 4", "order 4"), "expected 'key: value'"),
    ],
)
def test_parser_names_the_problem_in_a_broken_file(broken, message):
    with pytest.raises(ContentError, match=message):
        parse_article(broken, source="broken.md")


def test_every_content_file_parses_and_fits_the_model():
    sources = load_sources()
    assert len(sources) >= 12
    category_slugs = {slug for slug, *_ in CATEGORIES}
    slugs = {s.slug for s in sources}
    for source in sources:
        assert source.category in category_slugs
        assert set(source.phases) <= set(Phase.values)
        assert set(source.related) <= slugs, source.slug
        assert len(source.summary) <= 280


@pytest.mark.django_db
def test_migration_loaded_published_articles_in_all_nine_categories():
    published = Article.objects.published()
    assert published.count() >= 12
    assert Category.objects.count() == 9
    assert set(Category.objects.values_list("slug", flat=True)) == {slug for slug, *_ in CATEGORIES}
    for category in Category.objects.all():
        assert published.filter(category=category).exists(), f"{category} has no article"
    assert not published.filter(reviewed_on__isnull=True).exists()
    assert set(published.values_list("reviewed_on", flat=True)) == {CONTENT_REVIEWED_ON}


@pytest.mark.django_db
def test_migration_loaded_every_file_and_resolved_every_related_slug():
    for source in load_sources():
        article = Article.objects.get(slug=source.slug)
        assert article.title == source.title
        assert article.status == Article.Status.PUBLISHED
        assert article.phase_list == list(source.phases)
        assert set(article.related.values_list("slug", flat=True)) == set(source.related)
        article.full_clean()


@pytest.mark.django_db
def test_data_migration_reverses_and_reapplies():
    migration = import_module("education.migrations.0002_load_launch_content")
    migration.unload_content(django_apps, None)
    assert Article.objects.count() == 0
    assert Category.objects.count() == 0
    migration.load_content(django_apps, None)
    assert Article.objects.published().count() == len(load_sources())
    assert Category.objects.count() == 9


def rows():
    return {
        "articles": sorted(
            Article.objects.values_list("slug", "title", "status", "reviewed_by_id", "reviewed_on", "updated_at")
        ),
        "categories": sorted(Category.objects.values_list("slug", "name", "order")),
        "related": sorted(Article.related.through.objects.values_list("from_article__slug", "to_article__slug")),
        "history": Article.history.count(),
    }


@pytest.mark.django_db
def test_demo_seed_names_dr_chen_as_reviewer_and_is_idempotent():
    chen = PhysicianFactory(email="dr.chen@demo.ldncare.example", first_name="Michael", last_name="Chen")
    demo.seed(dt.date(2026, 11, 27))
    first = rows()
    demo.seed(dt.date(2026, 11, 27))
    assert rows() == first
    assert not Article.objects.published().exclude(reviewed_by=chen).exists()


@pytest.mark.django_db
def test_demo_seed_without_the_demo_physician_leaves_reviewer_empty():
    demo.seed(dt.date(2026, 11, 27))
    assert not Article.objects.filter(reviewed_by__isnull=False).exists()


@pytest.mark.django_db
def test_demo_seed_reloads_a_deleted_article_with_its_links():
    Article.objects.get(slug="side-effects").delete()
    demo.seed(dt.date(2026, 11, 27))
    article = Article.objects.get(slug="side-effects")
    assert article.status == Article.Status.PUBLISHED
    assert set(article.related.values_list("slug", flat=True)) == {
        "bedtime-or-morning-dosing",
        "starting-doses-and-titration",
        "opioids-and-washout",
    }
    # Articles that list it as related point at it again.
    assert Article.objects.get(slug="bedtime-or-morning-dosing").related.filter(slug="side-effects").exists()
    first = rows()
    demo.seed(dt.date(2026, 11, 27))
    assert rows() == first


@pytest.mark.django_db
def test_demo_seed_leaves_an_editors_changes_alone():
    Article.objects.filter(slug="ldn-faq").update(title="Edited title", status=Article.Status.DRAFT)
    demo.seed(dt.date(2026, 11, 27))
    article = Article.objects.get(slug="ldn-faq")
    assert (article.title, article.status) == ("Edited title", Article.Status.DRAFT)


@pytest.mark.django_db
def test_loading_a_file_with_an_unknown_related_slug_fails_loudly():
    from education.content_loader import load_articles

    source = parse_article(SAMPLE.replace("related: one, two", "related: side-effects, no-such-article"))
    with pytest.raises(ContentError, match="no-such-article"):
        load_articles(category_model=Category, article_model=Article, sources=[source])


def test_parser_reads_search_words():
    assert parse_article(SAMPLE.replace("order: 4", "order: 4\nkeywords: price, pay")).keywords == "price, pay"
    assert parse_article(SAMPLE).keywords == ""


@pytest.mark.django_db
def test_migration_set_the_search_words_from_the_files():
    for source in load_sources():
        assert Article.objects.get(slug=source.slug).keywords == source.keywords
    assert "washout" in Article.objects.get(slug="opioids-and-washout").keywords


@pytest.mark.django_db
def test_source_link_migration_keeps_an_editors_lines_and_runs_twice_safely():
    migration = import_module("education.migrations.0004_article_search_words_and_source_links")
    old_line, new_line = migration.SOURCE_LINES[0]
    body = f"## Sources\n\n1. {old_line}\n2. {old_line} (edited)\n"
    once = migration.link_sources(body)
    assert once == f"## Sources\n\n1. {new_line}\n2. {old_line} (edited)\n"
    assert migration.link_sources(once) == once
