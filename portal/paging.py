"""Paging for long, growing lists where counting every row on each view would cost more than the
page itself (the pharmacy's queues): a page knows whether a next one exists by reading one row
more than it shows, and never counts the whole list."""

from __future__ import annotations

from dataclasses import dataclass

# A page number past this is read as this one (an empty page), so no offset overflows the database.
MAX_PAGE = 100_000


@dataclass
class OpenEndedPage:
    """Quacks like Django's ``Page`` for ``partials/pagination.html``, without a total."""

    object_list: list
    number: int
    has_next: bool
    paginator = None  # no page count: the template then writes "Page N" alone

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def open_ended_page(queryset, number, per_page: int) -> OpenEndedPage:
    """Page ``number`` (1 for anything that is not a positive whole number) of an ordered
    ``queryset``; past the end, an empty page that still links back."""
    try:
        number = min(max(1, int(number)), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return OpenEndedPage(rows[:per_page], number, has_next=len(rows) > per_page)
