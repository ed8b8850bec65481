from django.db import migrations

# The payers of the three billing programs (Payer is programs' reference data, left of both
# participants and billing). Their payer IDs depend on the agency's clearinghouse, so they are
# left for the program admin to enter; exports say so until then. Until this migration the
# billing app seeded them (its 0003, now removed); get_or_create keeps a database that ran it
# as it is.
PAYERS = [("Texas Medicaid", 95), ("Connecticut Medicaid", 365)]


def seed_payers(apps, schema_editor):
    Payer = apps.get_model("programs", "Payer")
    for name, days in PAYERS:
        Payer.objects.get_or_create(name=name, defaults={"timely_filing_days": days})


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_requires_cosignature")]

    operations = [migrations.RunPython(seed_payers, migrations.RunPython.noop)]
