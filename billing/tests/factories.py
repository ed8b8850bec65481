"""Factories and helpers for billing: the agency's billing identity, payers, service codes,
billable participants and claims. For this app's tests and end-to-end tests."""

import datetime
import importlib

import factory
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from billing.models import Authorization, BillingIdentity, Claim, ClaimBatch, ClaimLine, ServiceCode
from participants.tests.factories import CoverageFactory, PayerFactory, enrolled_participant
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


def make_author(agency):
    """A certified peer specialist with a supervisor."""
    supervisor = UserFactory(role=Role.SUPERVISOR)
    peer = UserFactory(first_name="Pat", last_name="Nguyen", role=Role.PEER_SPECIALIST)
    profile = StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor)
    CertificationFactory(profile=profile, issued_on=days_ago(400), expires_on=TODAY + datetime.timedelta(days=300))
    return peer


def ensure_reference_codes() -> None:
    """The data migration's service codes and rates. Transactional tests flush the database
    (and with it the migration's rows), so they call this to put them back; it is idempotent."""
    from django.apps import apps

    migration = importlib.import_module("billing.migrations.0002_reference_data")
    migration.seed_codes(apps, None)


def tx_individual_code() -> ServiceCode:
    ensure_reference_codes()
    return ServiceCode.objects.get(billing_program="tx_1915i_amh", kind="individual", is_active=True)


def billable_participant(
    author, program, payer, *, born=datetime.date(1980, 5, 17), billing_program="tx_1915i_amh", **fields
):
    """Enrolled 80 days ago with a full address, covered by `billing_program` (TX 1915(i)) from
    300 days ago."""
    person = enrolled_participant(
        author, program=program, started_days_ago=80, date_of_birth=born, agency=program.agency,
        address_line1="12 Oak St", city="Austin", state="TX", zip_code="78741", **fields,
    )  # fmt: skip
    CoverageFactory(participant=person, payer=payer, billing_program=billing_program, start_date=days_ago(300))
    return person


def authorize(person, number, *, billing_program="tx_1915i_amh", units=100, start=None, end=None):
    """An authorization of the program's individual code for `person` (the last 100 days by default)."""
    ensure_reference_codes()
    code = ServiceCode.objects.get(billing_program=billing_program, kind="individual", is_active=True)
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
    billing_program = "tx_1915i_amh"
    member_id = "600000001"
    diagnosis_codes = factory.LazyAttribute(lambda claim: claim.participant.diagnosis_codes)


class ClaimLineFactory(factory.django.DjangoModelFactory):
    """A line billing `note` (required) with the TX 1915(i) individual code: 3 units."""

    class Meta:
        model = ClaimLine

    claim = factory.SubFactory(ClaimFactory)
    service_code = factory.LazyFunction(tx_individual_code)
    hcpcs = "H0038"
    modifiers = factory.LazyFunction(lambda: ["HE"])
    units = 3
    charge = factory.LazyAttribute(lambda line: line.service_code.rates.first().rate_per_unit * line.units)
    place_of_service = factory.LazyAttribute(lambda line: line.note.place_of_service)
    service_date = factory.LazyAttribute(lambda line: line.note.date)
