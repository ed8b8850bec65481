import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0002_reference_data'),
        ('notes', '0001_initial'),
    ]

    # The same table and foreign key in the database; only the model state changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='claimline',
                    name='note',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='claim_lines', to='notes.sessionnote'),
                ),
            ],
            database_operations=[],
        ),
    ]
