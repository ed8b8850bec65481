"""make bench's page part on a small agency: each role's walk reaches its pages from its home,
times every view going round several records, counts queries, and judges each row by the floor
measured in the same run. Downloads are left to the throughput part."""

import io

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from billing.tests.factories import ensure_reference_codes
from peersupport import large_seed
from peersupport.bench import pages
from programs.models import Agency

TINY = large_seed.Sizes(programs=2, supervisors=2, specialists=4, participants=40, notes=2000)


@pytest.fixture
def agency(db):
    ensure_reference_codes()
    call_command("seed_demo", verbosity=0)
    demo = Agency.objects.get(name="Riverbend Behavioral Health")
    large_seed.generate(demo, sizes=TINY, seed=7, today=timezone.localdate())
    return demo


@pytest.mark.django_db
def test_each_role_walks_to_its_pages_and_each_row_is_judged_against_the_floor(agency):
    rows = pages.run(io.StringIO(), requests=3)
    floor, measured = rows[0], {r.name: r for r in rows[1:]}

    assert floor.name.startswith("floor") and floor.value > 0
    assert {
        "peer: home_peer", "peer: my_caseload", "peer: participants:detail", "peer: notes:note_edit",
        "supervisor: home_supervisor", "supervisor: notes:note_queue", "supervisor: team_caseloads",
        "supervisor: workforce", "billing: billing:work", "billing: billing:batch_list",
        "billing: billing:batch_detail (largest batch)", "admin: home_admin", "admin: reports:report_list",
    } <= set(measured)  # fmt: skip
    # Requests go round the records the walk saw: several participants, not one.
    assert measured["peer: participants:detail"].detail["urls"] > 1
    for row in measured.values():
        assert row.detail["queries"] > 0 and row.detail["p95"] >= row.value * 0.5
        assert row.passed == (
            row.detail["ratio"] <= pages.FLOOR_RATIO
            and row.detail["p95"] < pages.P95_MS
            and row.detail["queries"] <= pages.MAX_QUERIES
        )
    # Files are not pages: the batch's 837P and CSV are measured by the throughput part.
    assert not any("download" in name for name in measured)


@override_settings(ROOT_URLCONF="peersupport.bench.urls")
def test_the_floor_is_a_signed_in_page(db):
    response = Client().get("/__bench__/floor/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
