"""The workforce list: every role, searched by name or email, sorted in the database, paged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory

from .factories import CertificationFactory, ProgramFactory, StaffProfileFactory

TODAY = timezone.localdate()
URL = reverse("workforce")


def _staff(agency, last_name, role, *, email=None, supervisor=None, programs=(), expires_in=None):
    user = UserFactory(last_name=last_name, first_name="A", role=role, **({"email": email} if email else {}))
    profile = StaffProfileFactory(user=user, agency=agency, supervisor=supervisor)
    profile.programs.set(programs)
    if expires_in is not None:
        CertificationFactory(profile=profile, expires_on=TODAY + datetime.timedelta(days=expires_in))
    return profile


@pytest.fixture
def staff(agency, admin_user):
    # The admin's factory name is random: a "Gina Bell" matched the search for "a bell" (CI).
    admin_user.first_name, admin_user.last_name = "Ruth", "Okafor"
    admin_user.save(update_fields=["first_name", "last_name"])
    one, two = ProgramFactory(agency=agency), ProgramFactory(agency=agency)
    boss = _staff(agency, "Cole", Role.SUPERVISOR, programs=[one])
    return {
        "admin": StaffProfileFactory(user=admin_user, agency=agency),
        "boss": boss,
        "billing": _staff(agency, "Diaz", Role.BILLING, email="d.billing@example.org"),
        "peer_a": _staff(
            agency, "Avery", Role.PEER_SPECIALIST, supervisor=boss.user, programs=[one, two], expires_in=9
        ),
        "peer_b": _staff(agency, "Bell", Role.PEER_SPECIALIST, supervisor=boss.user, expires_in=300),
    }


def _pks(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [row.pk for row in response.context["rows"]]


@pytest.mark.django_db
def test_it_lists_every_role_and_searches_by_name_or_email(client, admin_user, staff):
    client.force_login(admin_user)
    assert set(_pks(client)) == {p.pk for p in staff.values()}
    assert _pks(client, q="diaz") == [staff["billing"].pk]
    assert _pks(client, q="D.BILLING@") == [staff["billing"].pk]
    assert _pks(client, q="a bell") == [staff["peer_b"].pk]
    assert _pks(client, role=Role.SUPERVISOR) == [staff["boss"].pk]
    assert _pks(client, q="nobody-at-all") == []
    page = client.get(URL).content.decode()
    assert "Billing" in page and "Supervisor" in page and "Program admin" in page


@pytest.mark.django_db
def test_each_column_sorts_both_ways_and_a_bad_sort_falls_back_to_the_name(client, admin_user, staff):
    client.force_login(admin_user)
    s = staff
    by_name = _pks(client)
    names = [client.get(URL).context["rows"][i].user.last_name for i in range(5)]
    assert names == sorted(names)
    assert _pks(client, sort="-name") == by_name[::-1]
    assert _pks(client, sort="programs")[-1] == s["peer_a"].pk  # two programs
    assert _pks(client, sort="-programs")[0] == s["peer_a"].pk
    assert _pks(client, sort="expiry")[:2] == [s["peer_a"].pk, s["peer_b"].pk]  # none last
    assert _pks(client, sort="-expiry")[:2] == [s["peer_b"].pk, s["peer_a"].pk]
    assert _pks(client, sort="role")[0] == s["billing"].pk  # roles in alphabetical order
    assert _pks(client, sort="-role")[0] == s["boss"].pk
    assert _pks(client, sort="supervisor")[:2] == [s["peer_a"].pk, s["peer_b"].pk]
    for bad in ("password", "-", "user__password", "name;drop", ""):
        assert _pks(client, sort=bad) == by_name
    html = client.get(URL, {"sort": "expiry"}).content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-expiry">Certification' in html


@pytest.mark.django_db
def test_status_sort_puts_active_before_invited(client, admin_user, staff, agency):
    client.force_login(admin_user)
    client.post(reverse("programs:staff_invite"), {"email": "aaron@example.org", "first_name": "Aaron",
                "last_name": "Aaronson", "role": Role.BILLING})  # fmt: skip
    rows = _pks(client, sort="status")
    assert len(rows) == 6 and client.get(URL, {"sort": "-status"}).context["rows"][0].user.last_name == "Aaronson"


@pytest.mark.django_db
def test_a_supervisor_sees_only_their_team_and_outsiders_are_turned_away(client, supervisor, peer, billing_user, staff):
    boss = staff["boss"].user
    client.force_login(boss)
    assert set(_pks(client)) == {staff["boss"].pk, staff["peer_a"].pk, staff["peer_b"].pk}
    assert "Invite a staff member" not in client.get(URL).content.decode()
    for outsider in (peer, billing_user):
        client.force_login(outsider)
        assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_the_list_is_paged_and_its_query_count_does_not_grow(client, admin_user, agency, django_assert_max_num_queries):
    program = ProgramFactory(agency=agency)
    boss = _staff(agency, "Boss", Role.SUPERVISOR)
    for i in range(5):
        _staff(agency, f"Small{i}", Role.PEER_SPECIALIST, supervisor=boss.user, programs=[program], expires_in=i)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"sort": "-programs", "q": "a"})
    for i in range(60):
        role = [Role.PEER_SPECIALIST, Role.BILLING, Role.SUPERVISOR][i % 3]
        _staff(agency, f"Large{i}", role, supervisor=boss.user, programs=[program], expires_in=i)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"sort": "-programs", "q": "a"})
    assert len(response.context["rows"]) == 50 and response.context["page"].paginator.count == 66
    second = client.get(URL, {"sort": "-programs", "q": "a", "page": 2})
    assert len(second.context["rows"]) == 16
    assert not {r.pk for r in second.context["rows"]} & {r.pk for r in response.context["rows"]}
    assert "sort=-programs&amp;q=a&amp;page=2" in response.content.decode()


@pytest.mark.django_db
def test_the_page_renders_no_template_per_row_or_option(client, admin_user, staff):
    """Issue 16: a row's badges are written in the page, and the filters' options in Python
    (audit.widgets): the templates rendered do not grow with the staff listed."""
    client.force_login(admin_user)
    page = client.get(URL)
    templates = [t.name for t in page.templates]
    assert len(templates) == len(set(templates)), templates  # each once: none per row or option
    body = page.content.decode()
    assert '<span class="badge text-bg-warning">Expiring</span>' in body
    assert '<span class="badge text-bg-success">Active</span>' in body
