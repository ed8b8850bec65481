
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0005_payer_filing_limits_cited'),
        ('programs', '0007_payer_correction_days'),
    ]

    operations = [
    ]
