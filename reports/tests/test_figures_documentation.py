import datetime
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.models import NoteEvent, SessionNote
from notes.tests.factories import NoteEventFactory
from programs.tests.factories import ProgramFactory
from reports.figures import documentation

from .month import END, START, at, note, numbers, october, person, specialist

Status = SessionNote.Status
Action = NoteEvent.Action
SEP_1 = datetime.date(2026, 9, 1)


def september(day: int) -> datetime.date:
    return datetime.date(2026, 9, day)


def november(day: int) -> datetime.date:
    return datetime.date(2026, 11, day)


def history(a_note, *steps):
    """The note's events: (action, day) pairs, at noon, by its author or the supervisor."""
    for action, day in steps:
        NoteEventFactory(note=a_note, action=action, at=at(day))


def written(who, author, session, signed, *, cosigned=None, status=Status.COSIGNED):
    return note(who, author, session, status=status, signed=at(signed), cosigned_at=cosigned and at(cosigned))


def build_month(program):
    other = ProgramFactory(agency=program.agency, name="Warmline")
    ana = specialist(program, "Ana", "Alvarez")
    a = person(program, SEP_1, to=ana)
    b = person(program, SEP_1, to=ana)
    f = person(other, SEP_1, to=ana)
    one = written(a, ana, october(1), october(3), cosigned=october(5))  # 2 days to sign, 2 to co-sign
    history(one, (Action.SUBMITTED, october(3)), (Action.COSIGNED, october(5)))
    two = written(b, ana, october(2), october(2), cosigned=october(9))  # 0 and 7
    history(two, (Action.SUBMITTED, october(2)), (Action.COSIGNED, october(9)))
    three = written(a, ana, october(10), october(14), status=Status.FINAL)  # 4; final, never waits
    history(three, (Action.FINALIZED, october(14)))
    four = written(b, ana, october(20), october(21), status=Status.SUBMITTED)  # 1; waiting since the 21st
    history(four, (Action.SUBMITTED, october(21)))
    five = written(a, ana, september(28), september(29), cosigned=october(2))  # co-signed in October: 3
    history(five, (Action.SUBMITTED, september(29)), (Action.COSIGNED, october(2)))
    six = written(b, ana, october(25), october(30), cosigned=november(3))  # 5; waiting on the 31st
    history(six, (Action.SUBMITTED, october(30)), (Action.COSIGNED, november(3)))
    seven = written(a, ana, october(6), october(7), status=Status.RETURNED)  # 1; returned on the 8th
    history(seven, (Action.SUBMITTED, october(7)), (Action.RETURNED, october(8)))
    eight = written(b, ana, october(12), october(20), cosigned=october(22))  # signed again on the 20th: 8; 2
    history(
        eight,
        (Action.SUBMITTED, october(13)),
        (Action.RETURNED, october(14)),
        (Action.SUBMITTED, october(16)),
        (Action.RETURNED, october(18)),
        (Action.SUBMITTED, october(20)),
        (Action.COSIGNED, october(22)),
    )
    note(a, ana, october(15), status=Status.DRAFT)
    ten = written(a, ana, september(19), september(20), status=Status.SUBMITTED)  # waiting since September
    history(ten, (Action.SUBMITTED, september(20)))
    late = written(b, ana, october(30), november(2), status=Status.SUBMITTED)  # signed in November
    history(late, (Action.SUBMITTED, november(2)))
    elsewhere = written(f, ana, october(5), october(5), cosigned=october(6))
    history(elsewhere, (Action.SUBMITTED, october(5)), (Action.RETURNED, october(5)), (Action.COSIGNED, october(6)))


def test_a_hand_built_month_is_counted_number_by_number(program):
    build_month(program)

    section = documentation.section(program, START, END)

    assert json.loads(json.dumps(section)) == section
    assert numbers(section) == {
        "Notes signed": 7,  # one, two, three, four, six, seven, eight
        "Notes co-signed": 4,  # one, two, five, eight
        "Signed as final (no co-signature required)": 1,  # three
        "Median days from session to signature": "2.0",  # 0 1 1 [2] 4 5 8
        "Median days from signature to co-signature": "2.5",  # 2 2 | 3 7
        "Waiting for co-signature on 2026-10-31": 3,  # four, six (co-signed in November), ten
        "Of those, waiting more than 7 days": 2,  # four (the 21st), ten (September)
        "Notes returned": 2,  # seven, eight
        "Returns": 3,  # seven once, eight twice
    }


def test_an_empty_month_has_no_medians(program):
    section = documentation.section(program, START, END)
    assert numbers(section)["Notes signed"] == 0
    assert numbers(section)["Median days from session to signature"] is None


def _grow(program, author, count: int):
    people = [person(program, SEP_1, to=author) for _ in range(3)]
    supervisor = UserFactory(role=Role.SUPERVISOR)
    notes = SessionNote.objects.bulk_create(
        SessionNote(
            participant=people[i % 3], author=author, status=Status.COSIGNED, date=october(1 + i % 28),
            start_time=datetime.time(10), end_time=datetime.time(10, 30), modality="in_person",
            place_of_service="99", signed_at=at(october(1 + i % 28)), cosigned_at=at(october(1 + i % 28 + i % 3)),
        )
        for i in range(count)
    )  # fmt: skip
    NoteEvent.objects.bulk_create(
        NoteEvent(note=n, action=Action.RETURNED, actor=supervisor, at=n.signed_at) for n in notes
    )


def test_the_query_count_does_not_grow_with_the_notes(program):
    ana = specialist(program, "Ana", "Alvarez")
    _grow(program, ana, 10)
    with CaptureQueriesContext(connection) as small:
        documentation.section(program, START, END)
    more = ProgramFactory(agency=program.agency, name="Bigger")
    _grow(more, specialist(more, "Ann", "Again"), 1000)
    with CaptureQueriesContext(connection) as large:
        section = documentation.section(more, START, END)
    assert numbers(section)["Notes signed"] == 1000
    assert numbers(section)["Median days from session to signature"] == "0.0"
    assert numbers(section)["Median days from signature to co-signature"] == "1.0"  # 0, 1, 2 in turn
    assert numbers(section)["Returns"] == 1000
    assert len(small) == len(large)


def test_a_note_returned_after_the_period_and_signed_again_was_still_waiting_at_its_end(program):
    """Submitted Oct 5, returned Nov 3, signed again Nov 4 (its signed_at now says November): on
    Oct 31 it was waiting, and had been for more than 7 days."""
    author = specialist(program, "Ana", "Alvarez")
    who = person(program, SEP_1, to=author)
    late = written(who, author, october(5), november(4), status=Status.SUBMITTED)
    history(late, (Action.SUBMITTED, october(5)), (Action.RETURNED, november(3)), (Action.SUBMITTED, november(4)))
    figures = numbers(documentation.section(program, START, END))
    assert figures["Waiting for co-signature on 2026-10-31"] == 1
    assert figures["Of those, waiting more than 7 days"] == 1
