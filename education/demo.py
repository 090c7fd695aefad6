"""Demo data for the library: the launch articles, reviewed by the demo physician Dr. Chen.

The data migration loads the articles; this only repairs what a demo user may have deleted and
names a reviewer, so running it again changes nothing."""

from __future__ import annotations

import datetime as dt

from education.content_loader import load_articles, load_sources
from education.models import Article, Category
from portal.demo import demo_email
from portal.models import User

REVIEWER_LOCAL_PART = "dr.chen"


def seed(today: dt.date) -> dict:
    created = load_articles(category_model=Category, article_model=Article, sources=load_sources(), only_missing=True)
    reviewer = User.objects.filter(email=demo_email(REVIEWER_LOCAL_PART), role=User.Role.PHYSICIAN).first()
    reviewed = 0
    if reviewer is not None:
        # One save per article (not a queryset update) so that the change history shows it.
        for article in Article.objects.published().filter(reviewed_by__isnull=True):
            article.reviewed_by = reviewer
            article.save(update_fields=["reviewed_by", "updated_at"])
            reviewed += 1
    return {"articles_created": created, "articles_reviewed": reviewed}
