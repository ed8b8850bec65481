import datetime
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.tests.factories import ClaimLineFactory
from notes.models import SessionNote
from notes.tests.factories import GroupSessionFactory
from programs.tests.factories import ProgramFactory
from reports.figures import services

from .month import END, START, at, note, numbers, october, person, specialist, table

Status = SessionNote.Status
SEP_1 = datetime.date(2026, 9, 1)


def bill(a_note, units: int, **fields):
    return ClaimLineFactory(note=a_note, units=units, claim__participant=a_note.participant, **fields)


def build_month(program):
    """October 2026 in `program` (contact every 14 days), and what must not count around it."""
    other = ProgramFactory(agency=program.agency, name="Warmline")
    ana = specialist(program, "Ana", "Alvarez")
    ben = specialist(program, "Ben", "Brooks")
    a = person(program, SEP_1, to=ana)
    b = person(program, SEP_1, to=ben)
    c = person(program, SEP_1, end=october(20), reason="moved", to=ben)
    k = person(program, SEP_1, to=ben)
    m = person(program, SEP_1, to=ben)
    f = person(other, SEP_1, to=ana)
    # The sessions that count: 1 (a), 2 (a), 3 (b), 4 (c), and a group of two (a and b).
    bill(note(a, ana, october(5), start="10:00", end="10:45", modality="in_person", place_of_service="99"), 3)
    note(a, ana, october(12), start="10:00", end="11:00", modality="phone", place_of_service="10",
         status=Status.SUBMITTED)  # fmt: skip
    three = note(b, ben, october(1), start="09:00", end="09:30", modality="video", place_of_service="10",
                 service="skills_training", status=Status.FINAL)  # fmt: skip
    bill(three, 5, voided=True)  # a voided line bills nothing
    bill(three, 2)
    note(c, ben, october(19), start="13:00", end="13:15", modality="in_person", place_of_service="11")
    group = GroupSessionFactory(facilitator=ana, date=october(20))
    for who in (a, b):
        attended = note(who, ana, october(20), start="14:00", end="15:00", place_of_service="53", group=group)
    bill(attended, 4)  # b's group note
    # What must not count.
    note(a, ana, october(30), status=Status.DRAFT)
    note(a, ana, october(7), status=Status.RETURNED)
    note(a, ana, october(30).replace(month=9))  # before the month
    note(b, ben, october(1).replace(month=11))  # after it
    note(c, ben, october(25))  # after c's discharge
    note(f, ana, october(6))  # the other program
    note(k, ben, october(20).replace(month=9))  # k's last contact is long ago...
    note(k, ben, october(25), status=Status.DRAFT)  # ...and a draft is no contact
    note(m, ben, october(17), status=Status.RETURNED)  # 14 days before the end: still in time
    return ana, ben


def test_a_hand_built_month_is_counted_number_by_number(program):
    build_month(program)

    section = services.section(program, START, END)

    assert json.loads(json.dumps(section)) == section
    assert numbers(section) == {
        "Sessions": 6,  # 1, 2, 3, 4, and the group's two notes
        "Hours": "4.50",  # 45 + 60 + 30 + 15 + 60 + 60 = 270 minutes
        "Units on claims": 9,  # 3 + 2 + 4 (the voided 5 does not count; 2 and c's are not billed)
        "Group sessions held": 1,
        "Contacted within 14 days": "75.0",  # 3 of 4
        "Active participants contacted in time": 3,  # a, b (the group on the 20th), m (a return on the 17th)
        "Active on 2026-10-31": 4,  # a, b, k, m (c discharged on the 20th)
    }
    columns = ["Sessions", "Participants", "Hours", "Units on claims"]
    by_service = table(section, "Services by service")
    assert by_service["columns"][1:] == columns
    assert by_service["rows"] == [
        ["Peer support", 5, 3, "4.00", 7],  # 45 + 60 + 15 + 60 + 60 minutes; 3 + 4 units
        ["Skills training and development", 1, 1, "0.50", 2],
    ]
    assert by_service["total"] == ["Total", 6, 3, "4.50", 9]
    assert table(section, "Services by modality")["rows"] == [
        ["In person", 4, 3, "3.00", 7],  # 45 + 15 + 60 + 60
        ["Phone", 1, 1, "1.00", 0],
        ["Video", 1, 1, "0.50", 2],
    ]
    assert table(section, "Services by place of service")["rows"] == [
        ["10 Telehealth in the participant's home", 2, 2, "1.50", 2],
        ["53 Community mental health center", 2, 2, "2.00", 4],
        ["11 Office", 1, 1, "0.25", 0],
        ["99 Community (other place)", 1, 1, "0.75", 3],
    ]
    assert table(section, "Services by specialist")["rows"] == [
        ["Ana Alvarez", 4, 2, "3.75", 7],  # 45 + 60 + 60 + 60 minutes: a and b
        ["Ben Brooks", 2, 2, "0.75", 2],  # 30 + 15: b and c
    ]
    assert table(section, "Services by kind")["rows"] == [
        ["Individual", 4, 3, "2.50", 5],
        ["Group", 2, 2, "2.00", 4],
    ]
    assert table(section, "Contact in time per specialist")["rows"] == [
        ["Ana Alvarez", 1, 1, "100.0"],  # a (f is in the other program)
        ["Ben Brooks", 3, 2, "66.7"],  # b and m of b, k, m (c was discharged)
    ]
    weeks = section["charts"][0]
    assert weeks["id"] == "services-by-week"
    assert weeks["labels"] == ["Sep 28", "Oct 5", "Oct 12", "Oct 19", "Oct 26"]
    assert weeks["series"] == [{"label": "Sessions", "values": [1, 1, 1, 3, 0]}]  # 3 on Oct 1; 4 and the group


def test_an_empty_month_has_no_share(program):
    section = services.section(program, START, END)
    assert numbers(section)["Sessions"] == 0
    assert numbers(section)["Hours"] == "0.00"
    assert numbers(section)["Contacted within 14 days"] is None


def _grow(program, author, count: int):
    people = [person(program, SEP_1, to=author) for _ in range(3)]
    SessionNote.objects.bulk_create(
        SessionNote(
            participant=people[i % 3], author=author, status=Status.COSIGNED, date=october(1 + i % 31),
            start_time=datetime.time(10), end_time=datetime.time(10, 30), modality="in_person",
            place_of_service="99", signed_at=at(october(1 + i % 31)),
        )
        for i in range(count)
    )  # fmt: skip


def test_the_query_count_does_not_grow_with_the_notes(program):
    ana = specialist(program, "Ana", "Alvarez")
    _grow(program, ana, 10)
    with CaptureQueriesContext(connection) as small:
        services.section(program, START, END)
    more = ProgramFactory(agency=program.agency, name="Bigger")
    _grow(more, specialist(more, "Ann", "Again"), 1000)
    with CaptureQueriesContext(connection) as large:
        section = services.section(more, START, END)
    assert numbers(section)["Sessions"] == 1000
    assert numbers(section)["Hours"] == "500.00"
    assert len(small) == len(large)
