"""Reads of the education library. The library is public: everyone, signed in or not, sees the
published articles and nothing else; drafts exist only in the admin."""

from __future__ import annotations

import operator
import re
from functools import reduce

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
    """Published articles matching ``q``, best first.

    Articles holding every word of the question come first; when none does, articles holding any
    of its words, ranked the same way, so that a question typed in full ("how much does it cost")
    still finds an answer. A match in the title counts most, then the summary and the article's
    search words, then the body. PostgreSQL ranks with full-text search in English (so "titrating"
    finds "titration"); other databases use :func:`article_search_fallback`. The vectors are built
    at query time: the library holds a few dozen articles, and a stored vector column would only
    exist on PostgreSQL (docs/architecture.md "Library search")."""
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if not q:
        return []
    if connection.vendor != "postgresql":
        return article_search_fallback(q)
    vector = (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", "keywords", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_markdown", weight="C", config=SEARCH_CONFIG)
    )
    # websearch syntax never raises on odd user input (stray quotes, a lone "-" or "or").
    every_word = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
    results = _ranked_by(vector, every_word)
    words = [word for word in re.findall(r"\w+", q.lower()) if word not in STOP_WORDS]
    if results or len(words) < 2:
        return results
    any_word = reduce(operator.or_, (SearchQuery(word, config=SEARCH_CONFIG) for word in words))
    return _ranked_by(vector, any_word)


def _ranked_by(vector: SearchVector, query: SearchQuery) -> list[Article]:
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


# Points for each stem found in a field, mirroring PostgreSQL's A/B/C weights.
FALLBACK_WEIGHTS = (("title", 3), ("summary", 2), ("keywords", 2), ("body_markdown", 1))


def article_search_fallback(q: str) -> list[Article]:
    """Search without PostgreSQL. Each stem of the question scores 3 points for a match in the title,
    2 in the summary, 2 in the search words and 1 in the body (case-insensitive); articles holding
    every stem are listed by score, and when none does, articles holding any stem.

    Honest about its limits: the stemming only strips a few English suffixes, so it finds
    "titration" from "titrating" but not "ran" from "running", and a stem may match inside a
    longer word ("cost" inside "costume")."""
    terms = search_terms(q[:SEARCH_MAX_LENGTH])
    if not terms:
        return []
    results = _fallback_ranked(terms, every_term=True)
    if results or len(terms) < 2:
        return results
    return _fallback_ranked(terms, every_term=False)


def _fallback_ranked(terms: list[str], *, every_term: bool) -> list[Article]:
    matches = Q()
    score = Value(0)
    for term in terms:
        found = Q()
        for field, points in FALLBACK_WEIGHTS:
            found |= Q(**{f"{field}__icontains": term})
            score += Case(When(**{f"{field}__icontains": term}, then=Value(points)), default=Value(0))
        matches = (matches & found) if every_term else (matches | found)
    return list(
        article_list_published()
        .filter(matches)
        .annotate(search_score=score)
        .order_by("-search_score", "category__order", "order", "title")
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
