"""Trigram indexes for the clinic's patient search on PostgreSQL. The search matches any part of a
name or email, case-insensitively (Django's ``icontains``, which PostgreSQL runs as
``UPPER(column) LIKE UPPER('%word%')``); a B-tree index cannot serve a pattern with a leading
wildcard, a trigram GIN index on ``UPPER(column)`` can. SQLite has no such index and keeps
scanning, which is fine at development sizes."""

from django.db import migrations

INDEXES = [
    ("patient_legal_first_trgm", "patients_patient", "legal_first_name"),
    ("patient_legal_last_trgm", "patients_patient", "legal_last_name"),
    ("user_first_name_trgm", "portal_user", "first_name"),
    ("user_last_name_trgm", "portal_user", "last_name"),
    ("user_email_trgm", "portal_user", "email"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0005_appointment_cancellation_note"),
        ("portal", "0005_access_log_lists_and_refusals"),
    ]

    operations = [migrations.RunPython(create, drop)]
