
import django.db.models.deletion
import django.utils.timezone
import reports.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('programs', '0008_merge_claims_rules_and_export'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Report',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_start', models.DateField()),
                ('period_end', models.DateField()),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('ready', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10)),
                ('progress', models.PositiveSmallIntegerField(default=0, help_text='Percent done while running.')),
                ('stage', models.CharField(blank=True, help_text='What the worker is doing now.', max_length=100)),
                ('error', models.TextField(blank=True, help_text='Why the last run failed, in words.')),
                ('run_token', models.UUIDField(default=uuid.uuid4)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('scheduled', models.BooleanField(default=False, help_text='Queued by the monthly schedule (emails when ready).')),
                ('queued_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('generated_at', models.DateTimeField(blank=True, help_text='When the files below were made.', null=True)),
                ('figures', models.JSONField(blank=True, default=dict)),
                ('pdf', models.FileField(blank=True, upload_to=reports.models.report_file_path)),
                ('xlsx', models.FileField(blank=True, upload_to=reports.models.report_file_path)),
                ('csv', models.FileField(blank=True, upload_to=reports.models.report_file_path)),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='programs.program')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-period_start', 'program__name'],
                'indexes': [models.Index(fields=['status', 'started_at'], name='reports_rep_status_887e0c_idx')],
                'constraints': [models.UniqueConstraint(fields=('program', 'period_start', 'period_end'), name='one_report_per_period'), models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='report_ends_after_start')],
            },
        ),
    ]
