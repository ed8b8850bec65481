import datetime
from decimal import Decimal

from django.db import migrations

# Reference data as it stood when this migration was written (demo rates per 15 minutes).
# billing program, kind, modifiers, rounding, daily cap, rolling cap (units, days), min age,
# needs authorization, rate
CODES = [
    ("tx_1915i_amh", "individual", "HE", "whole_units", 16, (104, 183), 21, False, "24.36"),
    ("tx_1915i_amh", "group", "HE,HQ", "whole_units", 16, (104, 183), 21, False, "5.00"),
    ("tx_yes", "individual", "HA", "whole_units", 16, (104, 183), None, True, "6.50"),
    ("tx_yes", "group", "HA,HQ", "whole_units", 16, (104, 183), None, True, "2.00"),
    ("ct_1915c_mhw", "individual", "HE", "partial_from_n", 24, None, 18, True, "15.00"),
    ("ct_1915c_mhw", "group", "HE,HQ", "partial_from_n", 24, None, 18, True, "3.50"),
]

REFERENCE_MODELS = ["servicecode", "rate", "authorization", "fundingsource", "billingidentity"]


def create_sequence(apps, schema_editor):
    # Interchange control numbers come from a database sequence: never reused, never raced.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS billing_interchange_control_number START 1")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS billing_interchange_control_number")


def seed_codes(apps, schema_editor):
    ServiceCode = apps.get_model("billing", "ServiceCode")
    Rate = apps.get_model("billing", "Rate")
    for program, kind, modifiers, rounding, daily, rolling, age, auth, rate in CODES:
        code, created = ServiceCode.objects.get_or_create(
            billing_program=program,
            kind=kind,
            is_active=True,
            defaults={
                "description": f"Peer support, {kind}, per 15 minutes",
                "hcpcs": "H0038",
                "modifiers": modifiers,
                "rounding": rounding,
                "daily_unit_cap": daily,
                "rolling_cap_units": rolling[0] if rolling else None,
                "rolling_cap_days": rolling[1] if rolling else None,
                "minimum_age": age,
                "requires_authorization": auth,
                "requires_certified_peer": True,
            },
        )
        if created:
            Rate.objects.create(service_code=code, rate_per_unit=Decimal(rate), effective_from=datetime.date(2024, 1, 1))


def grant_program_admins(apps, schema_editor):
    """Program admins keep the reference data in the Django admin: add, change, view."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Program admin")
    wanted = [("billing", m) for m in REFERENCE_MODELS] + [("programs", "payer"), ("programs", "agency")]
    for app_label, model in wanted:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__regex=r"^(add|change|view)_",
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("programs", "0003_requires_cosignature"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_sequence, drop_sequence),
        migrations.RunPython(seed_codes, migrations.RunPython.noop),
        migrations.RunPython(grant_program_admins, migrations.RunPython.noop),
    ]
