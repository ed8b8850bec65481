"""The supervisor's team figures are kept (peersupport.team_figures), stamped by the team's
caseload versions that PostgreSQL's triggers move (participants.versions): a kept read is
the figures computed straight from the database, costs fewer queries than computing them and
as many at any caseload size, and every write that changes them, by any path (the app's
saves, a queryset update, a bulk load, a delete), is seen on the next view; another team's
stamp stays."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notes.models import SessionNote
from notes.tests.factories import SessionNoteFactory, SignedNoteFactory
from outcomes.models import CheckIn
from outcomes.tests.factories import record_check_in
from participants.models import CaseloadAssignment, Consent, Coverage, Enrollment, Participant, RecoveryPlan
from participants.tests.factories import AssignmentFactory, CoverageFactory, PlanFactory, days_ago, enrolled_participant
from peersupport import selectors
from peersupport.team_figures import team_stamp

pytestmark = pytest.mark.django_db

HOME = reverse("home_supervisor")
PARTICIPANTS = reverse("team_participants")


def _home(client) -> dict:
    context = client.get(HOME).context
    return {key: context[key] for key in ("overdue_contacts", "reviews_due", "check_ins")}


def _listed(client, **params) -> list[str]:
    """The names the team participants page lists, in its order."""
    return [row.participant.first_name for row in client.get(PARTICIPANTS, params).context["rows"]]


def _settled(person, peer):
    """`person` with nothing to attend to: a recent contact, a fresh plan, the intake check-in."""
    SignedNoteFactory(participant=person, author=peer, date=days_ago(2))
    PlanFactory(participant=person, started_on=days_ago(5))
    record_check_in(person.enrollments.get(), by=peer)
    return person


def test_a_kept_read_is_the_computed_figures_in_fewer_queries_the_same_at_any_size(
    client, supervisor, peer, team, program
):
    client.force_login(supervisor)

    def kept_read(n: int) -> int:
        for _ in range(n):
            enrolled_participant(peer, program=program, started_days_ago=20)
        with CaptureQueriesContext(connection) as computing:
            client.get(HOME)
            client.get(PARTICIPANTS, {"sort": "alerts"})
        with CaptureQueriesContext(connection) as kept:
            home = _home(client)
            listed = _listed(client, sort="alerts")
        assert len(kept) < len(computing)
        computed = selectors._computed_team_figures([peer.pk], timezone.localdate())[peer.pk]
        assert home["overdue_contacts"] == computed["overdue_contacts"] == len(listed)
        assert home["check_ins"] == computed["check_ins"]
        return len(kept)

    assert kept_read(2) == kept_read(12)


def test_every_write_to_a_note_plan_check_in_enrollment_or_assignment_is_seen_on_the_next_view(
    client, supervisor, peer, team, program
):
    client.force_login(supervisor)
    person = enrolled_participant(peer, program=program, started_days_ago=20)  # overdue, no plan
    assert _home(client)["overdue_contacts"] == 1
    note = SignedNoteFactory(participant=person, author=peer, date=days_ago(2))  # the app's save
    assert _home(client)["overdue_contacts"] == 0
    SessionNote.objects.filter(pk=note.pk).update(status=SessionNote.Status.DISCARDED)  # a queryset update
    assert _home(client)["overdue_contacts"] == 1
    SessionNote.objects.bulk_create([SignedNoteFactory.build(participant=person, author=peer, date=days_ago(1))])
    assert _home(client)["overdue_contacts"] == 0
    SessionNote.objects.filter(participant=person).delete()  # a delete
    assert _home(client)["overdue_contacts"] == 1

    assert _home(client)["reviews_due"] == 1
    plan = PlanFactory(participant=person, started_on=days_ago(5))
    assert _home(client)["reviews_due"] == 0
    RecoveryPlan.objects.filter(pk=plan.pk).update(started_on=days_ago(200))
    assert _home(client)["reviews_due"] == 1

    due = _home(client)["check_ins"]
    check_in = record_check_in(person.enrollments.get(), by=peer)
    assert _home(client)["check_ins"] != due
    CheckIn.objects.filter(pk=check_in.pk).delete()
    assert _home(client)["check_ins"] == due

    assert _listed(client) == [person.first_name]
    CaseloadAssignment.objects.filter(participant=person).update(ended_on=timezone.localdate())
    assert _listed(client) == [] and _home(client)["overdue_contacts"] == 0
    AssignmentFactory(participant=person, specialist=peer, started_on=timezone.localdate())
    assert _listed(client) == [person.first_name]
    Enrollment.objects.filter(participant=person).update(end_date=timezone.localdate())  # a discharge
    assert _listed(client) == [] and _home(client)["overdue_contacts"] == 0


def test_names_coverage_and_consents_written_are_seen_on_the_next_view_of_team_participants(
    client, supervisor, peer, team, program
):
    client.force_login(supervisor)
    ann = _settled(
        enrolled_participant(peer, program=program, started_days_ago=20, first_name="Ann", last_name="A"), peer
    )
    bea = _settled(
        enrolled_participant(peer, program=program, started_days_ago=20, first_name="Bea", last_name="B"), peer
    )
    assert _listed(client) == ["Ann", "Bea"] and _listed(client, show="attention") == []
    Participant.objects.filter(pk=ann.pk).update(last_name="Z")  # sorted by last name
    assert _listed(client) == ["Bea", "Ann"]
    coverage = CoverageFactory(participant=bea, end_date=timezone.localdate() + datetime.timedelta(days=10))
    assert _listed(client, show="attention") == ["Bea"]  # coverage ending soon
    Coverage.objects.filter(pk=coverage.pk).update(end_date=None)
    assert _listed(client, show="attention") == []
    soon = timezone.localdate() + datetime.timedelta(days=10)
    Consent.objects.bulk_create(
        [Consent(participant=ann, kind=Consent.Kind.PART2_DISCLOSURE, signed_on=days_ago(30), expires_on=soon)]
    )
    assert _listed(client, show="attention") == ["Ann"]  # consent expiring soon
    Consent.objects.filter(participant=ann).delete()
    assert _listed(client, show="attention") == []


def test_another_teams_stamp_stays_and_a_drafts_text_moves_no_stamp(client, supervisor, peer, team, program):
    other = team["other_peer"]
    mine = enrolled_participant(peer, program=program, started_days_ago=20)
    theirs = enrolled_participant(other, program=program, started_days_ago=20)
    draft = SessionNoteFactory(participant=mine, author=peer)
    before = {"mine": team_stamp([peer.pk]), "theirs": team_stamp([other.pk])}
    SessionNote.objects.filter(pk=draft.pk).update(intervention="An autosaved sentence")  # not read by the figures
    SignedNoteFactory(participant=mine, author=peer, date=days_ago(1))
    PlanFactory(participant=mine)
    CoverageFactory(participant=mine)
    record_check_in(mine.enrollments.get(), by=peer)
    assert team_stamp([other.pk]) == before["theirs"]
    moved = team_stamp([peer.pk])
    assert moved != before["mine"]
    SessionNote.objects.filter(pk=draft.pk).update(intervention="Another sentence")
    SessionNote.objects.filter(participant=mine).update(billing_closed=True)  # billing's mark
    assert team_stamp([peer.pk]) == moved  # neither is read by the figures: they stay kept
    SignedNoteFactory(participant=theirs, author=other, date=days_ago(1))
    assert team_stamp([peer.pk]) == moved and team_stamp([other.pk]) != before["theirs"]


def test_the_caseload_pages_rows_are_kept_and_every_write_they_show_is_seen_on_the_next_view(
    client, supervisor, peer, team, program
):
    """One specialist's caseload and a page of the team's are kept too (the rows they show):
    read back in fewer queries, and a note, a name (the participant's, the specialist's, the
    program's) or a coverage written is seen on the next view."""
    person = enrolled_participant(peer, program=program, started_days_ago=20, first_name="Rosa")
    mine = reverse("specialist_caseload", args=[peer.pk])
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as computing:
        first = client.get(mine).context["rows"]
    with CaptureQueriesContext(connection) as kept:
        assert client.get(mine).context["rows"] == first
    assert len(kept) < len(computing)
    assert "No contact yet" in client.get(mine).content.decode()
    SignedNoteFactory(participant=person, author=peer, date=days_ago(2))
    assert "Last contact" in client.get(mine).content.decode()
    Participant.objects.filter(pk=person.pk).update(preferred_name="Ro")
    assert "Ro (Rosa)" in client.get(mine).content.decode()
    assert peer.last_name in client.get(PARTICIPANTS).content.decode()
    type(peer).objects.filter(pk=peer.pk).update(last_name="Renamed")
    assert "Renamed" in client.get(PARTICIPANTS).content.decode()
    type(program).objects.filter(pk=program.pk).update(name="Warm Bridge")
    assert [p.name for p in client.get(PARTICIPANTS).context["rows"][0].programs] == ["Warm Bridge"]
    CoverageFactory(participant=person, end_date=timezone.localdate() + datetime.timedelta(days=5))
    assert "Coverage ends" in client.get(mine).content.decode()


def test_the_kept_rows_hold_what_the_pages_show_not_the_participants_whole_record(peer, team, program):
    person = enrolled_participant(peer, program=program, started_days_ago=20)
    CoverageFactory(participant=person, member_id="987654321")
    (row,) = selectors.caseload([peer.pk])
    assert {"date_of_birth", "primary_diagnosis", "address_line1", "phone"} <= row.participant.get_deferred_fields()
    assert "member_id" in row.participant.current_coverages[0].get_deferred_fields()


def test_the_kept_rows_share_one_object_per_program_and_specialist(peer, team, program):
    """Each copy is pickled into the cache and unpickled on every view (issue 16)."""
    for name in ("Ana", "Ben", "Cy"):
        enrolled_participant(peer, program=program, started_days_ago=20, first_name=name)
    rows = selectors.caseload([peer.pk])
    assert len(rows) == 3
    assert len({id(p) for row in rows for p in row.programs}) == 1
    assert len({id(row.specialist) for row in rows}) == 1
    enrollments = [e for row in rows for e in row.participant.active_enrollments]
    assert {id(e.program) for e in enrollments} == {id(rows[0].programs[0])}
