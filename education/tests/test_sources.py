"""Every source an article cites links to the publication (its DOI or PubMed record), except the
few sources that have no such identifier: the practice's own documents, a statute and a policy
centre's summary."""

import re

import pytest

from education.content_loader import load_sources
from education.models import Article
from education.rendering import render_markdown

LINK = re.compile(r'href="https://(doi\.org/10\.\d{4,9}/\S+|pubmed\.ncbi\.nlm\.nih\.gov/\d+/)"')
WITHOUT_IDENTIFIER = (
    "LDN Care Portal clinical protocol.",
    "LDN Care Portal practice guide.",
    "Center for Connected Health Policy (CCHP)",
    "Florida Statutes §456.47",
)


def source_items(markdown: str) -> list[str]:
    """The list items of the numbered list under the "Sources" heading, as sanitized HTML."""
    html = render_markdown(markdown)
    _, heading, after = html.partition("<h2>Sources</h2>")
    assert heading, "the article has no Sources heading"
    sources_list = after[: after.index("</ol>")]
    return re.findall(r"<li>(.*?)</li>", sources_list, flags=re.S)


def unlinked(markdown: str) -> list[str]:
    return [
        item for item in source_items(markdown) if not LINK.search(item) and not item.startswith(WITHOUT_IDENTIFIER)
    ]


@pytest.mark.django_db
def test_every_source_of_every_seeded_article_links_to_its_doi_or_pubmed_record():
    articles = list(Article.objects.published())
    assert len(articles) >= 12
    for article in articles:
        assert source_items(article.body_markdown), article.slug
        assert unlinked(article.body_markdown) == [], article.slug


def test_every_content_file_links_its_sources():
    for source in load_sources():
        assert unlinked(source.body) == [], source.slug


def test_a_source_without_a_link_is_caught():
    body = "Text [1].\n\n## Sources\n\n1. Someone et al. A journal, 2020.\n"
    assert unlinked(body) == ["Someone et al. A journal, 2020."]


@pytest.mark.django_db
def test_the_article_page_shows_the_source_as_a_safe_link(client):
    response = client.get("/learn/conditions-ldn-may-help/")
    content = response.content.decode()
    assert (
        '<a href="https://doi.org/10.1016/S2665-9913(23)00278-3" rel="noopener noreferrer">'
        "doi:10.1016/S2665-9913(23)00278-3</a>" in content
    )
    assert 'href="https://doi.org/10.3390/biomedicines11041087"' in content
