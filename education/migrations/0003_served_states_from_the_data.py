"""The two articles that listed the served states by hand now name them through placeholders that
the page fills from the service states (education.rendering.with_served_states)."""

from django.db import migrations

REPLACEMENTS = {
    "states-we-serve": [
        ("- Iowa\n- Illinois\n- Missouri\n- Florida\n- Georgia\n- Texas\n", "{served_states_list}\n"),
    ],
    "ldn-faq": [
        (
            "We currently serve Iowa, Illinois, Missouri, Florida, Georgia and Texas [1].",
            "We currently serve {served_states} [1].",
        ),
    ],
}
OLD_SUMMARY = "We currently care for patients in Iowa, Illinois, Missouri, Florida, Georgia and Texas. Learn why"
NEW_SUMMARY = "Which states we care for patients in today. Learn why"


def use_placeholders(apps, schema_editor):
    Article = apps.get_model("education", "Article")
    for slug, pairs in REPLACEMENTS.items():
        for article in Article.objects.filter(slug=slug):
            body = article.body_markdown
            for old, new in pairs:
                body = body.replace(old, new)
            article.body_markdown = body
            article.summary = article.summary.replace(OLD_SUMMARY, NEW_SUMMARY)
            article.save(update_fields=["body_markdown", "summary"])


class Migration(migrations.Migration):
    dependencies = [("education", "0002_load_launch_content")]

    operations = [migrations.RunPython(use_placeholders, migrations.RunPython.noop)]
