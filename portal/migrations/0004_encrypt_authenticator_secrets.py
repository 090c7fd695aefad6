"""Encrypts the TOTP secrets and recovery-code seeds stored in clear before the portal's MFA
adapter encrypted them (portal/mfa.py). Rows already encrypted are left as they are."""

from django.db import migrations

from portal.crypto import encrypt_secret, is_encrypted


def encrypt_existing(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all().iterator():
        data = dict(authenticator.data or {})
        changed = False
        for key in ("secret", "seed"):
            value = data.get(key)
            if isinstance(value, str) and not is_encrypted(value):
                data[key] = encrypt_secret(value)
                changed = True
        codes = data.get("migrated_codes")
        if isinstance(codes, list) and any(not is_encrypted(code) for code in codes):
            data["migrated_codes"] = [code if is_encrypted(code) else encrypt_secret(code) for code in codes]
            changed = True
        if changed:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_reminders"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_existing, migrations.RunPython.noop)]
