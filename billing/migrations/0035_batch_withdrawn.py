"""A batch whose 837P pyx12 rejected after export can be withdrawn (billing.withdrawal): the
batch and its claims get a status saying the file was never sent. Choices only: no data moves."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0034_claimline_owed_statistics'),
    ]

    operations = [
        migrations.AlterField(
            model_name='claim',
            name='status',
            field=models.CharField(choices=[('built', 'Built, not sent'), ('sent', 'Sent'), ('accepted', 'Accepted by the payer'), ('rejected', 'Rejected by the payer'), ('resent', 'Rejected, sent again'), ('paid', 'Paid'), ('partly_paid', 'Partly paid'), ('denied', 'Denied'), ('reversed', 'Reversed'), ('withdrawn', 'Withdrawn, never sent')], db_index=True, default='built', max_length=20),
        ),
        migrations.AlterField(
            model_name='claimbatch',
            name='status',
            field=models.CharField(choices=[('open', 'Built, not exported'), ('exported', 'Exported'), ('discarded', 'Discarded before export'), ('withdrawn', 'Withdrawn: pyx12 rejected its 837P, never sent')], default='open', max_length=20),
        ),
        migrations.AlterField(
            model_name='claimevent',
            name='status',
            field=models.CharField(blank=True, choices=[('built', 'Built, not sent'), ('sent', 'Sent'), ('accepted', 'Accepted by the payer'), ('rejected', 'Rejected by the payer'), ('resent', 'Rejected, sent again'), ('paid', 'Paid'), ('partly_paid', 'Partly paid'), ('denied', 'Denied'), ('reversed', 'Reversed'), ('withdrawn', 'Withdrawn, never sent')], max_length=20),
        ),
    ]
