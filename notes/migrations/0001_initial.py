import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = ["groupsession", "sessionnote", "noteevent", "addendum"]


def _rename_content_types(apps, source: str, target: str) -> None:
    # Permissions and generic relations point at content types: keep the old rows, renamed,
    # rather than leave stale ones and make new ones. A target row made meanwhile (by a
    # post_migrate signal) points at nothing yet and gives way to the old one.
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        ContentType.objects.filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def move_content_types(apps, schema_editor):
    _rename_content_types(apps, "participants", "notes")


def move_content_types_back(apps, schema_editor):
    _rename_content_types(apps, "notes", "participants")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('participants', '0002_session_notes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Session notes moved here from the participants app. Their tables (still named
    # participants_*) and every row stay where they are: this only tells Django's model state
    # that the notes app owns them now. participants 0003 drops them from that app's state.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='GroupSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('topic', models.CharField(max_length=200)),
                        ('date', models.DateField()),
                        ('start_time', models.TimeField()),
                        ('end_time', models.TimeField()),
                        ('modality', models.CharField(choices=[('in_person', 'In person'), ('phone', 'Phone'), ('video', 'Video'), ('audio_only', 'Audio only')], max_length=20)),
                        ('place_of_service', models.CharField(choices=[('11', '11 Office'), ('12', '12 Home'), ('99', '99 Community (other place)'), ('23', '23 Emergency room'), ('53', '53 Community mental health center'), ('10', "10 Telehealth in the participant's home"), ('02', '02 Telehealth elsewhere')], max_length=2)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('facilitator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='groups_led', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'participants_groupsession',
                    },
                ),
                migrations.CreateModel(
                    name='SessionNote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Waiting for co-signature'), ('returned', 'Returned'), ('cosigned', 'Co-signed'), ('final', 'Final')], default='draft', max_length=20)),
                        ('date', models.DateField(blank=True, null=True)),
                        ('start_time', models.TimeField(blank=True, null=True)),
                        ('end_time', models.TimeField(blank=True, null=True)),
                        ('modality', models.CharField(blank=True, choices=[('in_person', 'In person'), ('phone', 'Phone'), ('video', 'Video'), ('audio_only', 'Audio only')], max_length=20)),
                        ('place_of_service', models.CharField(blank=True, choices=[('11', '11 Office'), ('12', '12 Home'), ('99', '99 Community (other place)'), ('23', '23 Emergency room'), ('53', '53 Community mental health center'), ('10', "10 Telehealth in the participant's home"), ('02', '02 Telehealth elsewhere')], max_length=2)),
                        ('service_types', models.JSONField(blank=True, default=list)),
                        ('intervention', models.TextField(blank=True, verbose_name='what was done')),
                        ('response', models.TextField(blank=True, verbose_name="the participant's response")),
                        ('next_steps', models.TextField(blank=True)),
                        ('signed_at', models.DateTimeField(blank=True, null=True)),
                        ('signature', models.CharField(blank=True, max_length=200)),
                        ('cosigned_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='session_notes', to=settings.AUTH_USER_MODEL)),
                        ('cosigned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('goals_addressed', models.ManyToManyField(blank=True, db_table='participants_sessionnote_goals_addressed', related_name='session_notes', to='participants.goal')),
                        ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='notes', to='notes.groupsession')),
                        ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='session_notes', to='participants.participant')),
                    ],
                    options={
                        'db_table': 'participants_sessionnote',
                        'ordering': ['-date', '-start_time'],
                    },
                ),
                migrations.CreateModel(
                    name='NoteEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('submitted', 'Submitted'), ('returned', 'Returned'), ('cosigned', 'Co-signed'), ('finalized', 'Signed as final')], max_length=20)),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('comment', models.TextField(blank=True)),
                        ('snapshot', models.JSONField(blank=True, default=dict)),
                        ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('note', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='notes.sessionnote')),
                    ],
                    options={
                        'db_table': 'participants_noteevent',
                        'ordering': ['at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Addendum',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField()),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('note', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='addenda', to='notes.sessionnote')),
                    ],
                    options={
                        'verbose_name_plural': 'addenda',
                        'db_table': 'participants_addendum',
                        'ordering': ['created_at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='sessionnote',
                    index=models.Index(fields=['author', 'status'], name='participant_author__6a02e4_idx'),
                ),
                migrations.AddIndex(
                    model_name='sessionnote',
                    index=models.Index(fields=['participant', 'date'], name='participant_partici_fb8649_idx'),
                ),
                migrations.AddIndex(
                    model_name='sessionnote',
                    index=models.Index(fields=['status', 'signed_at'], name='participant_status_c96294_idx'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
