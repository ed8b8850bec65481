import datetime

import factory
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from participants.models import CaseloadAssignment, Coverage, Enrollment, Participant, RecoveryPlan
from programs.models import BillingProgram, Payer
from programs.tests.factories import AgencyFactory, ProgramFactory


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


class PayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payer
        django_get_or_create = ["name"]

    name = "Texas Medicaid"
    payer_id = "TX001"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    agency = factory.SubFactory(AgencyFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1980, 5, 17)
    sex_for_claims = "F"
    primary_diagnosis = "F33.2"
    created_by = factory.SubFactory(UserFactory, role=Role.PROGRAM_ADMIN)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    participant = factory.SubFactory(ParticipantFactory)
    program = factory.SubFactory(ProgramFactory)
    start_date = factory.LazyFunction(lambda: days_ago(3))


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseloadAssignment

    participant = factory.SubFactory(ParticipantFactory)
    specialist = factory.SubFactory(UserFactory, role=Role.PEER_SPECIALIST)
    started_on = factory.LazyFunction(lambda: days_ago(3))
    assigned_by = factory.SelfAttribute("specialist")


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    participant = factory.SubFactory(ParticipantFactory)
    payer = factory.SubFactory(PayerFactory)
    billing_program = BillingProgram.TX_1915I_AMH
    member_id = factory.Sequence(lambda n: f"{600000000 + n}")
    start_date = factory.LazyFunction(lambda: days_ago(100))


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecoveryPlan

    participant = factory.SubFactory(ParticipantFactory)
    strengths = "Resourceful"
    needs = "Housing"
    started_on = factory.LazyFunction(lambda: days_ago(3))


def enrolled_participant(specialist, *, program=None, started_days_ago: int = 3, **participant_fields) -> Participant:
    """A participant enrolled in `program` and assigned to `specialist`, both from the same day."""
    start = days_ago(started_days_ago)
    participant = ParticipantFactory(**participant_fields)
    EnrollmentFactory(participant=participant, start_date=start, **({"program": program} if program else {}))
    AssignmentFactory(participant=participant, specialist=specialist, started_on=start)
    return participant
