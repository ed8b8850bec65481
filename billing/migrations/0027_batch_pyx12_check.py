from django.db import migrations, models
from django.db.models import F

# pyx12 moves from the export to a worker after it (billing.file_check). Every batch exported
# before this was read by pyx12 at its export, which froze it only when pyx12 passed it: they
# are marked checked then, so their 837P stays offered.


def checked_at_export(apps, schema_editor):
    ClaimBatch = apps.get_model("billing", "ClaimBatch")
    ClaimBatch.objects.filter(status="exported", pyx12_checked_at__isnull=True).update(
        pyx12_checked_at=F("exported_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0026_claimline_do_not_rebill_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimbatch",
            name="pyx12_checked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="claimbatch",
            name="pyx12_errors",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(checked_at_export, migrations.RunPython.noop),
    ]
