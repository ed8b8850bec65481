"""Each batch keeps what is still denied on it by reason (BatchDenial, kept by billing.owed),
summed here from its live lines; the denial queue's counts by reason add these rows up instead
of reading every denied line."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, F, Sum
from django.db.models.functions import Least

MONEY = models.DecimalField(max_digits=12, decimal_places=2)


def sum_denials(apps, schema_editor):
    """Every batch's open denied money by reason, as billing.owed.refresh_all does."""
    BatchDenial = apps.get_model("billing", "BatchDenial")
    ClaimLine = apps.get_model("billing", "ClaimLine")
    owed = F("charge") - F("paid") - F("adjusted") - F("written_off")
    rows = (
        ClaimLine.objects.filter(voided=False)
        .annotate(open_denied=models.ExpressionWrapper(Least(F("denied") - F("written_off"), owed), output_field=MONEY))
        .filter(open_denied__gt=0)
        .order_by()
        .values(batch=F("claim__batch"), reason=F("denial_reason"))
        .annotate(count=Count("pk"), total=Sum("open_denied"))
    )
    BatchDenial.objects.bulk_create(
        BatchDenial(batch_id=r["batch"], reason=r["reason"], lines=r["count"], amount=r["total"]) for r in rows
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0037_batch_owed"),
    ]

    operations = [
        migrations.CreateModel(
            name="BatchDenial",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.CharField(blank=True, max_length=8)),
                ("lines", models.PositiveIntegerField()),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="denials", to="billing.claimbatch"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("batch", "reason"), name="batch_denial_once")],
            },
        ),
        migrations.RunPython(sum_denials, migrations.RunPython.noop),
    ]
