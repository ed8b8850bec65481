"""Each remittance keeps its number of claims (Remittance.claim_count), counted here from its
RemittanceClaim rows and stored by the import from now on: the list of remittances reads it
instead of counting every claim of the remittances it shows."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_claims(apps, schema_editor):
    Remittance = apps.get_model("billing", "Remittance")
    RemittanceClaim = apps.get_model("billing", "RemittanceClaim")
    claims = (
        RemittanceClaim.objects.filter(remittance=OuterRef("pk"))
        .order_by()
        .values("remittance")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Remittance.objects.update(claim_count=Coalesce(Subquery(claims), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0038_batch_denials"),
    ]

    operations = [
        migrations.AddField(
            model_name="remittance",
            name="claim_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_claims, migrations.RunPython.noop),
    ]
