"""Markdown to safe HTML for articles: markdown-it-py renders, nh3 sanitizes.

Article bodies are written by staff in the admin, but a compromised or careless account must not
be able to put script on a public page, so everything markdown-it produces (including raw HTML,
which CommonMark passes through) goes through an allow-list before it reaches a template.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    *("h2", "h3", "h4", "h5", "h6"),
    *("p", "br", "hr", "blockquote"),
    *("ul", "ol", "li"),
    *("em", "strong", "code", "pre"),
    "a",
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# These tags go together with everything inside them, not just the tag itself.
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}

_markdown = MarkdownIt("commonmark").enable("table")
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=REMOVED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML. The page title is the page's only ``h1``, so a ``#``
    heading in the body becomes an ``h2``."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return _cleaner.clean(html)


@lru_cache(maxsize=128)
def render_article_body(text: str) -> str:
    """``render_markdown`` for published pages, remembered per body text: the library is small and
    public, and the key is the text itself, so an edited article is rendered afresh."""
    return render_markdown(text)


# Articles name the states the practice serves through these placeholders, filled from the data
# when the page is shown, so the text never disagrees with who can sign up (docs/domain.md).
SERVED_STATES, SERVED_STATES_LIST = "{served_states}", "{served_states_list}"


def with_served_states(text: str, state_names: list[str]) -> str:
    """``text`` with the placeholders replaced: "Iowa, Illinois and Texas", and a Markdown list."""
    if len(state_names) > 1:
        sentence = ", ".join(state_names[:-1]) + " and " + state_names[-1]
    else:
        sentence = "".join(state_names) or "no state yet"
    bullets = "\n".join(f"- {name}" for name in state_names) or "- none yet"
    return text.replace(SERVED_STATES_LIST, bullets).replace(SERVED_STATES, sentence)
