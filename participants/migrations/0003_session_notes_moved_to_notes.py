from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0004_claimline_note_in_notes_app'),
        ('notes', '0001_initial'),
        ('participants', '0002_session_notes'),
    ]

    # Session notes now belong to the notes app (notes 0001); their tables stay.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='groupsession',
                    name='facilitator',
                ),
                migrations.RemoveField(
                    model_name='sessionnote',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='noteevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='noteevent',
                    name='note',
                ),
                migrations.RemoveField(
                    model_name='sessionnote',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='sessionnote',
                    name='cosigned_by',
                ),
                migrations.RemoveField(
                    model_name='sessionnote',
                    name='goals_addressed',
                ),
                migrations.RemoveField(
                    model_name='sessionnote',
                    name='participant',
                ),
                migrations.DeleteModel(
                    name='Addendum',
                ),
                migrations.DeleteModel(
                    name='GroupSession',
                ),
                migrations.DeleteModel(
                    name='NoteEvent',
                ),
                migrations.DeleteModel(
                    name='SessionNote',
                ),
            ],
            database_operations=[],
        ),
    ]
