from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notes', '0002_session_note_service'),
        ('participants', '0005_coverage_kind_and_rank'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='noteevent',
            index=models.Index(fields=['action', 'at'], name='notes_event_action_at_idx'),
        ),
        migrations.AddIndex(
            model_name='sessionnote',
            index=models.Index(fields=['cosigned_at'], name='notes_cosigned_at_idx'),
        ),
    ]
