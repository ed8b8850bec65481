
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0007_batch_total_stored_at_export'),
        ('billing', '0010_batch_frozen_csv'),
    ]

    operations = [
    ]
