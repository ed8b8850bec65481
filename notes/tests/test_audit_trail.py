"""The audit log says who did what to which record, never the PHI itself (45 CFR 164.312(b);
values live in the record's own history, where access rules apply)."""

import json

import pytest
from django.urls import reverse

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import save_with_audit
from audit.tests.reading import subject_ids
from notes.models import SessionNote
from participants.tests.factories import CoverageFactory, PlanFactory

from .factories import note_data


def _audit_text() -> str:
    rows = AuditEvent.objects.values("actor_label", "target_label", "details", "user_agent")
    return json.dumps(list(rows), default=str)


@pytest.mark.django_db
def test_a_journey_leaves_no_name_birth_date_medicaid_id_or_note_text_in_the_audit_log(
    client, peer, supervisor, person
):
    person.medicaid_id = "518273645"
    save_with_audit(person, ctx=AuditContext(actor=peer))  # an edit: the Medicaid ID changed
    person.last_name = "Quintero-Diaz"
    save_with_audit(person, ctx=AuditContext(actor=peer))
    client.force_login(peer)
    client.get(reverse("participants:detail", args=[person.pk]))
    autosave = reverse("notes:note_autosave", args=[person.pk])
    client.post(autosave, {"intervention": "Walked to the clinic together"})
    note = SessionNote.objects.get()
    client.post(autosave, {"note_id": note.pk, "version": 1, "intervention": "Walked to the clinic, talked relapse"})
    edit_url = reverse("notes:note_edit", args=[note.pk])
    data = {**note_data(response="Cried about her son"), "version": 2, "action": "submit", "attest": "1"}
    client.post(edit_url, data)
    client.force_login(supervisor)
    client.post(reverse("notes:note_review", args=[note.pk]), {"decision": "return", "comment": "Mention the overdose"})
    client.force_login(peer)
    client.post(reverse("notes:note_addendum", args=[note.pk]), {"text": "Late entry: methadone dose"})

    text = _audit_text()
    assert AuditEvent.objects.filter(target_id=str(note.pk)).count() >= 4  # the journey was recorded
    for phi in ("Rosa", "Quintero", "1980-05-17", "518273645", "clinic", "her son", "overdose", "methadone"):
        assert phi not in text, phi


@pytest.mark.django_db
def test_every_autosave_of_a_draft_is_one_row_naming_the_changed_fields(signed_in_peer, person):
    url = reverse("notes:note_autosave", args=[person.pk])
    signed_in_peer.post(url, {"intervention": "Half a sent"})
    note = SessionNote.objects.get()
    signed_in_peer.post(url, {"note_id": note.pk, "version": 1, "intervention": "Half a sentence"})
    signed_in_peer.post(url, {"note_id": note.pk, "version": 2, "intervention": "Half a sentence", "response": "Ok"})
    rows = AuditEvent.objects.filter(target_type="notes.sessionnote", target_id=str(note.pk)).order_by("pk")
    assert [row.action for row in rows] == ["create", "update", "update"]
    assert [row.details for row in rows[1:]] == [{"draft": ["intervention"]}, {"draft": ["response"]}]


@pytest.mark.django_db
def test_opening_a_note_records_one_read_of_it(client, peer, person):
    client.force_login(peer)
    client.post(reverse("notes:note_autosave", args=[person.pk]), {"intervention": "Half a sent"})
    note = SessionNote.objects.get()
    assert client.get(reverse("notes:note_detail", args=[note.pk])).status_code == 200
    read = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, target_type="notes.sessionnote")
    assert (read.actor, read.target_id, read.details) == (peer, str(note.pk), {"page": "note"})


@pytest.mark.django_db
def test_a_search_records_the_query_and_the_ids_it_showed(client, peer, person):
    client.force_login(peer)
    assert client.get(reverse("participants:search"), {"q": "Quin\x00"}).status_code in (200, 400)
    assert client.get(reverse("participants:search"), {"q": "Quin"}).status_code == 200
    read = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, details__page="participant search").first()
    assert (read.actor, read.details["query"], subject_ids(read)) == (peer, "Quin", [person.pk])


@pytest.mark.django_db
def test_opening_the_plan_and_a_coverage_records_a_read_of_each(client, peer, person):
    plan, coverage = PlanFactory(participant=person), CoverageFactory(participant=person)
    client.force_login(peer)
    assert client.get(reverse("participants:plan_edit", args=[person.pk])).status_code == 200
    assert client.get(reverse("participants:coverage_edit", args=[person.pk, coverage.pk])).status_code == 200
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).order_by("pk")
    assert [(r.target_type, r.target_id) for r in reads] == [
        ("participants.recoveryplan", str(plan.pk)),
        ("participants.coverage", str(coverage.pk)),
    ]


def test_service_types_ticked_in_another_order_are_no_change(signed_in_peer, person):
    """The editor posts ticked boxes in the form's order; a draft stored in another order (an
    import, the large demo) is the same draft, not a change worth an audit row."""
    url = reverse("notes:note_autosave", args=[person.pk])
    signed_in_peer.post(url, {"intervention": "Met", "service_types": ["self_advocacy", "recovery_coaching"]})
    note = SessionNote.objects.get()
    SessionNote.objects.filter(pk=note.pk).update(service_types=["self_advocacy", "recovery_coaching"])
    fields = {"note_id": note.pk, "version": 1, "intervention": "Met", "response": "Ok"}
    signed_in_peer.post(url, fields | {"service_types": ["recovery_coaching", "self_advocacy"]})
    update = AuditEvent.objects.filter(target_type="notes.sessionnote", action="update").get()
    assert update.details == {"draft": ["response"]}
