"""Writes to the education library."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from education.models import Article


@transaction.atomic
def article_set_status(*, article: Article, status: str) -> bool:
    """Publish or unpublish one article; returns whether anything changed. Saved one by one (not a
    queryset update) so that the change history records who did it."""
    if status not in Article.Status.values:
        raise ValidationError(f"An article is either draft or published, not {status!r}.")
    if article.status == status:
        return False
    article.status = status
    article.save(update_fields=["status", "updated_at"])
    return True
