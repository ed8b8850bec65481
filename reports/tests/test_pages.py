"""The reports pages: the list and its pages, asking for a report (a month, any dates, again),
the status line that polls until the report is ready, a report in the browser, downloads."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from programs.tests.factories import ProgramFactory
from reports.models import Report

from .report_rows import make_report, month, monthly_reports

LIST = reverse("reports:report_list")


@pytest.fixture
def report(program):
    return make_report(program, *month(2026, 10))


@pytest.fixture
def own_supervisor(supervisor, team, program):
    supervisor.staff_profile.programs.add(program)
    return supervisor


# The list


def test_the_list_shows_each_status_with_downloads_when_there_are_files(client, admin_user, program):
    make_report(program, *month(2026, 10))
    make_report(program, *month(2026, 9), status=Report.Status.RUNNING, progress=40, stage="Counting billing")
    make_report(program, *month(2026, 8), status=Report.Status.FAILED, files=False, error="The database went away.")
    make_report(program, *month(2026, 7), status=Report.Status.QUEUED, files=False)
    client.force_login(admin_user)
    response = client.get(LIST)
    content = response.content.decode()
    assert [r.period_label for r in response.context["page"]] == [
        "October 2026",
        "September 2026",
        "August 2026",
        "July 2026",
    ]
    assert "Ready</span> generated" in content
    assert "Counting billing: 40% done" in content and 'value="40"' in content
    assert "The database went away." in content
    assert "Queued</span>" in content
    # Two rows have files (the ready one and the running one, from its last good run).
    assert content.count(">PDF<") == 2 and content.count(">Excel<") == 2 and content.count(">CSV<") == 2
    assert "Generate a monthly report" in content and "Run a report for any dates" in content


def test_the_list_filters_by_program(client, admin_user, program, agency):
    warmline = ProgramFactory(agency=agency, name="Warmline")
    make_report(program, *month(2026, 10))
    make_report(warmline, *month(2026, 10))
    client.force_login(admin_user)
    assert len(client.get(LIST).context["page"]) == 2
    page = client.get(LIST, {"program": warmline.pk}).context["page"]
    assert [r.program for r in page] == [warmline]


def test_a_supervisor_sees_their_programs_reports_and_no_month_form(client, own_supervisor, program, agency):
    make_report(program, *month(2026, 10))
    make_report(ProgramFactory(agency=agency, name="Warmline"), *month(2026, 10))
    client.force_login(own_supervisor)
    response = client.get(LIST)
    assert [r.program for r in response.context["page"]] == [program]
    content = response.content.decode()
    assert "Generate a monthly report" not in content and "Regenerate" not in content
    assert "Run a report for any dates" in content


def test_a_supervisor_with_no_program_is_told_so(client, supervisor, team):
    client.force_login(supervisor)
    assert "No program is listed on your staff profile" in client.get(LIST).content.decode()


@pytest.mark.parametrize("count", [3, 45])
def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    client, admin_user, program, count, django_assert_max_num_queries
):
    monthly_reports(program, count)
    client.force_login(admin_user)
    # Session and user (3), count and page (2), the programs of the filter and the two forms.
    with django_assert_max_num_queries(14):
        response = client.get(LIST, {"page": 2 if count > 20 else 1})
    assert len(response.context["page"]) == min(count, 20)


def test_the_number_of_queries_does_not_grow_with_the_reports(client, admin_user, program, agency):
    client.force_login(admin_user)
    monthly_reports(program, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    monthly_reports(ProgramFactory(agency=agency), 60)
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(few) == len(many)


# Asking for a report


def test_an_admin_generates_a_month_and_lands_on_its_queued_row(client, admin_user, program):
    client.force_login(admin_user)
    response = client.post(reverse("reports:report_generate"), {"month-program": program.pk, "month-month": "2026-10"})
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert report.status == Report.Status.QUEUED and report.requested_by == admin_user
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?program={program.pk}&page=1#report-{report.pk}"
    page = client.get(response["Location"])
    assert f'hx-get="{reverse("reports:report_status", args=[report.pk])}"' in page.content.decode()


def test_an_older_month_lands_on_the_page_that_holds_it(client, admin_user, program):
    monthly_reports(program, 25)  # Dec 2026 back to Dec 2024
    client.force_login(admin_user)
    response = client.post(reverse("reports:report_generate"), {"month-program": program.pk, "month-month": "2024-11"})
    assert "&page=2#report-" in response["Location"]


def test_a_supervisor_runs_a_quarter_of_their_program(client, own_supervisor, program):
    client.force_login(own_supervisor)
    data = {"range-program": program.pk, "range-start": "2026-01-01", "range-end": "2026-03-31"}
    assert client.post(reverse("reports:report_run"), data).status_code == 302
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert report.period_label == "Jan 1, 2026 to Mar 31, 2026"


def in_the_future(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    "url, data, field, message",
    [
        ("generate", {"month-month": "2026-13"}, "month-month", "Enter the month as YYYY-MM"),
        ("generate", {"month-month": "October"}, "month-month", "Enter the month as YYYY-MM"),
        ("generate", {"month-month": in_the_future(40)[:7]}, "month-month", "That month has not begun yet."),
        ("generate", {"month-month": "1999-12"}, "month-month", "Choose a month from 2000 on."),
        ("generate", {"month-month": "0000-05"}, "month-month", "Choose a month from 2000 on."),
        ("generate", {"month-month": "２０２６-10"}, "month-month", "Enter the month as YYYY-MM"),
        ("run", {"range-start": "2026-03-01", "range-end": "2026-02-01"}, "range-end", "end before it starts"),
        ("run", {"range-start": "2026-01-01", "range-end": in_the_future(1)}, "range-end", "end in the future"),
        ("run", {"range-start": "2020-01-01", "range-end": "2023-01-01"}, "range-end", "at most 3 years"),
        ("run", {"range-start": "2026-01-01", "range-end": "not a date"}, "range-end", "Enter a valid date."),
        ("run", {"range-start": "", "range-end": "2026-01-31"}, "range-start", "This field is required."),
    ],
)
def test_bad_input_is_marked_at_its_field_with_400_and_nothing_queued(
    client, admin_user, program, url, data, field, message
):
    client.force_login(admin_user)
    prefix = "month" if url == "generate" else "range"
    response = client.post(reverse(f"reports:report_{url}"), {f"{prefix}-program": program.pk, **data})
    assert response.status_code == 400
    content = response.content.decode()
    assert f'id="{field}-error"' in content and message in content
    assert "Nothing was queued" in content
    assert not Report.objects.exists()


def test_three_years_to_the_day_before_is_accepted(client, admin_user, program):
    client.force_login(admin_user)
    data = {"range-program": program.pk, "range-start": "2023-01-01", "range-end": "2025-12-31"}
    assert client.post(reverse("reports:report_run"), data).status_code == 302


def test_regenerating_requeues_the_report_and_keeps_its_files(client, admin_user, report):
    token = report.run_token
    client.force_login(admin_user)
    response = client.post(reverse("reports:report_regenerate", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and report.run_token != token
    assert report.has_files
    assert client.get(reverse("reports:report_download", args=[report.pk, "pdf"])).status_code == 200


@pytest.mark.parametrize("name", ["report_generate", "report_run"])
def test_asking_for_a_report_is_post_only(client, admin_user, name):
    client.force_login(admin_user)
    assert client.get(reverse(f"reports:{name}")).status_code == 405
    assert not Report.objects.exists()


def test_regenerate_is_post_only(client, admin_user, report):
    client.force_login(admin_user)
    assert client.get(reverse("reports:report_regenerate", args=[report.pk])).status_code == 405


# The status line


def test_the_status_line_polls_while_queued_or_running_and_stops_when_ready(client, admin_user, program):
    report = make_report(program, *month(2026, 10), status=Report.Status.QUEUED, files=False)
    url = reverse("reports:report_status", args=[report.pk])
    client.force_login(admin_user)
    assert 'hx-trigger="every 2s"' in client.get(url).content.decode()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=50, stage="Counting services")
    running = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in running and "Counting services: 50% done" in running
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY, generated_at=timezone.now())
    ready = client.get(url)
    assert "no-store" in ready["Cache-Control"]
    assert "hx-trigger" not in ready.content.decode() and "Ready</span>" in ready.content.decode()


def test_polled_from_its_own_page_a_report_just_made_ready_offers_its_figures(client, admin_user, program):
    report = make_report(program, *month(2026, 10), status=Report.Status.QUEUED, files=False)
    url = reverse("reports:report_status", args=[report.pk])
    client.force_login(admin_user)
    queued = client.get(url, {"on": "detail"}).content.decode()
    assert f'hx-get="{url}?on=detail"' in queued and "Peer Bridger, October 2026</a>" not in queued
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY, generated_at=timezone.now())
    assert "Show the new figures" in client.get(url, {"on": "detail"}).content.decode()
    assert "Show the new figures" not in client.get(url).content.decode()


def test_a_failed_report_stops_polling_and_says_why(client, admin_user, program):
    report = make_report(program, *month(2026, 10), status=Report.Status.FAILED, files=False, error="Timed out.")
    client.force_login(admin_user)
    content = client.get(reverse("reports:report_status", args=[report.pk])).content.decode()
    assert "hx-trigger" not in content and "Timed out." in content


# A report in the browser


def test_the_report_page_shows_its_sections_and_charts(client, own_supervisor, report):
    client.force_login(own_supervisor)
    response = client.get(reverse("reports:report_detail", args=[report.pk]))
    content = response.content.decode()
    assert "report for October 2026" in content
    assert "Census" in content and "Services" in content
    assert 'id="report-charts"' in content and 'id="chart-census-caseload"' in content
    assert 'role="img"' in content and "Caseload against target: a chart of the numbers" in content
    [chart] = response.context["charts"]
    assert chart["labels"] == ["Ana", "Ben"]
    assert [(s["label"], s["values"]) for s in chart["series"]][0][1] == [14, 9]
    assert "report_charts.js" in content


def test_a_report_without_figures_is_being_prepared(client, admin_user, program):
    report = make_report(program, *month(2026, 10), status=Report.Status.QUEUED, files=False)
    client.force_login(admin_user)
    content = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "This report is being prepared" in content and "report-charts" not in content


# Downloads


@pytest.mark.parametrize(
    "fmt, content_type",
    [
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
    ],
)
def test_a_download_is_served_with_its_type_and_name_and_audited(client, own_supervisor, report, fmt, content_type):
    client.force_login(own_supervisor)
    response = client.get(reverse("reports:report_download", args=[report.pk, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="peer-bridger-2026-10.{fmt}"'
    assert b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (event.actor, event.target_type, event.target_id) == (own_supervisor, "reports.report", str(report.pk))
    assert event.details["format"] == fmt


def test_a_date_range_download_is_named_by_its_dates(client, admin_user, program):
    report = make_report(program, datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    client.force_login(admin_user)
    response = client.get(reverse("reports:report_download", args=[report.pk, "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="peer-bridger-2026-01-01-to-2026-03-31.csv"'


def test_a_file_not_made_yet_is_not_found_and_not_audited(client, admin_user, program):
    report = make_report(program, *month(2026, 10), status=Report.Status.QUEUED, files=False)
    client.force_login(admin_user)
    assert client.get(reverse("reports:report_download", args=[report.pk, "pdf"])).status_code == 404
    assert client.get(f"/reports/{report.pk}/docx/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


# Around the app


def test_the_admin_home_lists_the_latest_reports(client, admin_user, report):
    client.force_login(admin_user)
    content = client.get(reverse("home_admin")).content.decode()
    assert "Peer Bridger, October 2026" in content and reverse("reports:report_list") in content


def test_only_admins_and_supervisors_have_reports_in_the_navigation(
    client, admin_user, own_supervisor, peer, billing_user
):
    link = f'<a class="nav-link" href="{LIST}">Reports</a>'
    for user, home, shown in [
        (admin_user, "home_admin", True),
        (own_supervisor, "home_supervisor", True),
        (peer, "home_peer", False),
        (billing_user, "home_billing", False),
    ]:
        client.force_login(user)
        assert (link in client.get(reverse(home)).content.decode()) is shown, user


def test_a_supervisor_running_a_month_that_exists_is_shown_it_not_regenerating_it(client, own_supervisor, report):
    token = report.run_token
    client.force_login(own_supervisor)
    data = {"range-program": report.program_id, "range-start": "2026-10-01", "range-end": "2026-10-31"}
    response = client.post(reverse("reports:report_run"), data)
    assert response.status_code == 302 and f"#report-{report.pk}" in response["Location"]
    report.refresh_from_db()
    assert (report.status, report.run_token) == (Report.Status.READY, token)
    assert "already exists" in client.get(response["Location"]).content.decode()
