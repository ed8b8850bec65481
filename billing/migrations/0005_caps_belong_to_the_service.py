from django.db import migrations, models


def name_the_service(apps, schema_editor):
    # Every code seeded so far is peer support (H0038), individual or group: one service per
    # billing program, so its two codes share caps and authorizations.
    ServiceCode = apps.get_model("billing", "ServiceCode")
    ServiceCode.objects.filter(hcpcs="H0038", service="").update(service="peer_support")
    for code in ServiceCode.objects.filter(service=""):
        code.service = code.hcpcs.lower()
        code.save(update_fields=["service"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_claimline_note_in_notes_app")]

    operations = [
        migrations.AddField(
            model_name="servicecode",
            name="service",
            field=models.SlugField(
                default="",
                help_text="Codes of one billing program with the same service share its caps and authorizations, "
                "e.g. peer_support for H0038 individual and group.",
                max_length=40,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="servicecode",
            name="daily_unit_cap",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Shared by the service's codes; the smallest of them applies.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="servicecode",
            name="rolling_cap_units",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Shared by the service's codes; the smallest of them applies.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="servicecode",
            name="rolling_cap_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="E.g. 183 for a rolling 6 months. Every window of this length holds the cap.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="authorization",
            name="service_code",
            field=models.ForeignKey(
                help_text="Its units cover every code of this code's service, individual and group alike.",
                on_delete=models.deletion.PROTECT,
                related_name="authorizations",
                to="billing.servicecode",
            ),
        ),
        migrations.RunPython(name_the_service, migrations.RunPython.noop),
    ]
