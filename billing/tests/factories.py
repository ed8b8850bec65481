"""Factories and helpers for billing: the agency's billing identity, payers, service codes,
billable participants and claims. For this app's tests and end-to-end tests."""

import datetime
import importlib

import factory
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from billing import marks, services
from billing.models import Authorization, BillingIdentity, Claim, ClaimBatch, ClaimLine, ServiceCode
from notes import services as note_services
from notes.models import GroupSession, SessionNote
from participants.models import Goal
from participants.tests.factories import CoverageFactory, PayerFactory, PlanFactory, enrolled_participant
from programs.tests.factories import AgencyFactory, CertificationFactory, StaffProfileFactory

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


class BillingIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingIdentity
        django_get_or_create = ["agency"]

    agency = factory.SubFactory(AgencyFactory)
    legal_name = "Riverbend Behavioral Health"
    npi = "1234567893"
    tax_id = "74-1234567"
    address_line1 = "100 Congress Ave"
    city = "Austin"
    state = "TX"
    zip_code = "78701-1234"
    contact_name = "Bea Castillo"
    contact_phone = "5125550100"
    submitter_id = "RIVERBEND01"


def make_identity(agency):
    return BillingIdentityFactory(agency=agency)


def make_payer(name="Texas Medicaid", **fields):
    """A payer seeded by a migration (without a payer ID or receiver), made ready to bill."""
    defaults = {
        "payer_id": "TXMCD",
        "timely_filing_days": 95,
        "correction_days": 120,
        "receiver_id": "TXMEDICAID",
        "receiver_name": "Texas Medicaid",
        "usage": "T",
    }
    payer = PayerFactory(name=name)
    for field, value in {**defaults, **fields}.items():
        setattr(payer, field, value)
    payer.save()
    return payer


def certify_for_connecticut(author) -> None:
    """Connecticut's waiver takes a Recovery Support Specialist (CT RSS) for peer support."""
    CertificationFactory(
        profile=author.staff_profile, type="ct_rss", issued_on=days_ago(400), expires_on=TODAY + datetime.timedelta(300)
    )


def make_author(agency, *, first_name="Pat", last_name="Nguyen"):
    """A certified peer specialist with a supervisor."""
    supervisor = UserFactory(role=Role.SUPERVISOR)
    peer = UserFactory(first_name=first_name, last_name=last_name, role=Role.PEER_SPECIALIST)
    profile = StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor)
    CertificationFactory(profile=profile, issued_on=days_ago(400), expires_on=TODAY + datetime.timedelta(days=300))
    return peer


# The data migrations that make billing's reference data, in order, with their functions.
REFERENCE_DATA = [
    ("billing.migrations.0002_reference_data", "seed_codes"),
    ("billing.migrations.0005_caps_belong_to_the_service", "name_the_service"),
    ("billing.migrations.0008_program_rules_reference_data", "apply_rules"),
    ("billing.migrations.0009_connecticut_whole_units", "whole_units"),
    ("billing.migrations.0014_texas_rehabilitative_services_reference_data", "add_rehabilitative_services"),
]


def ensure_reference_codes() -> None:
    """The data migrations' service codes and rates. Transactional tests flush the database
    (and with it the migrations' rows), so they call this to put them back. It does nothing
    while the codes are there: 0008 looks up one active code per program and kind, which no
    longer holds once 0014 adds a program's rehabilitative services."""
    from django.apps import apps

    if ServiceCode.objects.exists():
        return
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


def tx_individual_code() -> ServiceCode:
    ensure_reference_codes()
    return ServiceCode.objects.get(
        billing_program="tx_state_plan", service="peer_support", kind="individual", is_active=True
    )


def billable_participant(
    author, program, payer, *, born=datetime.date(1980, 5, 17), billing_program="tx_state_plan", **fields
):
    """Enrolled 80 days ago with a full address and a recovery plan with one goal, covered by
    `billing_program` (the Texas state plan) from 300 days ago."""
    person = enrolled_participant(
        author, program=program, started_days_ago=80, date_of_birth=born, agency=program.agency,
        address_line1="12 Oak St", city="Austin", state="TX", zip_code="78741", **fields,
    )  # fmt: skip
    CoverageFactory(participant=person, payer=payer, billing_program=billing_program, start_date=days_ago(300))
    plan = PlanFactory(participant=person, started_on=days_ago(80))
    Goal.objects.create(plan=plan, description="A place of my own", objectives="Apply", target_date=TODAY)
    return person


def authorize(person, number, *, billing_program="tx_state_plan", units=100, start=None, end=None):
    """An authorization of the program's individual peer support code for `person` (the last
    100 days by default)."""
    ensure_reference_codes()
    code = ServiceCode.objects.get(
        billing_program=billing_program, service="peer_support", kind="individual", is_active=True
    )
    return Authorization.objects.create(
        participant=person, service_code=code, number=number, units_authorized=units,
        start_date=start or days_ago(100), end_date=end or TODAY,
    )  # fmt: skip


class ClaimBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimBatch

    payer = factory.LazyFunction(make_payer)
    created_by = factory.SubFactory(UserFactory, role=Role.BILLING)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    batch = factory.SubFactory(ClaimBatchFactory)
    participant = factory.SubFactory("participants.tests.factories.ParticipantFactory")
    billing_program = "tx_state_plan"
    member_id = "600000001"
    diagnosis_codes = factory.LazyAttribute(lambda claim: claim.participant.diagnosis_codes)


class ClaimLineFactory(factory.django.DjangoModelFactory):
    """A line billing `note` (required) with the Texas state plan individual code: 3 units."""

    class Meta:
        model = ClaimLine
        skip_postgeneration_save = True

    claim = factory.SubFactory(ClaimFactory)
    service_code = factory.LazyFunction(tx_individual_code)
    hcpcs = "H0038"
    modifiers = factory.LazyFunction(lambda: ["HE"])
    units = 3
    charge = factory.LazyAttribute(lambda line: line.service_code.rates.first().rate_per_unit * line.units)
    place_of_service = factory.LazyAttribute(lambda line: line.note.place_of_service)
    service_date = factory.LazyAttribute(lambda line: line.note.date)

    @factory.post_generation
    def note_mark(line, create, extracted, **kwargs):
        """The note's billing mark, as every service writing a line keeps it (billing/marks.py)."""
        if create:
            marks.refresh([line.note_id])


def bill(payer, notes, *, by=None) -> ClaimBatch:
    """Bill `notes` as a billing clerk would: one batch built by the service."""
    by = by or notes[0].author
    return services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(by))


def goals(person) -> list[Goal]:
    """The person's first active plan goal, as a note names the goal it served."""
    return list(Goal.objects.filter(plan__participant=person, status=Goal.Status.ACTIVE).order_by("pk")[:1])


def signed_group(author, people, *, day, start="13:00", end="15:00") -> list[SessionNote]:
    """A group session written, signed and co-signed through the notes services, as the
    group form and the supervisor's review do it, each note naming the attendee's goal."""
    group = GroupSession(
        topic="Wellness planning", date=day, start_time=datetime.time.fromisoformat(start),
        end_time=datetime.time.fromisoformat(end), modality="in_person", place_of_service="53",
    )  # fmt: skip
    note_services.group_session_create(
        group=group, service_types=["support_group"], intervention="Planned.", next_steps="Next week.",
        attendees=[(p, "Took part.", goals(p)) for p in people], max_size=None, submit=True,
        ctx=AuditContext(author),
    )  # fmt: skip
    supervisor = author.staff_profile.supervisor
    for note in group.notes.all():
        note_services.note_cosign(note=note, ctx=AuditContext(supervisor))
    return list(group.notes.order_by("pk"))


def reference_kept() -> None:
    """Read and keep billing's reference data (billing/reference_kept.py), as any earlier
    assessment of the process would have: a query count measured after it counts the kept
    read (its version) whatever the tests that ran before."""
    from billing.billability_load import reference
    from billing.reference_kept import kept

    kept(reference)
