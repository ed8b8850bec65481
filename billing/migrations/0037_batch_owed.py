"""Each batch keeps what payers still owe on it (ClaimBatch.owed, kept by billing.owed), summed
here from its live lines; accounts receivable's aging reads it instead of every open line joined
to its claim, so the index and the statistics that served that join go."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

MONEY = models.DecimalField(max_digits=14, decimal_places=2)


# Accounts receivable read the open lines through these; it reads the batches now.
STATISTICS = "claimline_owed_stats"
CREATE_STATISTICS = (
    f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} ON ((((charge - paid) - adjusted) - written_off)) "
    "FROM billing_claimline"
)


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_STATISTICS)


def sum_owed(apps, schema_editor):
    """Every batch's owed from its live lines, as billing.owed.refresh_all does: one UPDATE."""
    ClaimBatch = apps.get_model("billing", "ClaimBatch")
    ClaimLine = apps.get_model("billing", "ClaimLine")
    lines = (
        ClaimLine.objects.filter(claim__batch=OuterRef("pk"), voided=False)
        .order_by()
        .values("claim__batch")
        .annotate(total=Sum(F("charge") - F("paid") - F("adjusted") - F("written_off"), output_field=MONEY))
        .values("total")
    )
    ClaimBatch.objects.update(owed=Coalesce(Subquery(lines, output_field=MONEY), Value(Decimal(0), output_field=MONEY)))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0036_remittance_claim_page_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimbatch",
            name="owed",
            field=models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14),
        ),
        migrations.RunPython(sum_owed, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="claimline", name="claimline_owed_idx"),
        migrations.RunPython(drop_statistics, create_statistics),
    ]
