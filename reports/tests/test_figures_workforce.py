import datetime
import json
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import SupervisionSession, TrainingRecord
from programs.tests.factories import CertificationFactory, ProgramFactory, StaffProfileFactory
from reports.figures import workforce

from .month import END, START, numbers, october, specialist, table

D = datetime.date


def certify(user, expires: datetime.date):
    issued = expires.replace(year=expires.year - 2)
    CertificationFactory(profile=user.staff_profile, issued_on=issued, expires_on=expires)


def train(user, day: datetime.date, hours: str):
    TrainingRecord.objects.create(profile=user.staff_profile, course="Ethics", hours=Decimal(hours), completed_on=day)


def supervise(supervisor, user, day: datetime.date, minutes: int):
    SupervisionSession.objects.create(
        supervisor=supervisor, supervisee=user.staff_profile, date=day, minutes=minutes, topics="Boundaries"
    )


def build_month(program, supervisor):
    other = ProgramFactory(agency=program.agency, name="Warmline")
    ana = specialist(program, "Ana", "Alvarez")
    ben = specialist(program, "Ben", "Brooks")
    cy = specialist(program, "Cy", "Cruz")
    specialist(program, "Dee", "Diaz")  # no certification, no training, no supervision
    out = specialist(other, "Olu", "Outsider")
    gone = specialist(program, "Ivy", "Inactive", is_active=False)
    StaffProfileFactory(user=supervisor, agency=program.agency).programs.add(program)  # not a peer specialist
    certify(ana, D(2026, 11, 20))  # within 60 days of Oct 31 (to Dec 30)
    certify(ben, D(2027, 6, 1))  # valid
    certify(cy, D(2026, 9, 30))  # expired
    certify(out, D(2026, 11, 1))  # the other program's
    certify(gone, D(2026, 11, 1))  # inactive
    train(ana, D(2026, 3, 10), "8")
    train(ana, october(15), "4.5")
    train(ana, D(2026, 11, 5), "5")  # after the period
    train(ana, D(2025, 12, 10), "10")  # last year
    train(ben, D(2026, 2, 1), "20")
    train(out, october(2), "30")
    supervise(supervisor, ana, october(6), 60)
    supervise(supervisor, ana, october(20), 30)
    supervise(supervisor, ana, D(2026, 9, 30), 60)  # before the period
    supervise(supervisor, ana, D(2026, 11, 2), 45)  # after it
    supervise(supervisor, out, october(7), 60)  # the other program's


def test_a_hand_built_month_is_counted_number_by_number(program, supervisor):
    build_month(program, supervisor)  # the agency requires 20 hours a year (the default)

    section = workforce.section(program, START, END)

    assert json.loads(json.dumps(section)) == section
    assert numbers(section) == {
        "Peer specialists": 4,  # Ana, Ben, Cy, Dee
        "Certifications expiring within 60 days": 1,  # Ana's, on Nov 20
        "Certifications expired or missing": 2,  # Cy's expired on Sep 30; Dee has none
        "Met the 2026 training requirement": 1,  # Ben's 20 hours
        "Supervision hours": "1.50",  # Ana: 60 + 30 minutes
    }
    assert table(section, "Certifications needing action")["rows"] == [
        ["Dee Diaz", "No certification", None],
        ["Cy Cruz", "Expired", "2026-09-30"],
        ["Ana Alvarez", "Expiring within 60 days", "2026-11-20"],
    ]
    assert table(section, "Training hours in 2026")["rows"] == [
        ["Ana Alvarez", "12.50", "20.00", "7.50"],  # 8 + 4.5 (not November's 5, not last year's 10)
        ["Ben Brooks", "20.00", "20.00", "0.00"],
        ["Cy Cruz", "0.00", "20.00", "20.00"],
        ["Dee Diaz", "0.00", "20.00", "20.00"],
    ]
    supervision = table(section, "Supervision per supervisee")
    assert supervision["rows"] == [
        ["Ana Alvarez", 2, "1.50"],
        ["Ben Brooks", 0, "0.00"],
        ["Cy Cruz", 0, "0.00"],
        ["Dee Diaz", 0, "0.00"],
    ]
    assert supervision["total"] == ["Total", 2, "1.50"]


def _grow(program, count: int):
    supervisor = UserFactory(role=Role.SUPERVISOR)
    people = [specialist(program, "Sam", f"Staff{n}") for n in range(count)]
    for user in people:
        certify(user, D(2026, 12, 1))
    TrainingRecord.objects.bulk_create(
        TrainingRecord(profile=u.staff_profile, course="Ethics", hours=2, completed_on=october(3)) for u in people
    )
    SupervisionSession.objects.bulk_create(
        SupervisionSession(supervisor=supervisor, supervisee=u.staff_profile, date=october(4), minutes=30, topics="x")
        for u in people
    )


def test_the_query_count_does_not_grow_with_the_staff(program):
    _grow(program, 2)
    with CaptureQueriesContext(connection) as small:
        workforce.section(program, START, END)
    more = ProgramFactory(agency=program.agency, name="Bigger")
    _grow(more, 40)
    with CaptureQueriesContext(connection) as large:
        section = workforce.section(more, START, END)
    assert numbers(section)["Certifications expiring within 60 days"] == 40
    assert numbers(section)["Supervision hours"] == "20.00"
    assert len(small) == len(large)
