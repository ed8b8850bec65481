"""The in-force rule (`programs.models.InForce`) on the participants app's dated records."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from participants.models import CaseloadAssignment, Consent, Coverage, Enrollment
from programs.tests.factories import assert_in_force

from .factories import AssignmentFactory, CoverageFactory, EnrollmentFactory, ParticipantFactory

ONE = datetime.timedelta(days=1)
D = datetime.date(2024, 3, 1)  # first day
E = datetime.date(2024, 9, 30)  # last day
LATER = datetime.date(2030, 1, 1)

pytestmark = pytest.mark.django_db


def _closed_and_open(factory, start: str, end: str):
    return factory(**{start: D, end: E}), factory(**{start: D})


@pytest.mark.parametrize(
    ("factory", "start", "end"),
    [
        (EnrollmentFactory, "start_date", "end_date"),
        (CoverageFactory, "start_date", "end_date"),
        (AssignmentFactory, "started_on", "ended_on"),
    ],
)
def test_a_record_is_in_force_from_its_first_through_its_last_day_or_on_when_open(factory, start, end):
    closed, open_ = _closed_and_open(factory, start, end)
    assert_in_force(
        [closed, open_],
        {D - ONE: [], D: [closed, open_], E: [closed, open_], E + ONE: [open_], LATER: [open_]},
    )


@pytest.mark.parametrize(
    ("model", "factory", "start", "end"),
    [
        (Enrollment, EnrollmentFactory, "start_date", "end_date"),
        (Coverage, CoverageFactory, "start_date", "end_date"),
        (CaseloadAssignment, AssignmentFactory, "started_on", "ended_on"),
    ],
)
def test_current_means_open_ended(model, factory, start, end):
    _, open_ = _closed_and_open(factory, start, end)
    assert list(model.objects.current()) == [open_]


def test_on_a_handover_day_both_assignments_are_in_force():
    ended = AssignmentFactory(started_on=D, ended_on=E)
    started = AssignmentFactory(participant=ended.participant, started_on=E)
    assert_in_force([ended, started], {E - ONE: [ended], E: [ended, started], E + ONE: [started]})


def _consent(**dates) -> Consent:
    return Consent.objects.create(participant=ParticipantFactory(), kind=Consent.Kind.SERVICES, **dates)


def test_a_consent_is_in_force_from_signature_through_expiry_and_stops_on_its_revocation_day():
    revoked_day = D + 30 * ONE
    expiring = _consent(signed_on=D, expires_on=E)
    open_ = _consent(signed_on=D)
    revoked = _consent(signed_on=D, revoked_on=revoked_day)
    revoked_before_expiry = _consent(signed_on=D, expires_on=E, revoked_on=revoked_day)
    revoked_on_signing = _consent(signed_on=D, revoked_on=D)
    everyone = [expiring, open_, revoked, revoked_before_expiry, revoked_on_signing]
    assert_in_force(
        everyone,
        {
            D - ONE: [],
            D: [expiring, open_, revoked, revoked_before_expiry],
            revoked_day - ONE: [expiring, open_, revoked, revoked_before_expiry],
            revoked_day: [expiring, open_],
            E: [expiring, open_],
            E + ONE: [open_],
        },
    )


def test_a_revoked_consent_is_not_current():
    open_ = _consent(signed_on=D)
    _consent(signed_on=D, revoked_on=E)
    _consent(signed_on=D, expires_on=E)
    assert list(Consent.objects.current()) == [open_]


@pytest.mark.parametrize(
    ("start", "end", "meets"),
    [
        (D - 10 * ONE, D - ONE, False),
        (D - 10 * ONE, D, True),
        (LATER, LATER + ONE, True),  # an open-ended record meets every later range
        (LATER, None, True),
    ],
)
def test_overlapping_an_open_ended_record(start, end, meets):
    coverage = CoverageFactory(start_date=D)
    assert list(Coverage.objects.overlapping(start, end)) == ([coverage] if meets else [])


def test_a_coverage_may_start_the_day_after_the_last_one_ends_but_not_on_it():
    earlier = CoverageFactory(start_date=D, end_date=E)
    fields = {"participant": earlier.participant, "payer": earlier.payer, "billing_program": earlier.billing_program}
    Coverage(**fields, member_id="612345678", start_date=E + ONE).full_clean()
    with pytest.raises(ValidationError, match="overlap"):
        Coverage(**fields, member_id="612345678", start_date=E).full_clean()
