"""Panels other apps' templates may show without importing education in Python (docs/architecture.md "Apps and
layers")."""

from __future__ import annotations

from django import template

from education.selectors import articles_for_phase

register = template.Library()


@register.inclusion_tag("education/partials/suggested_reading.html")
def suggested_reading(phase, limit: int = 3) -> dict:
    """``{% suggested_reading phase %}``: a list of links to a few published articles for a treatment
    phase, given as its stored value (``before-first-visit``, ``titration`` or ``stable``); the page
    around it gives the heading and the link to the whole library."""
    return {"articles": articles_for_phase(str(phase or ""), limit=limit)}
