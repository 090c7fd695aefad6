"""Markdown is rendered, then sanitized: nothing hostile an editor types reaches a public page."""

import pytest

from education.rendering import render_article_body, render_markdown

HOSTILE = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">raw link</a>',
    "<a href='JaVaScRiPt:alert(1)'>mixed case</a>",
    '<a href="&#106;avascript:alert(1)">entity encoded</a>',
    '<p onclick="alert(1)">handler on an allowed tag</p>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data url</a>',
    "![pixel](https://tracker.example/pixel.gif)",
    '<form action="https://evil.example/"><input name="password"></form>',
    "<style>body { display: none }</style>",
    "<object data='evil.swf'></object><embed src='evil.swf'>",
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_never_reaches_the_output(markdown):
    html = render_markdown(f"Before.\n\n{markdown}\n\nAfter.").lower()
    for forbidden in (
        "<script",
        "alert('xss')",
        "onerror",
        "onclick",
        "onload",
        "<iframe",
        "<img",
        "<svg",
        "<style",
        "<form",
        "<input",
        "<object",
        "<embed",
        'href="javascript:',
        'href="data:',
    ):
        assert forbidden not in html, f"{forbidden!r} survived in {html!r}"
    assert "before." in html and "after." in html


def test_script_content_is_removed_with_the_tag():
    assert "alert" not in render_markdown("<script>alert(1)</script>")


def test_ordinary_markdown_renders():
    html = render_markdown("## Dosing\n\nTake **4.5 mg** at *bedtime*.\n\n- one\n- two\n\n> quoted\n\n`code`\n\n---\n")
    assert "<h2>Dosing</h2>" in html
    assert "<strong>4.5 mg</strong>" in html
    assert "<em>bedtime</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<blockquote>" in html
    assert "<code>code</code>" in html
    assert "<hr" in html


def test_tables_render():
    html = render_markdown("| dose | days |\n| ---: | --- |\n| 1.5 mg | 7 |\n")
    assert "<table>" in html and "<th>dose</th>" in html and "<td>1.5 mg</td>" in html
    assert "style=" not in html


def test_links_keep_safe_schemes_and_get_rel_noopener():
    html = render_markdown(
        '[source](https://pubmed.ncbi.nlm.nih.gov/1/ "PubMed") [mail](mailto:care@ldncare.example) [ftp](ftp://x.example/)'
    )
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1/"' in html
    assert 'title="PubMed"' in html
    assert 'href="mailto:care@ldncare.example"' in html
    assert "ftp:" not in html  # the link text stays, the disallowed address goes
    assert html.count("<a ") == html.count('rel="noopener noreferrer"') == 3


def test_links_between_articles_are_kept():
    assert 'href="/learn/side-effects/"' in render_markdown("[side effects](/learn/side-effects/)")


def test_a_level_one_heading_in_the_body_becomes_level_two():
    html = render_markdown("# Not the page title\n\ntext")
    assert "<h1" not in html
    assert "<h2>Not the page title</h2>" in html


def test_empty_body_renders_empty():
    assert render_markdown("") == ""


def test_article_bodies_are_remembered_by_their_text_so_an_edit_shows_at_once():
    render_article_body.cache_clear()
    first = render_article_body("Take **1.5 mg** at bedtime.")
    assert render_article_body("Take **1.5 mg** at bedtime.") == first
    assert render_article_body.cache_info().hits == 1
    edited = render_article_body("Take **3 mg** at bedtime.")
    assert "<strong>3 mg</strong>" in edited
    assert render_article_body("<script>alert(1)</script>") == render_markdown("<script>alert(1)</script>")
