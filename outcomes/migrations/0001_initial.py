
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('participants', '0005_coverage_kind_and_rank'),
        ('programs', '0008_merge_claims_rules_and_export'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Assessment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('timepoint', models.CharField(choices=[('intake', 'Intake'), ('3m', '3 months'), ('6m', '6 months'), ('12m', '12 months'), ('discharge', 'Discharge'), ('between', 'Between timepoints')], max_length=10)),
                ('taken_on', models.DateField(verbose_name='date')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('amended_at', models.DateTimeField(blank=True, null=True)),
                ('answers', models.JSONField(help_text="Item number to the answer's value.")),
                ('total', models.SmallIntegerField(editable=False)),
                ('band', models.CharField(editable=False, max_length=200)),
                ('flags', models.JSONField(default=list, editable=False)),
                ('enrollment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='participants.enrollment')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='participants.participant')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-taken_on', '-recorded_at'],
            },
        ),
        migrations.CreateModel(
            name='CheckIn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('timepoint', models.CharField(choices=[('intake', 'Intake'), ('3m', '3 months'), ('6m', '6 months'), ('12m', '12 months'), ('discharge', 'Discharge'), ('between', 'Between timepoints')], max_length=10)),
                ('taken_on', models.DateField(verbose_name='date')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('amended_at', models.DateTimeField(blank=True, null=True)),
                ('housing', models.CharField(choices=[('own_or_rent', 'Own or rent'), ('family_friends', 'With family or friends'), ('supported', 'Supported housing'), ('residential', 'Residential treatment'), ('shelter', 'Shelter'), ('none', 'No housing (street, car, outdoors)'), ('institution', 'Jail, prison or institution')], max_length=20)),
                ('employment', models.CharField(choices=[('full_time', 'Employed full time'), ('part_time', 'Employed part time'), ('looking', 'Unemployed, looking for work'), ('not_looking', 'Unemployed, not looking for work'), ('not_in_labor_force', 'Not in the labor force (disabled, retired, caregiver)')], max_length=20)),
                ('in_school', models.BooleanField(default=False, verbose_name='in school or job training')),
                ('monthly_income_from_work', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100000'))], verbose_name='monthly income from work ($)')),
                ('covers_from', models.DateField(editable=False)),
                ('covers_until', models.DateField(editable=False)),
                ('er_visits', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(999)], verbose_name='emergency room visits')),
                ('inpatient_days', models.PositiveSmallIntegerField(default=0, help_text='Nights in a hospital for mental health, substance use or physical health.', validators=[django.core.validators.MaxValueValidator(999)], verbose_name='inpatient days')),
                ('admissions_voluntary', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(99)], verbose_name='psychiatric admissions, voluntary')),
                ('admissions_involuntary', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(99)], verbose_name='psychiatric admissions, involuntary')),
                ('outpatient_visits', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(999)], verbose_name='outpatient visits')),
                ('crisis_calls', models.PositiveSmallIntegerField(default=0, help_text='Calls to a crisis line or a mobile crisis team.', validators=[django.core.validators.MaxValueValidator(999)], verbose_name='crisis calls')),
                ('arrests', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(99)], verbose_name='arrests')),
                ('jail_days', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(999)], verbose_name='days in jail')),
                ('days_of_use', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(999)], verbose_name='days of alcohol or drug use')),
                ('social_support', models.PositiveSmallIntegerField(choices=[(1, 'Strongly disagree'), (2, 'Disagree'), (3, 'Undecided'), (4, 'Agree'), (5, 'Strongly agree')], verbose_name='“In a crisis, I would have the support I need from family or friends.”')),
                ('children_returned_home', models.PositiveSmallIntegerField(default=0, help_text="Children returned to the participant's custody.", validators=[django.core.validators.MaxValueValidator(20)], verbose_name='children returned home')),
                ('enrollment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='participants.enrollment')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='participants.participant')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-taken_on', '-recorded_at'],
            },
        ),
        migrations.CreateModel(
            name='Amendment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('previous', models.JSONField()),
                ('reason', models.CharField(max_length=300)),
                ('amended_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('amended_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('assessment', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='amendments', to='outcomes.assessment')),
                ('check_in', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='amendments', to='outcomes.checkin')),
            ],
            options={
                'ordering': ['-amended_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Instrument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=30)),
                ('version', models.PositiveSmallIntegerField(default=1)),
                ('name', models.CharField(max_length=200)),
                ('definition', models.JSONField()),
                ('is_active', models.BooleanField(default=True, help_text='Offered for new assessments.')),
                ('loaded_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['code', '-version'],
                'constraints': [models.UniqueConstraint(fields=('code', 'version'), name='one_instrument_per_code_version')],
            },
        ),
        migrations.AddField(
            model_name='assessment',
            name='instrument',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='outcomes.instrument'),
        ),
        migrations.CreateModel(
            name='SafetyFlag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('message', models.CharField(max_length=300)),
                ('raised_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('followed_up_at', models.DateTimeField(blank=True, null=True)),
                ('follow_up_note', models.TextField(blank=True)),
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='safety_flags', to='outcomes.assessment')),
                ('followed_up_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='participants.participant')),
            ],
            options={
                'ordering': ['-raised_at'],
            },
        ),
        migrations.CreateModel(
            name='TimepointWindow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('timepoint', models.CharField(choices=[('intake', 'Intake'), ('3m', '3 months'), ('6m', '6 months'), ('12m', '12 months'), ('discharge', 'Discharge')], max_length=10)),
                ('opens_day', models.SmallIntegerField(help_text='Days after enrollment (discharge) when the window opens.')),
                ('closes_day', models.SmallIntegerField(help_text='Days after enrollment (discharge) when it closes.')),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timepoint_windows', to='programs.program')),
            ],
            options={
                'ordering': ['program', 'opens_day'],
            },
        ),
        migrations.CreateModel(
            name='UnitCosts',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('er_visit', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000000'))], verbose_name='ER visit ($)')),
                ('inpatient_day', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000000'))], verbose_name='inpatient day ($)')),
                ('outpatient_visit', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000000'))], verbose_name='outpatient visit ($)')),
                ('crisis_episode', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000000'))], verbose_name='crisis episode ($)')),
                ('jail_day', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000000'))], verbose_name='jail day ($)')),
                ('peer_hourly_cost', models.DecimalField(decimal_places=2, help_text='Wage and fringe per hour, for peer hours without a claim (grant-funded or not yet billed).', max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000000'))], verbose_name='peer specialist hour ($)')),
                ('source', models.CharField(max_length=300, verbose_name='where these figures come from')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('program', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='unit_costs', to='programs.program')),
                ('updated_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'unit costs',
            },
        ),
        migrations.AddIndex(
            model_name='checkin',
            index=models.Index(fields=['participant', 'taken_on'], name='outcomes_ch_partici_4de80a_idx'),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.UniqueConstraint(condition=models.Q(('timepoint', 'between'), _negated=True), fields=('enrollment', 'timepoint'), name='one_checkin_per_timepoint'),
        ),
        migrations.AddConstraint(
            model_name='amendment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('assessment__isnull', False), ('check_in__isnull', True)), models.Q(('assessment__isnull', True), ('check_in__isnull', False)), _connector='OR'), name='amendment_of_one_record'),
        ),
        migrations.AddIndex(
            model_name='assessment',
            index=models.Index(fields=['participant', 'instrument', 'taken_on'], name='outcomes_as_partici_1c915d_idx'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('timepoint', 'between'), _negated=True), fields=('enrollment', 'instrument', 'timepoint'), name='one_assessment_per_timepoint'),
        ),
        migrations.AddIndex(
            model_name='safetyflag',
            index=models.Index(fields=['followed_up_at', 'raised_at'], name='outcomes_sa_followe_ebeaab_idx'),
        ),
        migrations.AddConstraint(
            model_name='timepointwindow',
            constraint=models.UniqueConstraint(fields=('program', 'timepoint'), name='one_window_per_program_timepoint'),
        ),
        migrations.AddConstraint(
            model_name='timepointwindow',
            constraint=models.CheckConstraint(condition=models.Q(('closes_day__gte', models.F('opens_day'))), name='window_closes_after_open'),
        ),
    ]
