from django.db import migrations

# The payers of the three billing programs. Their payer IDs depend on the agency's
# clearinghouse, so they are left for the program admin to enter; exports say so until then.
PAYERS = [("Texas Medicaid", 95), ("Connecticut Medicaid", 365)]


def seed_payers(apps, schema_editor):
    Payer = apps.get_model("programs", "Payer")
    for name, days in PAYERS:
        Payer.objects.get_or_create(name=name, defaults={"timely_filing_days": days})


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_reference_data"), ("programs", "0003_requires_cosignature")]

    operations = [migrations.RunPython(seed_payers, migrations.RunPython.noop)]
