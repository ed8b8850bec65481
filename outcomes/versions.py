"""The version of a program's outcome figures, kept by the database.

The dashboard keeps its figures for a few minutes (outcomes.kept), keyed by what they are
computed from. That key used to be an aggregate over the program's check-ins, assessments and
enrollments, read on every view: a scan of the program's whole history (72 ms on the large
demo, growing with every check-in). Now PostgreSQL triggers (migration 0004) add one to the
program's version in the statement that records, amends, moves or removes any of them, by any
path (the app, the admin, a bulk load), and the key is one row read by its primary key."""

from django.db import models

from programs.models import Program


class FiguresVersion(models.Model):
    program = models.OneToOneField(Program, primary_key=True, on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Outcome figures of {self.program_id}, version {self.version}"
