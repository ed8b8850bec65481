"""Fill SessionNote.billing_closed (billing/marks.py) from the claim lines and duplicate
decisions written before the mark existed: closed when the note is on a live line, on a line
voided "do not rebill", or decided "not billed". Through the ORM (one UPDATE ... WHERE EXISTS),
so it runs on SQLite (`make run`) as on PostgreSQL."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q


def fill(apps, schema_editor):
    SessionNote = apps.get_model("notes", "SessionNote")
    ClaimLine = apps.get_model("billing", "ClaimLine")
    DuplicateDecision = apps.get_model("billing", "DuplicateDecision")
    line = ClaimLine.objects.filter(Q(voided=False) | Q(do_not_rebill=True), note=OuterRef("pk"))
    decided = DuplicateDecision.objects.filter(not_billed=OuterRef("pk"))
    SessionNote.objects.filter(Exists(line) | Exists(decided)).update(billing_closed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0027_batch_pyx12_check"),
        ("notes", "0007_billing_closed_mark"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
