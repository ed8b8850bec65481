"""A program admin asks for a monthly report and watches it become ready without reloading;
a supervisor opens a report on a phone and its chart is drawn.

Without a worker in this branch the test plays the worker's part: once the page shows the
report queued, it marks the row running, then ready, as the task does."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.tests.factories import AgencyFactory, ProgramFactory, StaffProfileFactory
from reports.models import Report
from reports.tests.report_rows import FIGURES, make_report, month

from .helpers import CHART_DRAWN, assert_accessible, assert_fits_the_screen, sign_in


def finish(report: Report) -> None:
    """What the worker does at the end of a good run."""
    for field in ("pdf", "xlsx", "csv"):
        getattr(report, field).save(f"report.{field}", ContentFile(b"stub"), save=False)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.READY,
        progress=100,
        generated_at=timezone.now(),
        figures=FIGURES,
        pdf=report.pdf.name,
        xlsx=report.xlsx.name,
        csv=report.csv.name,
    )


@pytest.mark.django_db(transaction=True)
def test_an_admin_generates_a_report_and_sees_it_become_ready_without_reloading(desktop):
    UserFactory(email="alma@example.org", role=Role.PROGRAM_ADMIN)
    program = ProgramFactory(agency=AgencyFactory(), name="Peer Bridger")

    sign_in(desktop, "alma@example.org")
    desktop.get_by_role("link", name="Reports", exact=True).click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Reports")
    form = desktop.locator("form", has=desktop.get_by_role("button", name="Generate"))
    form.get_by_label("Program").select_option(label="Peer Bridger")
    form.get_by_label("Month").fill("2026-10")
    form.get_by_role("button", name="Generate").click()

    row = desktop.locator(".report-row", has_text="Peer Bridger, October 2026")
    expect(row).to_contain_text("Queued")
    report = Report.objects.get(program=program)
    # A mark on this page: still there at the end, so the page was never reloaded.
    desktop.evaluate("window.notReloaded = true")

    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=50, stage="Counting billing")
    expect(row).to_contain_text("Counting billing: 50% done")
    expect(row.get_by_role("progressbar")).to_be_visible()
    finish(report)
    expect(row).to_contain_text("Ready")
    expect(row.get_by_role("link", name="PDF")).to_be_visible()
    assert_accessible(desktop)
    assert desktop.evaluate("window.notReloaded") is True
    assert row.get_attribute("hx-trigger") is None  # polling stopped

    with desktop.expect_download() as download:
        row.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "peer-bridger-2026-10.csv"
    assert_fits_the_screen(desktop)
    assert_accessible(desktop)


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_opens_a_report_on_a_phone_and_its_chart_is_drawn(phone):
    agency = AgencyFactory()
    supervisor = UserFactory(email="sam@example.org", role=Role.SUPERVISOR)
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    StaffProfileFactory(user=supervisor, agency=agency).programs.add(program)
    make_report(program, *month(2026, 10))
    make_report(program, *month(2026, 9), status=Report.Status.FAILED, files=False, error="The worker timed out.")

    sign_in(phone, "sam@example.org")
    phone.goto("/reports/")
    expect(phone.locator(".report-row", has_text="September 2026")).to_contain_text("The worker timed out.")
    expect(phone.get_by_role("button", name="Generate")).to_have_count(0)
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    phone.get_by_role("link", name="Peer Bridger, October 2026").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("October 2026")
    phone.wait_for_function(CHART_DRAWN, arg="chart-census-caseload")
    expect(phone.get_by_role("img", name="Caseload against target: a chart", exact=False)).to_be_visible()
    chart = phone.locator("figure.report-chart", has=phone.locator("#chart-census-caseload"))
    expect(chart.get_by_role("row", name="Ana")).to_contain_text("14")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
