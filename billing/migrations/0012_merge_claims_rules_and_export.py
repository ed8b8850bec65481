
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0009_connecticut_whole_units'),
        ('billing', '0011_merge_batch_handling_and_export'),
    ]

    operations = [
    ]
