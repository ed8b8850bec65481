from django.db import migrations

# Filing limits for a first claim, counted from the date of service:
# - Texas Medicaid: 95 days (1 TAC 354.1003; TMPPM 6.1.4). Appeals and adjustments have 120
#   days from the Remittance and Status report, and payment stops at 24 months (TMPPM 6.1.5,
#   7.1): those are not first-claim limits.
# - Connecticut Medicaid: 12 months, taken as 365 days (Conn. Agencies Regs. 17b-262-529;
#   its exceptions for retroactive eligibility and third-party payers are not applied here,
#   so a late claim is held rather than sent).
# Migration 0004 only created missing payers; this one corrects rows that already exist.
FILING_LIMITS = {"Texas Medicaid": 95, "Connecticut Medicaid": 365}


def set_filing_limits(apps, schema_editor):
    Payer = apps.get_model("programs", "Payer")
    for name, days in FILING_LIMITS.items():
        Payer.objects.filter(name=name).update(timely_filing_days=days)


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_seed_payers")]

    operations = [migrations.RunPython(set_filing_limits, migrations.RunPython.noop)]
