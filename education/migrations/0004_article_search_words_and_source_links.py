"""Search words for articles, set on the launch articles from education/content/, and a link for
every published source of the launch content (its DOI at https://doi.org/). An article whose
source lines an editor has already changed keeps them: only the exact launch lines are replaced."""

from django.db import migrations, models

from education.content_loader import load_sources


def doi_link(doi: str) -> str:
    return f"[doi:{doi}](https://doi.org/{doi})"


YOUNGER_2014 = (
    "Younger J, Parkitny L, McLain D. The use of low-dose naltrexone (LDN) as a novel anti-inflammatory "
    "treatment for chronic pain. Clinical Rheumatology, 2014."
)
MCKENZIE_BROWN_2023 = (
    "McKenzie-Brown et al. Journal of Pain Research, 2023 (single-institution review of patients prescribed "
    "LDN for chronic pain)."
)
YOUNGER_2013 = (
    "Younger et al. Arthritis & Rheumatism, 2013 (randomized, placebo-controlled crossover trial in fibromyalgia)."
)
BESTED_2023 = "Bested et al. Pain Reports, 2023 (randomized, placebo-controlled trial in fibromyalgia)."
BRUUN_2024 = "Bruun et al. The Lancet Rheumatology, 2024 (randomized, placebo-controlled trial in fibromyalgia)."
VATVANI_2024 = (
    "Vatvani et al. Korean Journal of Pain, 2024 (systematic review and meta-analysis of randomized trials in "
    "fibromyalgia)."
)
DRIVER_2023 = (
    "Driver & D'Souza. Biomedicines, 2023 (Mayo Clinic case series of LDN for chronic pain). "
    "doi:10.3390/biomedicines11041087"
)
KREBS_2009 = "Krebs et al. Journal of General Internal Medicine, 2009 (development of the PEG three-item pain scale)."
DWORKIN_2008 = (
    "Dworkin et al. Interpreting the clinical importance of treatment outcomes in chronic pain clinical trials: "
    "IMMPACT recommendations. Journal of Pain, 2008."
)
CDC_NHIS_2021 = (
    "Centers for Disease Control and Prevention (CDC), National Health Interview Survey (NHIS), 2021 data on "
    "chronic pain in US adults."
)

# (the launch line, the same line with its link). Each old line is matched with its line break, so
# running the replacement again finds nothing to change.
SOURCE_LINES = [
    (YOUNGER_2014, f"{YOUNGER_2014} {doi_link('10.1007/s10067-014-2517-2')}"),
    (MCKENZIE_BROWN_2023, f"{MCKENZIE_BROWN_2023} {doi_link('10.2147/JPR.S389957')}"),
    (YOUNGER_2013, f"{YOUNGER_2013} {doi_link('10.1002/art.37734')}"),
    (BESTED_2023, f"{BESTED_2023} {doi_link('10.1097/PR9.0000000000001080')}"),
    (BRUUN_2024, f"{BRUUN_2024} {doi_link('10.1016/S2665-9913(23)00278-3')}"),
    (VATVANI_2024, f"{VATVANI_2024} {doi_link('10.3344/kjp.24202')}"),
    (
        DRIVER_2023,
        "Driver & D'Souza. Biomedicines, 2023 (Mayo Clinic case series of LDN for chronic pain). "
        + doi_link("10.3390/biomedicines11041087"),
    ),
    (KREBS_2009, f"{KREBS_2009} {doi_link('10.1007/s11606-009-0981-1')}"),
    (DWORKIN_2008, f"{DWORKIN_2008} {doi_link('10.1016/j.jpain.2007.09.005')}"),
    (
        CDC_NHIS_2021,
        "Centers for Disease Control and Prevention (CDC), National Health Interview Survey (NHIS), 2021 data on "
        "chronic pain in US adults, as reported in Rikard et al., Chronic pain among adults, United States, "
        f"2019-2021. MMWR, 2023. {doi_link('10.15585/mmwr.mm7215a1')}",
    ),
]


def link_sources(text: str) -> str:
    for old, new in SOURCE_LINES:
        text = text.replace(f"{old}\n", f"{new}\n")
    return text


def set_search_words_and_links(apps, schema_editor):
    Article = apps.get_model("education", "Article")
    keywords = {source.slug: source.keywords for source in load_sources()}
    for article in Article.objects.all():
        changed = []
        body = link_sources(article.body_markdown)
        if body != article.body_markdown:
            article.body_markdown = body
            changed.append("body_markdown")
        if not article.keywords and keywords.get(article.slug):
            article.keywords = keywords[article.slug]
            changed.append("keywords")
        if changed:
            article.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("education", "0003_served_states_from_the_data")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Other words patients use for this topic, separated by spaces or commas (for example: price pay "
                    "money). Search weighs them like the summary; they are never shown on the page."
                ),
                max_length=255,
                verbose_name="search words",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Other words patients use for this topic, separated by spaces or commas (for example: price pay "
                    "money). Search weighs them like the summary; they are never shown on the page."
                ),
                max_length=255,
                verbose_name="search words",
            ),
        ),
        migrations.RunPython(set_search_words_and_links, migrations.RunPython.noop),
    ]
