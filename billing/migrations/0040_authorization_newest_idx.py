"""An index on Authorization.start_date, newest first: the authorizations page reads its page of
50 in that order instead of sorting every authorization joined to every participant."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0039_remittance_claim_count"),
        ("participants", "0008_input_limits"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="authorization",
            index=models.Index(fields=["-start_date"], name="authorization_newest_idx"),
        ),
    ]
