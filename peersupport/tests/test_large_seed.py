"""`seed_demo --scale large` at a tiny scale: the sizes it is asked for, the same data from
the same seed, notes in every state, frozen batches billing signed notes, remittances posted,
the demo sign-ins' home pages over it, a second run that changes nothing, and SQLite refused."""

import datetime
import hashlib
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.tests.rolled_back import shared_until_rolled_back
from billing import marks
from billing.models import BatchDenial, ClaimBatch, ClaimLine, Remittance
from billing.models.claims import open_denied_lines
from notes.models import NoteEvent, SessionNote
from participants.models import CaseloadAssignment, Participant
from peersupport import large_seed
from peersupport.large_seed.copy import copy_rows, foreign_keys_checked_at_end
from programs.models import Agency, StaffProfile

TINY = large_seed.Sizes(programs=2, supervisors=2, specialists=4, participants=40, notes=2000)
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(scope="module")
def large(demo_agency, django_db_blocker):
    """The tiny large load over the shared demo (conftest.demo_agency), made twice from the same
    seed: the first time in a savepoint rolled back after its fingerprint is taken, the second
    kept for the module's tests and rolled back after them. Loading it per test was most of
    this module's minute."""
    with shared_until_rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            agency = Agency.objects.get(name="Riverbend Behavioral Health")
            fingerprints = []
            with transaction.atomic():
                large_seed.generate(agency, sizes=TINY, seed=7, today=TODAY)
                fingerprints.append(_fingerprint())
                transaction.set_rollback(True)
            made = large_seed.generate(agency, sizes=TINY, seed=7, today=TODAY)
            fingerprints.append(_fingerprint())
        yield SimpleNamespace(agency=agency, made=made, fingerprints=fingerprints)


def _large():
    return {"program__name__startswith": large_seed.MARKER}


def _fingerprint() -> str:
    """A hash of a few tables' rows in a fixed order, without ids (sequences move on)."""
    people = Participant.objects.filter(enrollments__program__name__startswith=large_seed.MARKER)
    rows = [
        list(people.order_by("date_of_birth", "last_name", "first_name", "phone").values_list(
            "first_name", "last_name", "date_of_birth", "primary_diagnosis", "phone")),
        list(SessionNote.objects.filter(participant__in=people).order_by(
            "participant__phone", "date", "start_time").values_list(
            "participant__phone", "author__email", "date", "start_time", "end_time", "status", "modality",
            "signed_at", "cosigned_at")),
        list(ClaimLine.objects.filter(claim__participant__in=people).order_by(
            "claim__participant__phone", "service_date", "note__start_time").values_list(
            "claim__participant__phone", "service_date", "hcpcs", "modifiers", "units", "charge", "paid", "denied",
            "denial_reason")),
    ]  # fmt: skip
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_it_makes_the_sizes_asked_for_with_notes_in_every_state(large):
    made = large.made
    assert made.counts["programs"] == 2
    assert StaffProfile.objects.filter(programs__name__startswith=large_seed.MARKER).distinct().count() == 2 + 4
    people = Participant.objects.filter(enrollments__program__name__startswith=large_seed.MARKER)
    assert people.count() == 40
    assert SessionNote.objects.filter(participant__in=people).count() == 2000
    states = set(SessionNote.objects.filter(participant__in=people).values_list("status", flat=True))
    assert states == set(SessionNote.Status.values)
    assert SessionNote.objects.filter(participant__in=people, addenda__isnull=False).exists()
    # Every note addresses its participant's plan goal.
    assert SessionNote.objects.filter(participant__in=people, goals_addressed=None).count() == 0


@pytest.mark.django_db
def test_the_planner_knows_the_new_rows_before_anything_reads_them(large):
    # The rows are not committed yet (the module's load is rolled back after it), so only the
    # seed's own ANALYZE can have counted them; autovacuum sees committed rows only.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [SessionNote._meta.db_table])
        (estimated,) = cursor.fetchone()
    assert estimated >= SessionNote.objects.count() * 0.9


@pytest.mark.django_db
def test_every_batch_is_frozen_with_lines_billing_signed_notes_and_a_posted_remittance(large):
    batches = ClaimBatch.objects.filter(claims__participant__enrollments__program__name__startswith=large_seed.MARKER)
    batches = batches.distinct()
    assert batches.count() == 2 * 12  # one per payer per month
    for batch in batches:
        assert batch.is_frozen and batch.file_837.startswith("ISA*") and batch.interchange_control_number
        lines = ClaimLine.objects.filter(claim__batch=batch)
        assert lines.exists()
        assert batch.total_charge == lines.aggregate(total=Sum("charge"))["total"]
        assert not lines.exclude(note__status__in=SessionNote.LOCKED).exists()
        remittance = (
            Remittance.objects.filter(claims__claim__batch=batch, status=Remittance.Status.POSTED).distinct().get()
        )
        remitted = lines.aggregate(total=Sum("paid"))["total"]
        assert remittance.payment_amount == remitted
        # What it posted to our lines is stored as posting stores it (accounts receivable reads it).
        sums = lines.aggregate(adjusted=Sum("adjusted"), denied=Sum("denied"))
        posted = (remittance.posted_paid, remittance.posted_adjusted, remittance.posted_denied)
        assert posted == (remitted, sums["adjusted"], sums["denied"])
        assert remittance.claim_count == remittance.claims.count()  # the remittance list reads it
        # What it is still owed is stored as posting stores it (accounts receivable's aging reads it).
        live = [line for line in lines if not line.voided]
        assert live and batch.owed == sum(line.outstanding for line in live)
    lines = ClaimLine.objects.filter(claim__batch__in=batches)
    assert lines.filter(denied__gt=0, denial_reason="CO-16").exists()
    # What each batch still has denied by reason is stored as posting stores it (the denial queue's counts).
    denied = {}
    for line in open_denied_lines().filter(claim__batch__in=batches).select_related("claim"):
        lines_amount = denied.setdefault((line.claim.batch_id, line.denial_reason), [0, 0])
        lines_amount[0], lines_amount[1] = lines_amount[0] + 1, lines_amount[1] + line.open_denied
    stored = BatchDenial.objects.filter(batch__in=batches)
    assert denied and {(d.batch_id, d.reason): [d.lines, d.amount] for d in stored} == denied
    assert lines.filter(paid__gt=0, adjusted__gt=0).exists()
    # Each line keeps its claim's decision date (the denial queue's order).
    assert not lines.exclude(claim_adjudicated_on=F("claim__adjudicated_on")).exists()
    # Every line is settled: paid, adjusted or denied adds up to what was charged.
    for line in lines:
        assert line.paid + line.adjusted + line.denied == line.charge


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_data(large):
    # The fixture made it twice over the same demo, the first time rolled back.
    assert len(large.fingerprints) == 2
    assert large.fingerprints[0] == large.fingerprints[1] == _fingerprint()


@pytest.mark.django_db
def test_the_demo_sign_ins_open_their_home_pages_over_the_large_data(large, client):
    peer = User.objects.get(email="peer@example.org")
    assert CaseloadAssignment.objects.filter(specialist=peer, ended_on=None).count() >= 40 // 4
    supervised = StaffProfile.objects.filter(supervisor__email="supervisor@example.org")
    assert supervised.filter(programs__name__startswith=large_seed.MARKER).distinct().count() == 2
    for email, page in [("peer@example.org", "home_peer"), ("supervisor@example.org", "home_supervisor"),
                        ("billing@example.org", "home_billing"), ("admin@example.org", "home_admin")]:  # fmt: skip
        client.force_login(User.objects.get(email=email))
        assert client.get(reverse(page)).status_code == 200, email


@pytest.mark.django_db
def test_a_second_run_changes_nothing(large):
    assert large.made is not None
    before = SessionNote.objects.aggregate(n=Count("pk"), last=Sum("pk"))
    assert large_seed.generate(large.agency, sizes=TINY, seed=8, today=TODAY) is None
    assert SessionNote.objects.aggregate(n=Count("pk"), last=Sum("pk")) == before


@pytest.mark.django_db
def test_the_large_scale_refuses_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="--scale large needs PostgreSQL"):
        call_command("seed_demo", "--scale", "large")


@pytest.mark.django_db
def test_a_row_pointing_at_nothing_rolls_the_load_back(demo_agency):
    """Foreign keys are checked once at the end of the load (large_seed/copy.py); a dangling
    reference must still stop it."""
    author = User.objects.get(email="peer@example.org")
    dangling = pytest.raises(RuntimeError, match="participants_noteevent.note_id point at nothing")
    with dangling, transaction.atomic(), foreign_keys_checked_at_end({"notes"}):
        copy_rows(NoteEvent, ["note_id", "action", "actor_id", "at", "comment", "snapshot"],
                  [(2_000_000_000, "submitted", author.pk, timezone.now(), "", {})])  # fmt: skip


@pytest.mark.django_db
def test_the_notes_it_bills_are_marked_done_with_billing(large):
    """The seed copies claim lines past the services, so it sets the notes' billing mark
    (billing/marks.py) itself: billed notes closed, the others open, as the rows say."""
    people = Participant.objects.filter(enrollments__program__name__startswith=large_seed.MARKER)
    notes = SessionNote.objects.filter(participant__in=people)
    billed = notes.filter(claim_lines__voided=False)
    assert billed.exists() and not billed.filter(billing_closed=False).exists()
    assert notes.filter(billing_closed=False).exists()
    assert not notes.filter(billing_closed=False).filter(marks.closed()).exists()
    assert not notes.filter(billing_closed=True).exclude(marks.closed()).exists()
