from django.db import migrations, models

# The receiver (ISA08, GS03, loop 1000B) and the usage indicator (ISA15) move from the agency's
# billing identity to each payer: a Connecticut batch must not go to the Texas receiver. Existing
# payers get the values the identity had, so every export goes where it went before until a
# program admin gives each payer its own under Payers in the admin.


def copy_to_payers(apps, schema_editor):
    BillingIdentity = apps.get_model("billing", "BillingIdentity")
    Payer = apps.get_model("programs", "Payer")
    identity = BillingIdentity.objects.order_by("pk").first()
    if identity is None:
        return
    Payer.objects.filter(receiver_id="").update(
        receiver_id=identity.receiver_id, receiver_name=identity.receiver_name, usage=identity.usage
    )


def copy_back_to_identity(apps, schema_editor):
    BillingIdentity = apps.get_model("billing", "BillingIdentity")
    Payer = apps.get_model("programs", "Payer")
    payer = Payer.objects.exclude(receiver_id="").order_by("pk").first()
    if payer is not None:
        BillingIdentity.objects.update(
            receiver_id=payer.receiver_id, receiver_name=payer.receiver_name, usage=payer.usage
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_batch_export_errors"),
        ("programs", "0005_payer_routing"),
    ]

    operations = [
        migrations.RunPython(copy_to_payers, copy_back_to_identity),
        # Defaults only so that migrating back can add the columns to existing rows.
        migrations.AlterField(
            model_name="billingidentity", name="receiver_id", field=models.CharField(max_length=15, default="")
        ),
        migrations.AlterField(
            model_name="billingidentity", name="receiver_name", field=models.CharField(max_length=60, default="")
        ),
        migrations.RemoveField(model_name="billingidentity", name="receiver_id"),
        migrations.RemoveField(model_name="billingidentity", name="receiver_name"),
        migrations.RemoveField(model_name="billingidentity", name="usage"),
    ]
