import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notes.models import SessionNote
from notes.tests.factories import SessionNoteFactory
from participants.models import Enrollment
from programs.tests.factories import ProgramFactory
from reports.figures import census

from .month import END, START, at, note, numbers, october, person, specialist, table

Status = SessionNote.Status
Reason = Enrollment.DischargeReason


def build_month(program):
    """October 2026 in `program` (target caseload 10), with what must not count around it."""
    other = ProgramFactory(agency=program.agency, name="Warmline")
    ana = specialist(program, "Ana", "Alvarez")
    ben = specialist(program, "Ben", "Brooks")
    specialist(other, "Cy", "Outsider")  # staff of the other program only: not listed
    a = person(program, october(1).replace(month=9), to=ana)  # Sep 1, open
    note(a, ana, october(5))
    note(a, ana, october(12), status=Status.SUBMITTED)
    b = person(program, october(15).replace(month=9), end=october(20), reason=Reason.GOALS_MET, to=ana)
    note(b, ana, october(3))
    c = person(program, october(10), to=ben)  # new
    note(c, ben, october(15), status=Status.DRAFT)  # a draft serves no one yet
    note(c, ben, october(16), status=Status.RETURNED)  # nor does a returned note
    d = person(program, october(2), end=october(25), reason=Reason.MOVED, to=ben)  # new
    note(d, ben, october(4), status=Status.FINAL)
    e = person(program, october(1).replace(month=8), end=october(30).replace(month=9), reason=Reason.GOALS_MET)
    note(e, ana, october(2))  # after the enrollment ended: not this program's service
    f = person(other, october(1).replace(month=9), to=ana)  # on Ana's caseload, in the other program
    note(f, ana, october(6))
    g = person(program, october(1).replace(month=9), to=ben)
    note(g, ben, october(29).replace(month=9))  # before the month
    note(g, ben, october(2).replace(month=11))  # after it
    person(program, october(1).replace(month=11), to=ana)  # enrolled after the month
    person(program, october(1).replace(month=9), end=END, reason=Reason.GOALS_MET, to=ana)  # i: leaves on the 31st
    person(program, october(1).replace(month=9), to=ana)  # j: no notes
    return {"ana": ana, "ben": ben}


def test_a_hand_built_month_is_counted_number_by_number(program):
    program.target_caseload = 10
    program.save()
    build_month(program)

    section = census.section(program, START, END)

    assert json.loads(json.dumps(section)) == section
    assert numbers(section) == {
        "Participants served": 3,  # a, b, d (c: draft and returned; e: discharged; f: other program; g: outside)
        "Active on 2026-10-01": 5,  # a, b, g, i, j (d starts on the 2nd, e left on Sep 30)
        "Active on 2026-10-31": 5,  # a, c, g, i (last day counts), j
        "New enrollments": 2,  # c, d
        "Discharges": 3,  # b, d, i
        "Average caseload per specialist": "2.5",  # (3 + 2) / 2
        "Target caseload": 10,
    }
    discharges = table(section, "Discharges by reason")
    assert discharges["rows"] == [["Goals met", 2], ["Moved", 1]]  # b and i; d
    assert discharges["total"] == ["Total", 3]
    caseloads = table(section, "Caseload per specialist")
    # Ana: a, i, j (b discharged, f in the other program, the November one not yet); Ben: c, g (d discharged)
    assert caseloads["rows"] == [["Ana Alvarez", 3, 10], ["Ben Brooks", 2, 10]]
    assert caseloads["total"] == ["Total", 5, 20]
    chart = section["charts"][0]
    assert chart["labels"] == ["Ana Alvarez", "Ben Brooks"]
    assert chart["series"] == [
        {"label": "Caseload", "values": [3, 2]},
        {"label": "Target", "values": [10, 10], "type": "line"},
    ]


def test_a_program_without_specialists_has_no_average(program):
    section = census.section(program, START, END)
    assert numbers(section)["Average caseload per specialist"] is None
    assert numbers(section)["Participants served"] == 0


def _grow(program, author, count: int):
    people = [person(program, october(1).replace(month=9), to=author) for _ in range(3)]
    template = SessionNoteFactory.build(participant=people[0], author=author, status=Status.COSIGNED)
    SessionNote.objects.bulk_create(
        SessionNote(
            participant=people[i % 3], author=author, status=Status.COSIGNED, date=october(1 + i % 31),
            start_time=template.start_time, end_time=template.end_time, modality=template.modality,
            place_of_service=template.place_of_service, signed_at=at(october(1 + i % 31)),
        )
        for i in range(count)
    )  # fmt: skip


def test_the_query_count_does_not_grow_with_the_notes(program):
    ana = specialist(program, "Ana", "Alvarez")
    _grow(program, ana, 10)
    with CaptureQueriesContext(connection) as small:
        census.section(program, START, END)
    more = ProgramFactory(agency=program.agency, name="Bigger")
    ana_too = specialist(more, "Ann", "Again")
    _grow(more, ana_too, 1000)
    with CaptureQueriesContext(connection) as large:
        section = census.section(more, START, END)
    assert numbers(section)["Participants served"] == 3
    assert len(small) == len(large)
