"""Finding a participant: how a query is read (tried on generated input), and the list it
gives, in the database, paged, and only of those the user may see."""

import datetime
import string

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from participants.models import Participant
from participants.search_query import Query, parse, phone_digits
from programs.tests.factories import ProgramFactory

from .factories import CoverageFactory, enrolled_participant

URL = reverse("participants:search")

name_word = st.text(alphabet=string.ascii_letters + "'", min_size=1, max_size=12).filter(lambda w: w.strip("'"))
names = st.lists(name_word, min_size=1, max_size=2)
area = st.integers(200, 999)
exchange = st.integers(200, 999)
line = st.integers(0, 9999)
PHONE_FORMATS = [
    "({a}) {e}-{n:04d}",
    "{a}.{e}.{n:04d}",
    "{a}{e}{n:04d}",
    "{a}-{e}-{n:04d}",
    "+1 {a} {e} {n:04d}",
    "1-{a}-{e}-{n:04d}",
    " {a} {e}  {n:04d} ",
]


@given(last=names, first=names)
def test_last_comma_first_reads_each_part_as_its_name(last, first):
    assert parse(f"{' '.join(last)}, {' '.join(first)}") == Query(last=tuple(last), first=tuple(first))
    assert parse(f"  {' '.join(last)} ,{' '.join(first)}  ") == Query(last=tuple(last), first=tuple(first))


@given(words=st.lists(name_word, min_size=1, max_size=3))
def test_names_without_a_comma_are_words_in_any_order(words):
    assert parse(" ".join(words)) == Query(words=tuple(words))
    assert set(parse(" ".join(reversed(words))).words) == set(words)


@given(a=area, e=exchange, n=line, fmt=st.sampled_from(PHONE_FORMATS))
def test_a_phone_number_in_any_format_is_read_as_its_ten_digits(a, e, n, fmt):
    typed = fmt.format(a=a, e=e, n=n)
    expected = f"{a}{e}{n:04d}"
    assert parse(typed).phone == expected
    assert phone_digits(typed) == expected


@given(digits=st.text(alphabet=string.digits, min_size=7, max_size=9))
def test_plain_digits_may_be_a_phone_or_a_medicaid_id(digits):
    read = parse(digits)
    assert (read.phone, read.member_id) == (phone_digits(digits), digits)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", Query()),
        ("1985-04-12", Query(date=datetime.date(1985, 4, 12))),
        ("04/12/1985", Query(date=datetime.date(1985, 4, 12))),
        ("TX-004", Query(member_id="TX-004")),
        ("6001", Query(member_id="6001")),  # too short for a phone: part of an ID
        ("512", Query(member_id="512")),
    ],
)
def test_dates_and_short_or_lettered_ids(typed, expected):
    assert parse(typed) == expected


@pytest.fixture
def peer_with_caseload(db, peer):
    program = ProgramFactory(name="Bridger")
    ana = enrolled_participant(peer, program=program, first_name="Ana", last_name="Lopez", phone="(512) 555-0134")
    CoverageFactory(participant=ana, member_id="612345678")
    enrolled_participant(peer, program=program, first_name="Lopez", last_name="Marsh", phone="737-555-0199")
    enrolled_participant(peer, program=program, first_name="Rae", last_name="Ortiz", preferred_name="Ray")
    return peer


def _found(client, query):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return sorted(f"{r.participant.first_name} {r.participant.last_name}" for r in response.context["rows"])


@pytest.mark.django_db
def test_names_phones_and_partial_ids_find_the_right_people(client, peer_with_caseload):
    client.force_login(peer_with_caseload)
    assert _found(client, "Lopez, Ana") == ["Ana Lopez"]
    assert _found(client, "lopez,ana") == ["Ana Lopez"]
    assert _found(client, "Lopez, Lo") == []  # "Last, First" is not "either name"
    assert _found(client, "Ana Lopez") == _found(client, "Lopez Ana") == ["Ana Lopez"]
    assert _found(client, "lopez") == ["Ana Lopez", "Lopez Marsh"]
    assert _found(client, "Ortiz, Ray") == ["Rae Ortiz"]  # the preferred name counts as a first name
    for typed in ("(512) 555-0134", "512.555.0134", "5125550134", "+1 512 555 0134", "555-0134"):
        assert _found(client, typed) == ["Ana Lopez"], typed
    assert _found(client, "2345") == ["Ana Lopez"]  # part of the Medicaid ID
    assert _found(client, "612345678") == ["Ana Lopez"]
    assert _found(client, "999-555-0000") == []
    assert _found(client, "Lopez\x00, Ana") == ["Ana Lopez"]  # a pasted NUL is a space, not a 500


@pytest.mark.django_db
def test_the_phone_digits_follow_the_phone_on_every_save(peer_with_caseload):
    ana = Participant.objects.get(first_name="Ana")
    assert ana.phone_digits == "5125550134"
    ana.phone = "1 (737) 555-0100"
    ana.save(update_fields=["phone"])
    ana.refresh_from_db()
    assert ana.phone_digits == "7375550100"


@pytest.mark.django_db
def test_with_no_query_the_list_is_the_caseload_with_program_and_specialist(client, peer_with_caseload):
    other_peer = UserFactory(role=Role.PEER_SPECIALIST)
    enrolled_participant(other_peer, first_name="Not", last_name="Mine")
    client.force_login(peer_with_caseload)
    response = client.get(URL)
    rows = response.context["rows"]
    assert [r.participant.last_name for r in rows] == ["Lopez", "Marsh", "Ortiz"]
    assert {r.specialist for r in rows} == {peer_with_caseload}
    assert [p.name for p in rows[0].programs] == ["Bridger"]
    body = response.content.decode()
    assert "3 participants you may see: your caseload." in body and "Mine" not in body
    assert _found(client, "Mine") == []


@pytest.mark.django_db
def test_the_list_is_paged_and_its_query_count_does_not_grow(client, admin_user, peer, django_assert_max_num_queries):
    program = ProgramFactory()
    for i in range(3):
        enrolled_participant(peer, program=program, last_name=f"Lee{i}", phone=f"512-555-01{i:02d}")
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for i in range(40):
        enrolled_participant(peer, program=program, last_name=f"Lee{i + 10}", phone=f"512-555-02{i:02d}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 25 and response.context["page"].paginator.count == 43
    second = client.get(URL, {"q": "lee", "page": 2})
    assert len(second.context["rows"]) == 18
    assert "?q=lee&amp;page=1" in second.content.decode()
