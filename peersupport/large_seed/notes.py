"""Two years of session notes for the large caseloads, in every state a note can be in:
co-signed (some returned once first), final, discarded, and, in the last two weeks, drafts,
notes waiting for co-signature and returned ones; addenda on some locked notes. Each note
addresses its participant's plan goal, and no specialist's sessions overlap."""

import datetime

from notes.models import Addendum, Modality, NoteEvent, PlaceOfService, Service, ServiceType, SessionNote

from . import Gen
from .copy import Copier, reserve_ids

Status, Action = SessionNote.Status, NoteEvent.Action
NOTE_COLUMNS = [
    "id", "participant_id", "author_id", "status", "date", "start_time", "end_time", "modality", "place_of_service",
    "service", "service_types", "intervention", "response", "next_steps", "signed_at", "signature", "cosigned_by_id",
    "cosigned_at", "version", "created_at", "updated_at",
]  # fmt: skip
NARRATIVES = [
    ("Reviewed progress on the housing goal and practised a call to a landlord.", "Made the call with support.",
     "Follow up on the application Friday."),
    ("Shared my recovery story around relapse and talked through a wellness plan.", "Named two early warning signs.",
     "Write the warning signs into the plan."),
    ("Linked to the food pantry and the workforce center; walked through bus routes.", "Chose the Thursday hours.",
     "Check in after the first workforce visit."),
]  # fmt: skip
MODALITIES = [Modality.IN_PERSON, Modality.IN_PERSON, Modality.IN_PERSON, Modality.VIDEO, Modality.PHONE]
SERVICE_TYPES = [ServiceType.RECOVERY_COACHING, ServiceType.RESOURCE_LINKAGE, ServiceType.GOAL_SETTING]
LOCKED_AFTER_DAYS = 14  # older notes have all been signed (and co-signed)
# The last two weeks cycle through the states still in progress.
RECENT_COSIGNED = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.COSIGNED, Status.DISCARDED]
RECENT_FINAL = [Status.DRAFT, Status.FINAL]
RETURNED_FIRST_EVERY, ADDENDUM_EVERY, DISCARDED_EVERY = 37, 101, 211
DAY_START, DAY_END = 8 * 60, 22 * 60


def generate(gen: Gen) -> None:
    rng, today = gen.rng, gen.today
    people = gen.data["participants"]  # (id, started, specialist id, goal id, coverage)
    team = {spec: (sup, cosigns) for spec, sup, _prog, cosigns in gen.data["team"]}
    names = dict(_names(list(team)))
    counts = _note_counts(gen, people)
    busy = _busy_from_existing(list(team))
    first_id = reserve_ids(SessionNote, sum(counts))
    notes = Copier(SessionNote, NOTE_COLUMNS)
    events = Copier(NoteEvent, ["note_id", "action", "actor_id", "at", "comment", "snapshot"])
    goals = Copier(SessionNote.goals_addressed.through, ["sessionnote_id", "goal_id"])
    addenda = Copier(Addendum, ["note_id", "author_id", "text", "created_at"])
    billable = []  # (note id, participant id, author id, date, minutes, modality, place) of locked notes
    seen = set()
    note_id = first_id
    for (pid, started, author, goal_id, _coverage), count in zip(people, counts, strict=True):
        supervisor, cosigns = team[author]
        last = today - datetime.timedelta(days=rng.randint(0, 10))
        span = (last - started).days
        for k in range(count):
            day = started + datetime.timedelta(days=round(k * span / max(count - 1, 1)))
            minutes = rng.choice([30, 45, 60])
            day, begin = _slot(busy, author, day, minutes)
            age = (today - day).days
            if age > LOCKED_AFTER_DAYS:
                status = Status.COSIGNED if cosigns else Status.FINAL
                if (note_id - first_id) % DISCARDED_EVERY == DISCARDED_EVERY - 1:
                    status = Status.DISCARDED
            else:
                recent = RECENT_COSIGNED if cosigns else RECENT_FINAL
                status = recent[(note_id - first_id) % len(recent)]
                if status == Status.COSIGNED and age < 2:
                    status = Status.SUBMITTED  # not co-signed before the visit was signed
            seen.add(status)
            modality = rng.choice(MODALITIES)
            place = PlaceOfService.COMMUNITY if modality == Modality.IN_PERSON else PlaceOfService.TELEHEALTH_HOME
            start = datetime.datetime.combine(day, datetime.time(begin // 60, begin % 60))
            end = start + datetime.timedelta(minutes=minutes)
            signed_at = gen.at(day, (begin + minutes + 30) // 60, (begin + minutes + 30) % 60)
            signed = status not in SessionNote.UNSIGNED
            cosigned_at = signed_at + datetime.timedelta(days=1) if status == Status.COSIGNED else None
            created = gen.at(day, begin // 60, begin % 60)
            intervention, response, next_steps = NARRATIVES[rng.randrange(len(NARRATIVES))]
            notes.add((
                note_id, pid, author, status, day, start.time(), end.time(), modality, place, Service.PEER_SUPPORT,
                rng.sample(SERVICE_TYPES, 2), intervention, response, next_steps, signed_at if signed else None,
                names[author] if signed else "", supervisor if cosigned_at else None, cosigned_at, 1,
                created, cosigned_at or (signed_at if signed else created),
            ))  # fmt: skip
            goals.add((note_id, goal_id))
            _events(events, note_id, note_id - first_id, status, author, supervisor, signed_at, cosigned_at, cosigns)
            if status in SessionNote.LOCKED:
                billable.append((note_id, pid, author, day, minutes, modality, place))
                if (note_id - first_id) % ADDENDUM_EVERY == ADDENDUM_EVERY - 1:
                    addenda.add((note_id, author, "Correction: the visit was at the library, not at home.",
                                 signed_at + datetime.timedelta(days=3)))  # fmt: skip
            note_id += 1
    gen.data["billable_notes"] = billable
    gen.counts.update(
        notes=notes.close(), note_events=events.close(), notes_goals=goals.close(), addenda=addenda.close()
    )
    gen.data["note_states"] = seen


def _events(events: Copier, note_id, serial, status, author, supervisor, signed_at, cosigned_at, cosigns) -> None:
    """A note's history, as signing and co-signing would have written it."""
    if status == Status.DRAFT:
        return
    if status == Status.DISCARDED:
        events.add((note_id, Action.DISCARDED, author, signed_at, "Logged twice.", {}))
        return
    if not cosigns:
        events.add((note_id, Action.FINALIZED, author, signed_at, "", {}))
        return
    events.add((note_id, Action.SUBMITTED, author, signed_at, "", {}))
    returned_first = status == Status.COSIGNED and serial % RETURNED_FIRST_EVERY == RETURNED_FIRST_EVERY - 1
    if status == Status.RETURNED or returned_first:
        back = signed_at + datetime.timedelta(hours=4)
        events.add((note_id, Action.RETURNED, supervisor, back, "Please add the participant's own words.", {}))
        if returned_first:
            events.add((note_id, Action.SUBMITTED, author, back + datetime.timedelta(hours=2), "", {}))
    if status == Status.COSIGNED:
        events.add((note_id, Action.COSIGNED, supervisor, cosigned_at, "", {}))


def _note_counts(gen: Gen, people) -> list[int]:
    """Notes per participant, in proportion to the days since intake, summing to the size."""
    today, total = gen.today, gen.sizes.notes
    days = [(today - started).days + 1 for _pid, started, *_ in people]
    whole = sum(days)
    counts = [total * d // whole for d in days]
    for n in range(total - sum(counts)):
        counts[n % len(counts)] += 1
    return counts


def _slot(busy: dict, author: int, day: datetime.date, minutes: int) -> tuple[datetime.date, int]:
    """The first start (minutes after midnight) from 8:00 on `day` at which the author is free
    for `minutes`, or the next day's when the day is full; the slot is then taken."""
    while True:
        taken = busy.setdefault((author, day), [])
        begin = DAY_START
        for start, end in sorted(taken):
            if begin + minutes <= start:
                break
            begin = max(begin, end + 15)
        if begin + minutes <= DAY_END:
            taken.append((begin, begin + minutes))
            return day, begin
        day += datetime.timedelta(days=1)


def _busy_from_existing(authors: list[int]) -> dict:
    """The demo's own sessions of these specialists (the demo peer's), so none is overlapped."""
    busy: dict = {}
    rows = SessionNote.objects.filter(author_id__in=authors).exclude(start_time=None).exclude(date=None)
    for author, day, start, end in rows.values_list("author_id", "date", "start_time", "end_time"):
        busy.setdefault((author, day), []).append((start.hour * 60 + start.minute, end.hour * 60 + end.minute))
    return busy


def _names(user_ids: list[int]):
    from accounts.models import User

    for user in User.objects.filter(pk__in=user_ids).only("first_name", "last_name"):
        yield user.pk, user.get_full_name()
