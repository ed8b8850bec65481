import datetime

import factory
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Agency, Certification, Program, StaffProfile


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = "Test Agency"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Program {n}")


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, role=Role.PEER_SPECIALIST)
    agency = factory.SubFactory(AgencyFactory)


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    profile = factory.SubFactory(StaffProfileFactory)
    type = Certification.Type.TX_MHPS
    number = factory.Sequence(lambda n: f"TX-{n}")
    issuing_body = "Texas Certification Board"
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))


def assert_in_force(rows, expected: dict[datetime.date, list]) -> None:
    """Asked on each day of `expected`, the database (`objects.in_force_on`) and the rows in
    memory (`row.in_force_on`) both answer exactly the rows listed for that day."""
    model = type(rows[0])
    for day, in_force in expected.items():
        in_sql = set(model.objects.filter(pk__in=[r.pk for r in rows]).in_force_on(day).values_list("pk", flat=True))
        in_memory = {r.pk for r in rows if r.in_force_on(day)}
        assert (in_sql, in_memory) == ({r.pk for r in in_force},) * 2, f"{model.__name__} on {day}"
