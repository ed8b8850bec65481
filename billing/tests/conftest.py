import datetime
import importlib

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from billing.models import BillingIdentity, ServiceCode
from participants.models import SessionNote
from participants.tests.factories import CoverageFactory, PayerFactory, enrolled_participant
from programs.tests.factories import AgencyFactory, CertificationFactory, ProgramFactory, StaffProfileFactory

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def identity(agency):
    return make_identity(agency)


def make_identity(agency):
    return BillingIdentity.objects.create(
        agency=agency,
        legal_name="Riverbend Behavioral Health",
        npi="1234567893",
        tax_id="74-1234567",
        address_line1="100 Congress Ave",
        city="Austin",
        state="TX",
        zip_code="78701-1234",
        contact_name="Bea Castillo",
        contact_phone="5125550100",
        submitter_id="RIVERBEND01",
        receiver_id="TXMEDICAID",
        receiver_name="Texas Medicaid",
    )


@pytest.fixture
def payer(db):
    return make_payer()


def make_payer():
    payer = PayerFactory(name="Texas Medicaid")  # seeded by a migration, without a payer ID
    payer.payer_id, payer.timely_filing_days = "TXMCD", 95
    payer.save()
    return payer


@pytest.fixture
def program(agency):
    return ProgramFactory(agency=agency, name="Peer Bridger")


@pytest.fixture
def author(agency):
    return make_author(agency)


def make_author(agency):
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


@pytest.fixture
def tx_code(db):
    ensure_reference_codes()
    return ServiceCode.objects.get(billing_program="tx_1915i_amh", kind="individual", is_active=True)


@pytest.fixture
def person(author, program, payer, tx_code):
    """Rosa, 46, enrolled and covered by TX 1915(i), on `author`'s caseload."""
    return billable_participant(author, program, payer, first_name="Rosa", last_name="Quintero")


def billable_participant(author, program, payer, *, born=datetime.date(1980, 5, 17), **fields):
    person = enrolled_participant(
        author, program=program, started_days_ago=80, date_of_birth=born, agency=program.agency,
        address_line1="12 Oak St", city="Austin", state="TX", zip_code="78741", **fields,
    )  # fmt: skip
    CoverageFactory(participant=person, payer=payer, billing_program="tx_1915i_amh", start_date=days_ago(300))
    return person


def signed_note(person, author, *, day=None, start="10:00", end="10:45", modality="in_person", place="99", group=None):
    return SessionNote.objects.create(
        participant=person,
        author=author,
        group=group,
        status=SessionNote.Status.COSIGNED,
        date=day or days_ago(3),
        start_time=datetime.time.fromisoformat(start),
        end_time=datetime.time.fromisoformat(end),
        modality=modality,
        place_of_service=place,
        service_types=["recovery_coaching"],
        intervention="SECRET NARRATIVE what was done",
        response="SECRET NARRATIVE response",
        next_steps="SECRET NARRATIVE next",
        signed_at=timezone.now(),
        signature=author.get_full_name(),
    )
