from django.db import migrations

# The Medicare 8-minute rule (a last partial unit of 8 minutes or more counts) is Medicare's;
# no Connecticut Medicaid source was found for it. Without a source, whole 15-minute units
# only: the conservative reading (billing-rules.md).
SOURCE = " Units: no source found; conservative reading: whole 15-minute units, no partial units."


def whole_units(apps, schema_editor):
    ServiceCode = apps.get_model("billing", "ServiceCode")
    for code in ServiceCode.objects.filter(billing_program="ct_1915c_mhw", is_active=True):
        code.rounding = "whole_units"
        if SOURCE.strip() not in code.source:
            code.source += SOURCE
        code.save(update_fields=["rounding", "source"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_program_rules_reference_data")]

    operations = [migrations.RunPython(whole_units, migrations.RunPython.noop)]
