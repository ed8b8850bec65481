"""The in-force rule (`programs.models.InForce`) on certifications, and `certified_on`.

The other dated models are checked in their own apps' tests (participants, billing), which
may import from programs but not the other way round."""

import datetime

import pytest

from programs.models import Certification, StaffProfile
from programs.selectors import certification_types_on, certified_on

from .factories import CertificationFactory, StaffProfileFactory, assert_in_force

ONE = datetime.timedelta(days=1)
D = datetime.date(2024, 3, 1)  # first day
E = datetime.date(2026, 2, 28)  # last day


@pytest.mark.django_db
def test_a_certification_is_in_force_from_its_issue_day_through_its_expiry_day():
    certification = CertificationFactory(issued_on=D, expires_on=E)
    assert_in_force([certification], {D - ONE: [], D: [certification], E: [certification], E + ONE: []})


@pytest.mark.django_db
def test_a_certification_is_never_open_ended():
    CertificationFactory(issued_on=D, expires_on=E)
    assert not Certification.objects.current().exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "meets"),
    [
        (D - 10 * ONE, D - ONE, False),  # ends the day before it starts
        (D - 10 * ONE, D, True),  # ends on its first day
        (E, E + 10 * ONE, True),  # starts on its last day
        (E + ONE, E + 10 * ONE, False),  # starts the day after it ends
        (E + ONE, None, False),
        (D - 10 * ONE, None, True),  # open-ended, from before
        (D + ONE, E - ONE, True),  # inside
        (D - ONE, E + ONE, True),  # around
    ],
)
def test_overlapping_finds_records_whose_range_meets_the_given_one(start, end, meets):
    certification = CertificationFactory(issued_on=D, expires_on=E)
    assert list(Certification.objects.overlapping(start, end)) == ([certification] if meets else [])


@pytest.mark.django_db
def test_certified_on_answers_many_specialists_and_days_in_one_query(django_assert_num_queries):
    lapsed = StaffProfileFactory()  # certified, lapsed a month, renewed
    CertificationFactory(profile=lapsed, issued_on=D, expires_on=E)
    CertificationFactory(profile=lapsed, issued_on=E + 31 * ONE, expires_on=E + 800 * ONE)
    steady = StaffProfileFactory()
    CertificationFactory(profile=steady, issued_on=D - 400 * ONE, expires_on=E + 800 * ONE)
    never = StaffProfileFactory()
    a, b, c = lapsed.user_id, steady.user_id, never.user_id
    asked = [
        (a, D - ONE),
        (a, D),
        (a, E),  # the expiry day counts
        (a, E + ONE),  # the day after does not
        (a, E + 30 * ONE),
        (a, E + 31 * ONE),  # renewed
        (b, D - ONE),
        (b, E + ONE),
        (c, D),
        (c, E),
    ]
    with django_assert_num_queries(1):
        answer = certified_on(iter(asked))  # any iterable, even a generator
    assert answer == {(a, D), (a, E), (a, E + 31 * ONE), (b, D - ONE), (b, E + ONE)}
    assert answer == {
        (user_id, day) for user_id, day in asked if StaffProfile.objects.get(user_id=user_id).is_certified_on(day)
    }


@pytest.mark.django_db
def test_certified_on_asks_nothing_when_given_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert certified_on([]) == set()


@pytest.mark.django_db
def test_certification_types_on_answers_which_types_were_in_force_in_one_query(django_assert_num_queries):
    profile = StaffProfileFactory()
    CertificationFactory(profile=profile, type=Certification.Type.TX_MHPS, issued_on=D, expires_on=E)
    CertificationFactory(profile=profile, type=Certification.Type.CT_RSS, issued_on=E, expires_on=E + 400 * ONE)
    user = profile.user_id
    with django_assert_num_queries(1):
        held = certification_types_on([(user, D - ONE), (user, D), (user, E), (user, E + ONE)])
    assert held == {
        (user, D - ONE): frozenset(),
        (user, D): {"tx_mhps"},
        (user, E): {"tx_mhps", "ct_rss"},
        (user, E + ONE): {"ct_rss"},
    }
    with django_assert_num_queries(1):
        assert certified_on([(user, D), (user, E + ONE)], types={"ct_rss", "cfp"}) == {(user, E + ONE)}
