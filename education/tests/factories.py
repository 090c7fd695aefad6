import datetime as dt

import factory

from education.models import Article, Category


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"test-category-{n}")
    name = factory.Sequence(lambda n: f"Test category {n}")
    order = factory.Sequence(lambda n: 100 + n)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Test article number {n}")
    slug = factory.Sequence(lambda n: f"test-article-{n}")
    summary = "A short summary for a test article."
    body_markdown = "## A heading\n\nA paragraph of body text.\n"
    category = factory.SubFactory(CategoryFactory)
    status = Article.Status.PUBLISHED
    reviewed_on = dt.date(2026, 11, 1)

    @factory.post_generation
    def related(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.related.set(extracted)
