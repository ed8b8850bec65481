"""The program settings page: timepoint windows and unit costs, for program admins."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from outcomes.models import Timepoint, TimepointWindow, UnitCosts
from outcomes.schedule import DEFAULT_WINDOWS, window_days
from outcomes.settings_forms import in_months

COSTS = {
    "c-er_visit": "1389.00",
    "c-inpatient_day": "1100.50",
    "c-outpatient_visit": "150",
    "c-crisis_episode": "900",
    "c-jail_day": "95",
    "c-peer_hourly_cost": "28.75",
    "c-source": "State cost report FY2025",
}


def _windows(**changes) -> dict:
    data = {}
    for timepoint, (opens, closes) in DEFAULT_WINDOWS.items():
        data[f"w-{timepoint}_opens"], data[f"w-{timepoint}_closes"] = str(opens), str(closes)
    return data | changes


def _url(program):
    return reverse("outcomes:program_settings", args=[program.pk])


@pytest.mark.django_db
def test_the_page_shows_the_default_windows_in_days_and_months(client, admin_user, program):
    client.force_login(admin_user)
    response = client.get(_url(program))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="w-6m_opens"' in body and 'value="152"' in body
    assert "152 days (about 5 months) after enrollment." in body and "243 days (about 8 months)" in body
    assert "30 days (about 1 month) before discharge." in body


@pytest.mark.django_db
def test_an_admin_saves_windows_and_unit_costs(client, admin_user, program):
    client.force_login(admin_user)
    response = client.post(_url(program), _windows(**{"w-6m_opens": "150", "w-6m_closes": "240"}) | COSTS)
    assert response.status_code == 302
    assert window_days([program.pk])[program.pk][Timepoint.MONTH_6] == (150, 240)
    assert TimepointWindow.objects.filter(program=program).count() == 1  # the others stay the default
    costs = UnitCosts.objects.get(program=program)
    assert (costs.er_visit, costs.peer_hourly_cost, costs.updated_by) == (
        Decimal("1389.00"),
        Decimal("28.75"),
        admin_user,
    )
    assert costs.source == "State cost report FY2025"
    created = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, actor=admin_user)
    assert set(created.values_list("target_type", flat=True)) == {"outcomes.unitcosts", "outcomes.timepointwindow"}
    # Saving again changes the existing rows rather than adding new ones.
    response = client.post(_url(program), _windows(**{"w-6m_closes": "250"}) | COSTS | {"c-jail_day": "100"})
    assert response.status_code == 302
    assert window_days([program.pk])[program.pk][Timepoint.MONTH_6] == (152, 250)
    assert UnitCosts.objects.get(program=program).jail_day == Decimal("100")
    assert 'value="250"' in client.get(_url(program)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"w-6m_closes": "100"}, "6m_closes", "can't close (day 100) before it opens (day 152)"),
        ({"w-3m_opens": "abc"}, "3m_opens", "Enter a whole number."),
        ({"w-12m_closes": "5000"}, "12m_closes", "less than or equal to 730"),
        ({"c-source": ""}, "source", "This field is required."),
        ({"c-er_visit": "-5"}, "er_visit", "greater than or equal to 0"),
    ],
)
def test_bad_input_is_400_at_the_field_and_saves_nothing(client, admin_user, program, changes, field, message):
    client.force_login(admin_user)
    response = client.post(_url(program), _windows() | COSTS | changes)
    assert response.status_code == 400
    forms = [response.context["windows"], response.context["costs"]]
    errors = {name: " ".join(messages) for form in forms for name, messages in form.errors.items()}
    assert message in errors[field]
    assert "Nothing was saved" in response.content.decode()
    assert not TimepointWindow.objects.filter(program=program).exists()
    assert not UnitCosts.objects.filter(program=program).exists()


@pytest.mark.django_db
def test_only_program_admins_may_open_it(client, supervisor, peer, billing_user, program):
    for user in (supervisor, peer, billing_user):
        client.force_login(user)
        assert client.get(_url(program)).status_code == 403
        assert client.post(_url(program), _windows() | COSTS).status_code == 403
    assert not UnitCosts.objects.exists()


@pytest.mark.django_db
def test_an_unknown_program_is_404_and_other_methods_405(client, admin_user, program):
    client.force_login(admin_user)
    assert client.get(reverse("outcomes:program_settings", args=[program.pk + 999])).status_code == 404
    assert client.delete(_url(program)).status_code == 405
    assert client.put(_url(program)).status_code == 405


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, program):
    assert client.get(_url(program)).status_code == 302


@pytest.mark.django_db
def test_the_settings_page_links_back_to_the_dashboard_of_its_program(client, admin_user, program):
    client.force_login(admin_user)
    back = f'href="{reverse("outcomes:dashboard")}?program={program.pk}"'
    assert back in client.get(_url(program)).content.decode()


@pytest.mark.django_db
def test_the_programs_page_does_not_link_to_outcomes(client, admin_user, program):
    """programs sits left of outcomes in the layers: its pages know nothing of outcomes."""
    client.force_login(admin_user)
    body = client.get(reverse("programs:program_list")).content.decode()
    assert _url(program) not in body and "Outcome settings" not in body


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "0 days"),
        (1, "1 day"),
        (30, "30 days (about 1 month)"),
        (152, "152 days (about 5 months)"),
        (456, "456 days (about 15 months)"),
    ],
)
def test_days_are_also_shown_in_months(days, text):
    assert in_months(days) == text
