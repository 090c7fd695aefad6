"""Loads the nine categories and every article in education/content/ as published, reviewed on
the launch review date. The files are read when the migration runs (education.content_loader);
the demo seed sets the reviewing physician, who does not exist on a fresh database."""

from django.db import migrations

from education.content_loader import CONTENT_REVIEWED_ON, load_articles, load_sources, unload_articles


def load_content(apps, schema_editor):
    load_articles(
        category_model=apps.get_model("education", "Category"),
        article_model=apps.get_model("education", "Article"),
        sources=load_sources(),
        reviewed_on=CONTENT_REVIEWED_ON,
    )


def unload_content(apps, schema_editor):
    unload_articles(
        category_model=apps.get_model("education", "Category"),
        article_model=apps.get_model("education", "Article"),
        sources=load_sources(),
    )


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]

    operations = [migrations.RunPython(load_content, unload_content)]
