"""The education library: categories and physician-reviewed articles (docs/domain.md "Education")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from portal.models import User


class Phase(models.TextChoices):
    """Treatment phases an article suits; the patient dashboard passes one in as a plain string."""

    BEFORE_FIRST_VISIT = "before-first-visit", "Before the first visit"
    TITRATION = "titration", "Titration"
    STABLE = "stable", "Stable dose"


def validate_phases(value: str) -> None:
    items = value.split(",") if value else []
    if any(item not in Phase.values for item in items) or len(set(items)) != len(items):
        raise ValidationError(
            "List each phase once, separated by commas without spaces, from: %(choices)s.",
            params={"choices": ", ".join(Phase.values)},
        )


def review_cutoff(today: dt.date) -> dt.date:
    """The same calendar day a year before ``today`` (28 February stands in for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first on the library page.")

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.PUBLISHED)

    def for_phase(self, phase: str) -> ArticleQuerySet:
        """Articles whose comma-separated ``phases`` contain exactly ``phase`` (not a substring of
        another value)."""
        return self.filter(
            Q(phases=phase)
            | Q(phases__startswith=f"{phase},")
            | Q(phases__endswith=f",{phase}")
            | Q(phases__contains=f",{phase},")
        )

    def stale_on(self, today: dt.date) -> ArticleQuerySet:
        """The queryset twin of ``Article.is_stale``."""
        return self.filter(Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=review_cutoff(today)))


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, help_text="The last part of the article's address.")
    summary = models.CharField(
        max_length=280, help_text="One or two sentences, shown under the title and to search engines."
    )
    body_markdown = models.TextField(
        "body", help_text="Markdown. Raw HTML is removed when the article is shown; cite a source for every number."
    )
    keywords = models.CharField(
        "search words",
        max_length=255,
        blank=True,
        help_text=(
            "Other words patients use for this topic, separated by spaces or commas (for example: price pay money). "
            "Search weighs them like the summary; they are never shown on the page."
        ),
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    phases = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_phases],
        help_text="Treatment phases this article suits, for suggested reading.",
    )
    related = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_articles",
        limit_choices_to={"role": User.Role.PHYSICIAN},
        help_text="The physician who checked the article's medical content.",
    )
    reviewed_on = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Position within its category.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.reviewed_by_id and self.reviewed_by.role != User.Role.PHYSICIAN:
            raise ValidationError({"reviewed_by": "Only a physician can review an article."})

    @property
    def phase_list(self) -> list[str]:
        return [item for item in self.phases.split(",") if item]

    def is_stale(self, today: dt.date) -> bool:
        """Due for another medical review: never reviewed, or last reviewed over 12 months ago."""
        return self.reviewed_on is None or self.reviewed_on < review_cutoff(today)
