"""Factories and helpers for session notes, for this app's tests and those of apps to its right."""

import datetime

import factory
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.models import Addendum, GroupSession, Modality, NoteEvent, PlaceOfService, SessionNote
from participants.models import Goal
from participants.tests.factories import ParticipantFactory, days_ago


class SessionNoteFactory(factory.django.DjangoModelFactory):
    """A complete note in draft; pass status= and the signature fields for a signed one, or
    use SignedNoteFactory."""

    class Meta:
        model = SessionNote

    participant = factory.SubFactory(ParticipantFactory)
    author = factory.SubFactory(UserFactory, role=Role.PEER_SPECIALIST)
    date = factory.LazyFunction(lambda: days_ago(3))
    start_time = datetime.time(10, 0)
    end_time = datetime.time(10, 45)
    modality = Modality.IN_PERSON
    place_of_service = PlaceOfService.COMMUNITY
    service_types = factory.LazyFunction(lambda: ["recovery_coaching"])
    intervention = "SECRET NARRATIVE what was done"
    response = "SECRET NARRATIVE response"
    next_steps = "SECRET NARRATIVE next"


class SignedNoteFactory(SessionNoteFactory):
    """A co-signed note, as billing takes it."""

    status = SessionNote.Status.COSIGNED
    signed_at = factory.LazyFunction(timezone.now)
    signature = factory.LazyAttribute(lambda note: note.author.get_full_name())


class GroupSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupSession

    facilitator = factory.SubFactory(UserFactory, role=Role.PEER_SPECIALIST)
    topic = "Wellness recovery action planning"
    date = factory.LazyFunction(lambda: days_ago(3))
    start_time = datetime.time(14, 0)
    end_time = datetime.time(15, 0)
    modality = Modality.IN_PERSON
    place_of_service = PlaceOfService.CMHC


class NoteEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoteEvent

    note = factory.SubFactory(SignedNoteFactory)
    action = NoteEvent.Action.SUBMITTED
    actor = factory.SelfAttribute("note.author")


class AddendumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Addendum

    note = factory.SubFactory(SignedNoteFactory)
    author = factory.SelfAttribute("note.author")
    text = "Correction: the session was at the library, not the clinic."


def signed_note(
    person,
    author,
    *,
    day=None,
    start="10:00",
    end="10:45",
    modality="in_person",
    place="99",
    group=None,
    goals=None,
    service="peer_support",
):
    """A co-signed note of `author` for `person`, with the times given as text, of `service`.
    It addresses `goals`, by default the first active goal of the person's plan when they have one."""
    note = SignedNoteFactory(
        participant=person,
        author=author,
        group=group,
        service=service,
        date=day or days_ago(3),
        start_time=datetime.time.fromisoformat(start),
        end_time=datetime.time.fromisoformat(end),
        modality=modality,
        place_of_service=place,
    )
    if goals is None:
        goals = Goal.objects.filter(plan__participant=person, status=Goal.Status.ACTIVE).order_by("pk")[:1]
    note.goals_addressed.set(goals)
    return note


def note_data(**overrides) -> dict:
    """A complete session note as the editor posts it."""
    data = {
        "date": days_ago(1).isoformat(),
        "start_time": "10:00",
        "end_time": "10:45",
        "modality": "in_person",
        "place_of_service": "99",
        "service": "peer_support",
        "service_types": ["recovery_coaching"],
        "intervention": "Worked on the housing goal.",
        "response": "Engaged; made the call herself.",
        "next_steps": "Meet next Tuesday.",
    }
    return {**data, **overrides}


def group_data(people, **overrides):
    """A group session with `people` attending, as the group form posts it, signed."""
    data = {
        "topic": "Coping with holidays",
        "date": days_ago(1).isoformat(),
        "start_time": "13:00",
        "end_time": "14:00",
        "modality": "in_person",
        "place_of_service": "53",
        "service": "peer_support",
        "service_types": ["support_group"],
        "intervention": "Led a discussion of coping skills.",
        "next_steps": "Next group Thursday.",
        "action": "submit",
        "attest": "1",
    }
    for p in people:
        data[f"attend-{p.pk}"] = "1"
        data[f"note-{p.pk}"] = f"{p.first_name} shared a strategy."
    return {**data, **overrides}
