"""The editor on a phone: one note per page however often it is sent, no lost update, one
draft per session (offered, or discarded on the record), and a new note filled in from the last."""

import re
import threading
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.tests.waiting import wait_until
from notes import selectors, services
from notes.models import GroupSession, NoteEvent, SessionNote
from notes.rules import overlapping_note
from participants.models import Goal
from participants.tests.factories import PlanFactory, enrolled_participant
from programs.models import StaffProfile

from .factories import SessionNoteFactory, SignedNoteFactory, group_data, note_data


def sign(client, person, key, **extra):
    data = {**note_data(), "client_key": str(key), "action": "submit", "attest": "1", **extra}
    return client.post(reverse("notes:note_new", args=[person.pk]), data)


# --- One note per page: double taps and retries -------------------------------------------


@pytest.mark.django_db
def test_the_editor_always_carries_a_key_of_its_own(signed_in_peer, person):
    url = reverse("notes:note_new", args=[person.pk])
    keys = [re.search(r'name="client_key" id="client-key" value="([^"]+)"', signed_in_peer.get(url).content.decode())
            for _ in range(2)]  # fmt: skip
    assert all(keys) and uuid.UUID(keys[0][1]) != uuid.UUID(keys[1][1])


@pytest.mark.django_db
def test_a_double_tapped_sign_makes_one_note_and_no_orphan_draft(signed_in_peer, person):
    key = uuid.uuid4()
    first = sign(signed_in_peer, person, key)
    second = sign(signed_in_peer, person, key)
    note = SessionNote.objects.get()  # exactly one: no second note, no orphan draft
    assert note.status == SessionNote.Status.SUBMITTED and note.client_key == key
    assert first.status_code == second.status_code == 302
    assert second.url == reverse("notes:note_detail", args=[note.pk]) + "?signed=1"
    page = signed_in_peer.get(second.url).content.decode()
    assert "This note was already signed." in page
    assert note.events.count() == 1


@pytest.mark.django_db
def test_a_resent_sign_after_autosave_finds_the_same_note(signed_in_peer, person):
    key = uuid.uuid4()
    signed_in_peer.post(reverse("notes:note_autosave", args=[person.pk]), {"client_key": key, "intervention": "Half"})
    note = SessionNote.objects.get()
    for _ in range(2):
        response = sign(signed_in_peer, person, key, note_id=note.pk, version=note.version)
        assert response.status_code == 302 and response.url.startswith(reverse("notes:note_detail", args=[note.pk]))
    assert SessionNote.objects.get().status == SessionNote.Status.SUBMITTED


@pytest.mark.django_db
def test_a_first_save_resent_without_its_answer_updates_the_note_it_made(signed_in_peer, person):
    """The answer to the first autosave was lost (no signal): the page still has no note_id."""
    key, url = uuid.uuid4(), reverse("notes:note_autosave", args=[person.pk])
    signed_in_peer.post(url, {"client_key": key, "intervention": "Half"})
    signed_in_peer.post(url, {"client_key": key, "intervention": "Half a sentence"})
    assert SessionNote.objects.get().intervention == "Half a sentence"


@pytest.mark.django_db
def test_someone_elses_key_finds_nothing_of_theirs(client, peer, team, person):
    key = uuid.uuid4()
    client.force_login(peer)
    sign(client, person, key)
    other = enrolled_participant(team["other_peer"], program=person.enrollments.get().program, started_days_ago=30)
    client.force_login(team["other_peer"])
    sign(client, other, key)
    assert SessionNote.objects.filter(client_key=key).count() == 2  # one per author


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_page_at_once_make_one_note(peer, team, program):
    """Two connections send the first save of one page: the first has inserted its note and
    holds its transaction open; the second's insert waits on the unique (author, key) index,
    is refused when the first commits, and updates the first's note instead."""
    person = enrolled_participant(peer, program=program, started_days_ago=30)
    key, ctx = uuid.uuid4(), AuditContext(actor=peer)
    start, first_saved, release = threading.Barrier(2), threading.Event(), threading.Event()
    made = {}

    def save(name, text, hold):
        start.wait(10)
        try:
            if not hold:
                first_saved.wait(10)
            note = SessionNote(intervention=text)
            with services.transaction.atomic():
                made[name] = services.note_save_draft(
                    note=note, participant=person, goals=[], client_key=key, version=None, ctx=ctx
                ).pk
                if hold:
                    first_saved.set()
                    release.wait(10)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=("first", "one", True)),
               threading.Thread(target=save, args=("second", "one, then two", False))]  # fmt: skip
    for thread in threads:
        thread.start()
    wait_until(lambda: _waiting_on_a_lock() == 1, what="the second insert to wait on the first")
    release.set()
    for thread in threads:
        thread.join(20)
    note = SessionNote.objects.get()
    assert made == {"first": note.pk, "second": note.pk}
    assert note.intervention == "one, then two" and note.version == 2


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_resent_group_form_makes_nothing_new(signed_in_peer, peer, program, person):
    other = enrolled_participant(peer, program=program, started_days_ago=30)
    data = {**group_data([person, other]), "client_key": str(uuid.uuid4())}
    first = signed_in_peer.post(reverse("group_new"), data)
    again = signed_in_peer.post(reverse("group_new"), data)
    assert first.status_code == again.status_code == 302 and again.url == first.url
    assert GroupSession.objects.count() == 1 and SessionNote.objects.count() == 2
    assert "was already saved" in signed_in_peer.get(again.url).content.decode()


@pytest.mark.django_db
def test_the_group_form_carries_a_key(signed_in_peer, person):
    body = signed_in_peer.get(reverse("group_new")).content.decode()
    assert re.search(r'name="client_key" value="[0-9a-f-]{36}"', body)


# --- No lost update ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["autosave", "draft", "submit"])
def test_a_save_from_a_page_that_loaded_an_older_version_is_refused(signed_in_peer, person, how):
    autosave = reverse("notes:note_autosave", args=[person.pk])
    signed_in_peer.post(autosave, {"intervention": "Tab A"})
    note = SessionNote.objects.get()
    signed_in_peer.post(autosave, {"note_id": note.pk, "version": 1, "intervention": "Tab B wrote this"})
    data = {**note_data(intervention="Tab A, later"), "note_id": note.pk, "version": 1, "action": how, "attest": "1"}
    url = autosave if how == "autosave" else reverse("notes:note_edit", args=[note.pk])
    response = signed_in_peer.post(url, data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "This draft changed elsewhere (another tab or device) at" in body
    assert "what you typed here is kept on this page" in body
    note.refresh_from_db()
    assert (note.intervention, note.version, note.status) == ("Tab B wrote this", 2, SessionNote.Status.DRAFT)
    if how != "autosave":
        assert 'id="error-summary"' in body and "Tab A, later" in body  # the typing is on the page


@pytest.mark.django_db
def test_a_save_sent_twice_from_the_phone_is_saved_once_not_refused(signed_in_peer, person):
    """The outbox sends again a save whose answer it never saw: not "changed elsewhere"."""
    signed_in_peer.post(reverse("notes:note_autosave", args=[person.pk]), {"intervention": "Half"})
    note = SessionNote.objects.get()
    data = {**note_data(intervention="All of it"), "note_id": note.pk, "version": note.version, "action": "draft"}
    for _ in range(2):
        response = signed_in_peer.post(reverse("notes:note_edit", args=[note.pk]), data)
        assert response.status_code == 302 and response.url.endswith("?saved=1")
    note.refresh_from_db()
    assert (note.intervention, note.version) == ("All of it", 2)
    data["intervention"] = "Something else"  # a different save from the same old version still is
    assert signed_in_peer.post(reverse("notes:note_edit", args=[note.pk]), data).status_code == 409


@pytest.mark.django_db
def test_a_page_naming_a_note_without_a_version_is_refused(signed_in_peer, person):
    signed_in_peer.post(reverse("notes:note_new", args=[person.pk]), {**note_data(), "action": "draft"})
    note = SessionNote.objects.get()
    response = signed_in_peer.post(reverse("notes:note_edit", args=[note.pk]), {**note_data(), "action": "draft"})
    assert response.status_code == 409


@pytest.mark.django_db
def test_every_save_sign_and_review_bumps_the_version(client, peer, supervisor, person):
    client.force_login(peer)
    client.post(reverse("notes:note_new", args=[person.pk]), {**note_data(), "action": "draft"})
    note = SessionNote.objects.get()
    assert note.version == 1
    signing = {**note_data(), "version": 1, "action": "submit", "attest": "1"}
    client.post(reverse("notes:note_edit", args=[note.pk]), signing)
    note.refresh_from_db()
    assert (note.status, note.version) == (SessionNote.Status.SUBMITTED, 3)  # saved, then signed
    client.force_login(supervisor)
    client.post(reverse("notes:note_review", args=[note.pk]), {"decision": "return", "comment": "Add her words."})
    note.refresh_from_db()
    assert note.version == 4


# --- One draft per session -----------------------------------------------------------------


@pytest.mark.django_db
def test_log_a_session_offers_the_draft_already_started(signed_in_peer, peer, person):
    draft = SessionNoteFactory(participant=person, author=peer, intervention="Walked to the clinic")
    url = reverse("notes:note_new", args=[person.pk])
    body = signed_in_peer.get(url).content.decode()
    assert "You have 1 draft for Rosa Quintero" in body
    assert reverse("notes:note_edit", args=[draft.pk]) in body
    assert reverse("notes:note_discard", args=[draft.pk]) in body
    assert "Started " in body and "last saved " in body
    assert 'id="note-form"' not in body and f"{url}?another=1" in body
    assert 'id="note-form"' in signed_in_peer.get(url + "?another=1").content.decode()
    assert SessionNote.objects.count() == 1  # opening the page made nothing


@pytest.mark.django_db
def test_a_stale_draft_is_discarded_on_the_record(signed_in_peer, peer, person):
    draft = SessionNoteFactory(participant=person, author=peer)
    url = reverse("notes:note_discard", args=[draft.pk])
    assert signed_in_peer.get(url).status_code == 405
    response = signed_in_peer.post(url)
    assert response.status_code == 302 and response.url == reverse("notes:note_new", args=[person.pk])
    draft.refresh_from_db()
    assert draft.status == SessionNote.Status.DISCARDED  # kept, never deleted
    assert draft.events.get().action == NoteEvent.Action.DISCARDED
    assert AuditEvent.objects.filter(target_type="notes.sessionnote", target_id=str(draft.pk)).exists()
    # Out of the lists and counts, and no longer offered
    assert not selectors.my_notes(peer, tab="all").exists()
    assert selectors.note_counts(peer)["drafts"] == 0
    assert "You have" not in signed_in_peer.get(reverse("notes:note_new", args=[person.pk])).content.decode()
    assert signed_in_peer.post(url).status_code == 403  # only a draft is discarded


@pytest.mark.django_db
def test_only_the_author_discards_and_only_a_draft(client, peer, team, person):
    draft = SessionNoteFactory(participant=person, author=peer)
    signed = SignedNoteFactory(participant=person, author=peer)
    client.force_login(team["other_peer"])
    assert client.post(reverse("notes:note_discard", args=[draft.pk])).status_code == 404
    client.force_login(team["other_supervisor"])
    assert client.post(reverse("notes:note_discard", args=[draft.pk])).status_code == 403  # the role
    client.force_login(peer)
    assert client.post(reverse("notes:note_discard", args=[signed.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == SessionNote.Status.DRAFT


@pytest.mark.django_db
def test_a_discarded_note_is_no_contact_and_blocks_no_time(peer, person):
    discarded = SessionNoteFactory(participant=person, author=peer, status=SessionNote.Status.DISCARDED)
    assert selectors.last_contacts([person.pk]) == {}
    assert overlapping_note(SessionNoteFactory.build(date=discarded.date, start_time=discarded.start_time,
                            end_time=discarded.end_time), author_id=peer.pk, group_id=None) is None  # fmt: skip
    assert selectors.timeline_events(person, None, peer) == []


# --- Fewer taps ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_note_is_filled_in_from_the_last(signed_in_peer, peer, person):
    SignedNoteFactory(participant=person, author=peer, modality="phone", place_of_service="10",
                      service_types=["goal_setting", "outreach"])  # fmt: skip
    body = signed_in_peer.get(reverse("notes:note_new", args=[person.pk])).content.decode()
    assert "Filled in from your last note on" in body
    assert re.search(r'<option value="phone" selected>', body)
    assert re.search(r'<option value="10" selected>', body)
    assert re.search(r'value="goal_setting"[^>]*checked', body) and re.search(r'value="outreach"[^>]*checked', body)
    assert "SECRET NARRATIVE" not in body  # the narrative is this session's own


@pytest.mark.django_db
def test_with_no_earlier_note_nothing_is_filled_in(signed_in_peer, person):
    body = signed_in_peer.get(reverse("notes:note_new", args=[person.pk])).content.decode()
    assert "Filled in from" not in body


# --- Form errors ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refusal_has_an_error_summary_and_keeps_the_attestation_ticked(signed_in_peer, person):
    response = sign(signed_in_peer, person, uuid.uuid4(), intervention="")
    body = response.content.decode()
    assert response.status_code == 400
    summary = body[body.index('id="error-summary"') : body.index("</div>", body.index('id="error-summary"'))]
    assert 'role="alert"' in body and 'tabindex="-1"' in body
    assert 'href="#id_intervention"' in summary and "Add what was done before submitting." in summary
    assert re.search(r'id="attest" value="1" checked', body)


@pytest.mark.django_db
def test_the_fields_required_to_sign_are_marked(signed_in_peer, person):
    body = signed_in_peer.get(reverse("notes:note_new", args=[person.pk]) + "?another=1").content.decode()
    assert body.count('class="asteriskField"') == 10  # nine fields and the legend
    assert "Required to sign" in body


# --- After signing -------------------------------------------------------------------------


@pytest.mark.django_db
def test_after_signing_the_author_is_offered_the_next_session(signed_in_peer, supervisor, person):
    response = sign(signed_in_peer, person, uuid.uuid4())
    body = signed_in_peer.get(response.url).content.decode()
    assert "Log another session with Rosa Quintero" in body
    assert reverse("notes:note_new", args=[person.pk]) in body and reverse("my_caseload") in body
    assert "Back to my caseload" in body
    # Only right after signing, and only to the author
    note = SessionNote.objects.get()
    plain = signed_in_peer.get(reverse("notes:note_detail", args=[note.pk])).content.decode()
    assert "Log another session" not in plain
    signed_in_peer.force_login(supervisor)
    assert "Log another session" not in signed_in_peer.get(response.url).content.decode()


@pytest.mark.django_db
def test_a_group_note_shows_its_topic_on_the_timeline(signed_in_peer, peer, person):
    signed_in_peer.post(reverse("group_new"), group_data([person]))
    (event,) = selectors.timeline_events(person, None, peer)
    assert "Coping with holidays" in event.title


@pytest.mark.django_db
def test_an_autosave_reads_its_draft_once(signed_in_peer, person):
    """Autosave is the commonest request there is (a phone sends one every pause in typing):
    the draft it names is read once, with the user's scope, not once per check."""
    key, url = uuid.uuid4(), reverse("notes:note_autosave", args=[person.pk])
    signed_in_peer.post(url, {"client_key": key, "intervention": "Half"})
    note = SessionNote.objects.get()
    data = {"client_key": key, "note_id": note.pk, "version": note.version, "intervention": "Half a sentence"}
    with CaptureQueriesContext(connection) as read:
        response = signed_in_peer.post(url, data)
    assert response.status_code == 200
    table = SessionNote._meta.db_table
    drafts_read = [q for q in read.captured_queries if q["sql"].startswith(f'SELECT "{table}"."id"')]
    assert len(drafts_read) == 2, [q["sql"][:200] for q in drafts_read]  # the author's read, and the save's lock
    # Read as its author's (issue 16): the care scope's subqueries are neither built nor run,
    # and it joins only the participant and their plan; the author is the user, not read again.
    assert drafts_read[0]["sql"].count("SELECT") == 1, drafts_read[0]["sql"]
    assert drafts_read[0]["sql"].count(" JOIN ") == 2, drafts_read[0]["sql"]
    profiles = StaffProfile._meta.db_table
    assert not [q for q in read.captured_queries if f'FROM "{profiles}"' in q["sql"]]
    assert SessionNote.objects.get().intervention == "Half a sentence"


@pytest.mark.django_db
def test_an_autosave_of_the_text_asks_no_caseload_and_leaves_the_goals_alone(signed_in_peer, person):
    """Editing is the author's, whoever's caseload the person is on now: an autosave does not
    ask the caseload (the note's scoped read already did), and writes the goals only when
    they changed. A changed goal is still saved, and named in the history."""
    goal = Goal.objects.create(
        plan=PlanFactory(participant=person), description="Work", objectives="CV", target_date=timezone.localdate()
    )
    key, url = uuid.uuid4(), reverse("notes:note_autosave", args=[person.pk])
    signed_in_peer.post(url, {"client_key": key, "intervention": "Half", "goals_addressed": [goal.pk]})
    note = SessionNote.objects.get()
    data = {"client_key": key, "note_id": note.pk, "version": note.version, "goals_addressed": [goal.pk]}
    with CaptureQueriesContext(connection) as saved:
        response = signed_in_peer.post(url, {**data, "intervention": "Half a sentence"})
    assert response.status_code == 200
    goals = SessionNote.goals_addressed.through._meta.db_table
    asked = [q["sql"][:120] for q in saved.captured_queries if q["sql"].startswith(("SELECT 1 AS", "SELECT %s AS"))]
    assert not asked  # no separate access check: the scoped read of the note decided
    plan = PlanFactory._meta.model._meta.db_table  # read with the note, for the goals offered
    assert not [q for q in saved.captured_queries if f'FROM "{plan}"' in q["sql"].split(" WHERE ")[0]]
    assert not [q for q in saved.captured_queries if q["sql"].startswith(("INSERT", "DELETE")) and goals in q["sql"]]
    assert sum(f'FROM "{goals}"' in q["sql"] or f'JOIN "{goals}"' in q["sql"] for q in saved.captured_queries) == 2
    note.refresh_from_db()
    assert (note.intervention, list(note.goals_addressed.all())) == ("Half a sentence", [goal])

    response = signed_in_peer.post(url, {**data, "version": note.version, "goals_addressed": [], "intervention": "x"})
    assert response.status_code == 200 and not SessionNote.objects.get().goals_addressed.exists()
    last = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).latest("pk")
    assert last.details == {"draft": ["goals_addressed", "intervention"]}


@pytest.mark.django_db
def test_the_editor_reads_the_plans_goals_once_and_a_drafts_history_not_at_all(signed_in_peer, person):
    """The editor tests whether there are goals to offer, then renders them: one read of the
    plan's goals, not one per asking; and only a returned note looks up its return comment."""
    goal = Goal.objects.create(
        plan=PlanFactory(participant=person), description="Work", objectives="CV", target_date=timezone.localdate()
    )
    signed_in_peer.post(reverse("notes:note_autosave", args=[person.pk]), {"client_key": uuid.uuid4(), "x": "1"})
    note = SessionNote.objects.get()
    with CaptureQueriesContext(connection) as read:
        page = signed_in_peer.get(reverse("notes:note_edit", args=[note.pk])).content.decode()
    assert f'value="{goal.pk}"' in page and "Work" in page
    goals, events = Goal._meta.db_table, NoteEvent._meta.db_table
    heads = [q["sql"].split(" WHERE ")[0] for q in read.captured_queries]
    assert sum(h.endswith(f'FROM "{goals}"') for h in heads) == 1, heads  # the plan's active goals
    table = SessionNote._meta.db_table  # the note itself, read as its author's: no scope subqueries
    note_reads = [q["sql"] for q in read.captured_queries if q["sql"].startswith(f'SELECT "{table}"."id"')]
    assert [sql.count("SELECT") for sql in note_reads] == [1]
    assert not [h for h in heads if f'FROM "{events}"' in h]
