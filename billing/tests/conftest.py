import pytest

from billing.models import ServiceCode
from programs.tests.factories import AgencyFactory, ProgramFactory

from .factories import billable_participant, ensure_reference_codes, make_author, make_identity, make_payer
from .posted import (
    assert_batch_denials_stored,
    assert_batches_owed_stored,
    assert_claim_dates_copied,
    assert_posted_totals_stored,
    assert_remittance_claims_counted,
)


@pytest.fixture(autouse=True)
def _remittance_totals_stay_right(request):
    """After every billing test that uses the database (in one transaction), whatever path it
    took (import, held file posted, line resolved, reversal, correction...), each remittance's
    stored totals still equal what its rows sum to, and each claim line's copy of its claim's
    decision date equals the claim's, each exported batch's owed equals its lines', and each
    batch's open denied money by reason equals its lines', and each remittance's claim count
    its claims: the stored figures can't drift unnoticed."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    if transactional or not (marker or "db" in request.fixturenames):
        yield
        return
    request.getfixturevalue("db")
    yield
    assert_posted_totals_stored()
    assert_claim_dates_copied()
    assert_batches_owed_stored()
    assert_batch_denials_stored()
    assert_remittance_claims_counted()


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def identity(agency):
    return make_identity(agency)


@pytest.fixture
def payer(db):
    return make_payer()


@pytest.fixture
def program(agency):
    return ProgramFactory(agency=agency, name="Peer Bridger")


@pytest.fixture
def author(agency):
    return make_author(agency)


@pytest.fixture
def tx_code(db):
    ensure_reference_codes()
    return ServiceCode.objects.get(
        billing_program="tx_state_plan", service="peer_support", kind="individual", is_active=True
    )


@pytest.fixture
def person(author, program, payer, tx_code):
    """Rosa, 46, enrolled and covered by the Texas state plan, on `author`'s caseload."""
    return billable_participant(author, program, payer, first_name="Rosa", last_name="Quintero")
