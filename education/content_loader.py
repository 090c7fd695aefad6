"""The library's starting content: Markdown files with a front matter block in ``content/``.

Front matter is a handful of ``key: value`` lines between two ``---`` lines, so it is parsed here
rather than with a YAML library. The data migration, the demo seed and the tests all read the files
through this module; the loading helpers take model classes as arguments so that a migration can
pass its historical models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"

# The date the physicians signed off the launch content; the seed sets who reviewed it.
CONTENT_REVIEWED_ON = dt.date(2026, 11, 1)

# Stored values shared with ``Article.Status``; spelled out so that migrations need no model import.
PUBLISHED = "published"

# (slug, name, description, order)
CATEGORIES: list[tuple[str, str, str, int]] = [
    ("how-ldn-works", "How LDN works", "What low-dose naltrexone is and what scientists think it does.", 1),
    ("conditions", "Conditions", "Which kinds of chronic pain LDN has been studied in, and what the studies found.", 2),
    (
        "starting-and-dosing",
        "Starting and dosing",
        "How treatment starts, how the dose is raised and when to take it.",
        3,
    ),
    (
        "what-to-expect",
        "What to expect",
        "How long LDN takes, how we measure progress and what happens if it does not help.",
        4,
    ),
    ("side-effects", "Side effects", "Common side effects, simple fixes and when to contact us.", 5),
    ("safety", "Safety and contraindications", "Medicines and conditions that do not mix with LDN.", 6),
    ("cost-and-access", "Cost and access", "Compounding pharmacies, cost, insurance and delivery.", 7),
    (
        "telemedicine-and-states",
        "Telemedicine and our licensed states",
        "Where we can treat you and why the state you are in during a visit matters.",
        8,
    ),
    ("faq", "FAQ", "Short answers to the questions patients ask most.", 9),
]

REQUIRED_KEYS = {"title", "slug", "category", "summary"}
OPTIONAL_KEYS = {"phases", "related", "order", "keywords"}


class ContentError(ValueError):
    """A content file that cannot be loaded; the message names the file and the problem."""


@dataclass(frozen=True)
class ArticleSource:
    title: str
    slug: str
    category: str
    summary: str
    phases: tuple[str, ...]
    related: tuple[str, ...]
    order: int
    body: str
    keywords: str = ""

    @property
    def phases_value(self) -> str:
        """The form ``Article.phases`` stores: comma-separated, no spaces."""
        return ",".join(self.phases)


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def parse_article(text: str, *, source: str = "<text>") -> ArticleSource:
    """Parse one content file: front matter between ``---`` lines, then the Markdown body."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(f"{source}: the file must start with a '---' front matter line.")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ContentError(f"{source}: the front matter has no closing '---' line.") from None

    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key:
            raise ContentError(f"{source}, line {number}: expected 'key: value', got {line!r}.")
        if key not in REQUIRED_KEYS | OPTIONAL_KEYS:
            raise ContentError(f"{source}, line {number}: unknown front matter key {key!r}.")
        if key in meta:
            raise ContentError(f"{source}, line {number}: {key!r} is given twice.")
        meta[key] = value.strip()

    missing = sorted(key for key in REQUIRED_KEYS if not meta.get(key))
    if missing:
        raise ContentError(f"{source}: front matter is missing {', '.join(missing)}.")
    try:
        order = int(meta.get("order") or 0)
    except ValueError:
        raise ContentError(f"{source}: 'order' must be a whole number, got {meta['order']!r}.") from None

    body = "\n".join(lines[end + 1 :]).strip("\n") + "\n"
    return ArticleSource(
        title=meta["title"],
        slug=meta["slug"],
        category=meta["category"],
        summary=meta["summary"],
        phases=_split_list(meta.get("phases", "")),
        related=_split_list(meta.get("related", "")),
        order=order,
        body=body,
        keywords=meta.get("keywords", ""),
    )


def load_sources(directory: Path = CONTENT_DIR) -> list[ArticleSource]:
    """Every ``*.md`` file in ``directory``, parsed, in file-name order."""
    sources = [
        parse_article(path.read_text(encoding="utf-8"), source=path.name) for path in sorted(directory.glob("*.md"))
    ]
    slugs = [s.slug for s in sources]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise ContentError(f"More than one content file uses the slug {', '.join(duplicates)}.")
    return sources


def ensure_categories(category_model) -> dict[str, object]:
    """Create the nine launch categories that are missing; return every category by slug."""
    for slug, name, description, order in CATEGORIES:
        category_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    return {category.slug: category for category in category_model.objects.all()}


def load_articles(
    *,
    category_model,
    article_model,
    sources: Iterable[ArticleSource],
    reviewed_on: dt.date = CONTENT_REVIEWED_ON,
    only_missing: bool = False,
) -> list[str]:
    """Create (or, unless ``only_missing``, refresh) a published article per source, then link
    related articles. Returns the slugs of the articles created.

    With ``only_missing`` an article that already exists is left exactly as an editor left it;
    only links from or to the articles just created are added, so a second run changes nothing.
    """
    sources = list(sources)
    categories = ensure_categories(category_model)
    unknown = sorted({s.category for s in sources} - set(categories))
    if unknown:
        raise ContentError(f"Unknown category slug(s) in content: {', '.join(unknown)}.")

    # Migrations older than the search words pass a historical model without that field.
    has_keywords = any(field.name == "keywords" for field in article_model._meta.get_fields())
    existing = set(article_model.objects.filter(slug__in=[s.slug for s in sources]).values_list("slug", flat=True))
    created: list[str] = []
    for source in sources:
        if only_missing and source.slug in existing:
            continue
        fields = {
            "title": source.title,
            "summary": source.summary,
            "body_markdown": source.body,
            "category": categories[source.category],
            "phases": source.phases_value,
            "order": source.order,
            "status": PUBLISHED,
            "reviewed_on": reviewed_on,
        }
        if has_keywords:
            fields["keywords"] = source.keywords
        _, was_created = article_model.objects.update_or_create(slug=source.slug, defaults=fields)
        if was_created:
            created.append(source.slug)

    wanted = {s.slug for s in sources} | {slug for s in sources for slug in s.related}
    by_slug = {article.slug: article for article in article_model.objects.filter(slug__in=wanted)}
    touched = set(created) if only_missing else {s.slug for s in sources}
    for source in sources:
        missing = [slug for slug in source.related if slug not in by_slug]
        if missing:
            raise ContentError(f"{source.slug}: related article(s) {', '.join(missing)} do not exist.")
        links = [by_slug[slug] for slug in source.related if source.slug in touched or slug in touched]
        if links:
            by_slug[source.slug].related.add(*links)
    return created


def unload_articles(*, category_model, article_model, sources: Iterable[ArticleSource]) -> None:
    """Undo :func:`load_articles`: remove the content articles, then any launch category left empty."""
    article_model.objects.filter(slug__in=[s.slug for s in sources]).delete()
    category_model.objects.filter(slug__in=[slug for slug, *_ in CATEGORIES], articles__isnull=True).delete()
