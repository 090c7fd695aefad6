"""Money and dates on billing pages and documents: amounts are integer cents everywhere, dates in
frozen document content are ISO strings."""

from __future__ import annotations

import datetime as dt

from django import template

from patients.billing.selectors import current_prices

register = template.Library()


@register.filter
def dollars(cents) -> str:
    """1234 → "$12.34"; 123400 → "$1,234.00"; a negative amount (a refund) → "-$12.34";
    anything that is not a number → "" (never a made-up amount)."""
    if cents is None or cents == "" or isinstance(cents, bool):
        return ""
    try:
        cents = int(cents)
    except (TypeError, ValueError):
        return ""
    sign = "-" if cents < 0 else ""
    whole, remainder = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{remainder:02d}"


@register.filter
def isodate(value):
    """An ISO date string ("2026-03-02") as a date, for the ``date`` filter; dates pass through."""
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@register.simple_tag
def visit_prices():
    """The prices in force today, for pages outside this app (the landing page)."""
    return current_prices()
