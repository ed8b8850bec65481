"""The dashboard's CSV and XLSX downloads: the table with its filters, n, exclusions and note,
and one audit row per download."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from programs.tests.factories import ProgramFactory

from .dashboard_cohort import hand_worked_cohort, set_unit_costs


@pytest.fixture
def cohort(program, peer, team, agency, admin_user):
    set_unit_costs(program, admin_user)
    return hand_worked_cohort(program, peer, ProgramFactory(agency=agency, name="Warmline"))


def by_label(lines: list[list]) -> dict:
    return {line[0]: line[1:] for line in lines if line and line[0]}


def test_the_csv_holds_the_filters_the_table_the_exclusions_and_the_note(client, admin_user, program, cohort):
    client.force_login(admin_user)
    query = {"program": program.pk, "enrolled_from": "2020-01-01"}
    response = client.get(reverse("outcomes:dashboard_csv"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="outcomes-' in response["Content-Disposition"]
    lines = by_label(list(csv.reader(io.StringIO(response.content.decode()))))
    assert lines["Program outcomes"] == ["Peer Bridger"]
    assert lines["Enrolled from"][0] == "2020-01-01"
    assert lines["Timepoints"] == ["intake -> 6 months"]
    # From 2020 the enrollment of 800 days ago is in the cohort too: 11, of whom 7 matched.
    assert lines["Enrollments in the cohort"] == ["11"]
    assert lines["Matched (check-ins at both timepoints)"] == ["7"]
    assert lines["  missed the check-in at 6 months"] == ["1"]
    assert lines["Housed (own or rent)"][:4] == ["7", "29%", "57%", "+29 points"]
    assert "regression to the mean" in lines["Note"][0]
    assert lines["Return per dollar"]  # no peer services recorded: said in words
    assert lines["Peer hours without a claim (grant-funded or not yet billed)"][0] == "0.00"
    assert "grant-funded work, or work not yet billed" in lines["Method"][0]
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert event.target_type == "" and event.actor == admin_user
    assert event.details["program"] == program.pk
    assert event.details["filters"]["enrolled_from"] == "2020-01-01"


def test_the_xlsx_reads_back_with_the_same_lines(client, supervisor, program, cohort):
    supervisor.staff_profile.programs.add(program)
    client.force_login(supervisor)
    response = client.get(reverse("outcomes:dashboard_xlsx"), {"program": program.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = by_label([list(row) for row in sheet.iter_rows(values_only=True)])
    assert lines["Enrollments in the cohort"][0] == 10
    assert lines["Excluded"][0] == 4
    assert lines["PHQ-9: average score"][:7] == [
        6,
        "14.7",
        "10.0",
        "-4.7",
        "-9.8 to +0.4",
        "Wilcoxon signed-rank",
        "0.094",
    ]
    assert lines["ER visits per person per 6 months"][-1] == "16 -> 5"
    assert "regression to the mean" in lines["Note"][0]
    assert any(key == "Published" for key in lines)
    assert "Peer hours without a claim (grant-funded or not yet billed)" in lines
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, actor=supervisor).count() == 1
