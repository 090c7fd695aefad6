"""The public library: no sign-in, GET and HEAD only (README "Pages": /learn/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from education.rendering import render_article_body, with_served_states
from education.selectors import SEARCH_MAX_LENGTH, article_get_published, article_search, categories_with_articles
from portal.params import text_param
from portal.selectors import served_state_names


@require_safe
def article_list(request: HttpRequest) -> HttpResponse:
    """The library grouped by category, or ranked search results for ``?q=``."""
    q = text_param(request, "q", max_length=SEARCH_MAX_LENGTH)
    context: dict = {"q": q}
    if q:
        context["results"] = article_search(q)
    else:
        context["categories"] = categories_with_articles()
    return render(request, "education/article_list.html", context)


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = article_get_published(slug)
    # Safe to mark: render_article_body's output has been through the nh3 allow-list.
    body = with_served_states(article.body_markdown, served_state_names())
    body_html = mark_safe(render_article_body(body))  # noqa: S308  # nosec B308 B703
    return render(
        request,
        "education/article_detail.html",
        {"article": article, "body_html": body_html, "related_articles": list(article.related.all())},
    )
