"""Keep the cached library lists (education/selectors.py) in step with the admin's edits."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from education.models import Article, Category
from education.selectors import library_cache_clear


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(m2m_changed, sender=Article.related.through)
def clear_library_cache(**kwargs) -> None:
    # Now, and again once the edit is committed: a page read between the two would otherwise put
    # the old list back in the cache for its whole lifetime.
    library_cache_clear()
    transaction.on_commit(library_cache_clear)
