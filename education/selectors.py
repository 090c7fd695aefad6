"""Reads of the education library. The library is public: everyone, signed in or not, sees the
published articles and nothing else; drafts exist only in the admin."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Prefetch, Q, QuerySet, Value, When

from education.models import Article, Category, Phase
from portal.access import get_scoped_or_404

SEARCH_MAX_LENGTH = 200
SEARCH_CONFIG = "english"

# Words PostgreSQL's english configuration ignores too; without this list "what is ldn" would
# demand that every article contain "is".
# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "if",
    "in", "is", "it", "my", "of", "on", "or", "the", "to", "what", "when", "where", "which", "who", "why",
    "will", "with", "you", "your",
})
# fmt: on
# Longest first, so "titrations" loses "ions" rather than just "s".
SUFFIXES = ("ations", "ation", "ions", "ing", "ion", "ies", "ed", "es", "s")
MIN_STEM_LENGTH = 3


def article_list_published() -> QuerySet[Article]:
    """Every published article, in library order (category, then position, then title). For lists:
    the Markdown body is not loaded."""
    return (
        Article.objects.published()
        .select_related("category")
        .defer("body_markdown")
        .order_by("category__order", "order", "title")
    )


def categories_with_articles() -> list[Category]:
    """Categories that have published articles, each with ``published_articles`` in order.
    Two queries whatever the size of the library."""
    articles = Article.objects.published().defer("body_markdown").order_by("order", "title")
    categories = Category.objects.prefetch_related(
        Prefetch("articles", queryset=articles, to_attr="published_articles")
    ).order_by("order", "name")
    return [category for category in categories if category.published_articles]


def article_get_published(slug: str) -> Article:
    """One published article with its category, reviewer and published related articles; 404 for a
    draft or an unknown slug."""
    related = article_list_published()
    queryset = (
        Article.objects.published()
        .select_related("category", "reviewed_by")
        .prefetch_related(Prefetch("related", queryset=related))
    )
    return get_scoped_or_404(queryset, slug=slug)


def article_search(q: str) -> list[Article]:
    """Published articles matching ``q``, best first. PostgreSQL ranks with full-text search in
    English (so "titrating" finds "titration"); other databases use :func:`article_search_fallback`."""
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if not q:
        return []
    if connection.vendor != "postgresql":
        return article_search_fallback(q)
    vector = (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_markdown", weight="C", config=SEARCH_CONFIG)
    )
    # websearch syntax never raises on odd user input (stray quotes, a lone "-" or "or").
    query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
    return list(
        article_list_published()
        .annotate(search=vector, rank=SearchRank(vector, query))
        .filter(search=query)
        .order_by("-rank", "category__order", "order", "title")
    )


def search_terms(q: str) -> list[str]:
    """Lower-cased words of ``q`` without stop words, each cut to a crude stem."""
    terms: list[str] = []
    for word in re.findall(r"\w+", q.lower()):
        if word in STOP_WORDS:
            continue
        for suffix in SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM_LENGTH:
                word = word[: -len(suffix)]
                break
        if word not in terms:
            terms.append(word)
    return terms


def article_search_fallback(q: str) -> list[Article]:
    """Search without PostgreSQL: every stem must appear (case-insensitively) in the title, summary
    or body; articles whose title holds more of the stems come first, then those whose summary does.

    Honest about its limits: the stemming only strips a few English suffixes, so it finds
    "titration" from "titrating" but not "ran" from "running"."""
    terms = search_terms(q[:SEARCH_MAX_LENGTH])
    if not terms:
        return []
    matches = Q()
    title_hits = []
    summary_hits = []
    for term in terms:
        matches &= Q(title__icontains=term) | Q(summary__icontains=term) | Q(body_markdown__icontains=term)
        title_hits.append(Case(When(title__icontains=term, then=Value(1)), default=Value(0)))
        summary_hits.append(Case(When(summary__icontains=term, then=Value(1)), default=Value(0)))
    return list(
        article_list_published()
        .filter(matches)
        .annotate(
            title_hits=sum(title_hits, Value(0)),
            summary_hits=sum(summary_hits, Value(0)),
        )
        .order_by("-title_hits", "-summary_hits", "category__order", "order", "title")
    )


# Lists of the public library that signed-in pages show on every view are kept in the cache for
# a few minutes. Saving or deleting an article or category clears them (education/signals.py);
# with the per-process default cache another web process may show the old list until it expires.
LIBRARY_CACHE_SECONDS = 300
LIBRARY_CACHE_PREFIX = "education:library:"


def _library_cached(name: str, build):
    return cache.get_or_set(LIBRARY_CACHE_PREFIX + name, build, LIBRARY_CACHE_SECONDS)


def library_cache_clear() -> None:
    cache.delete_many([LIBRARY_CACHE_PREFIX + name for name in ("shareable", *(f"phase:{p}" for p in Phase.values))])


def articles_for_phase(phase: str, limit: int = 3) -> list[Article]:
    """Up to ``limit`` published articles that suit a treatment phase, given as a plain string
    (education never looks at a patient; docs/architecture.md "Apps and layers"). An unknown phase suggests nothing."""
    if phase not in Phase.values:
        return []
    suggestions = _library_cached(f"phase:{phase}", lambda: list(article_list_published().for_phase(phase)[:10]))
    return suggestions[:limit]


def shareable_articles() -> list[Article]:
    """Published articles a physician may share into a thread: slug, title and category."""
    return _library_cached(
        "shareable",
        lambda: list(article_list_published().only("slug", "title", "category__name", "category__order", "order")),
    )
