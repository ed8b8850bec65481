"""make bench's page part on a small agency: each role's walk reaches its pages from its home,
times every view going round several records, counts queries, and judges each row by the floor
measured in the same run. Downloads are left to the throughput part."""

import io
import json
import statistics

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from accounts.models import User
from billing.tests.factories import ensure_reference_codes
from peersupport import large_seed
from peersupport.bench import pages
from programs.models import Agency

# The large demo at a tiny size, over the small one. Without it the bench command seeds the
# full large demo first (`seed_demo --scale large`: 5 minutes, most of the suite's slowest test);
# the seeding itself is tested at this size in test_large_seed.
TINY = large_seed.Sizes(programs=2, supervisors=2, specialists=4, participants=40, notes=2000)


@pytest.fixture
def agency(db):
    ensure_reference_codes()
    call_command("seed_demo", verbosity=0)
    return Agency.objects.get(name="Riverbend Behavioral Health")


@pytest.fixture
def large(agency):
    large_seed.generate(agency, sizes=TINY, seed=7)
    return agency


@pytest.mark.django_db
def test_each_role_walks_to_its_pages_and_each_row_is_judged_against_the_floor(large, tmp_path):
    """`manage.py bench --only pages`: one table on screen, and results.json with each row's
    name, value, budget and result; the command fails (exit 1) exactly when a row misses."""
    out, path = io.StringIO(), tmp_path / "results.json"
    try:
        call_command("bench", only=["pages"], roles=["billing"], requests=2, output=str(path), stdout=out)
        exit_code = 0
    except SystemExit as stop:
        exit_code = stop.code
    rows = json.loads(path.read_text())["rows"]
    floor, measured = rows[0], {r["name"]: r for r in rows[1:]}

    assert "seeding one" not in out.getvalue()  # it measured the data it was given
    assert "| part | name | value | budget | result |" in out.getvalue()
    assert exit_code == (1 if any(not r["passed"] for r in rows) else 0)
    assert floor["name"].startswith("floor") and floor["value"] > 0
    # Timed before the role's pages and after them; the pages are judged against the median.
    assert len(floor["detail"]["timed"]) == 2
    assert floor["value"] == pytest.approx(statistics.median(floor["detail"]["timed"]), abs=0.01)
    assert {
        "billing: home_billing", "billing: participants:detail", "billing: billing:work", "billing: billing:batch_list",
        "billing: billing:batch_detail (largest batch)",
    } <= set(measured)  # fmt: skip
    # Requests go round the records the walk saw: several participants, not one.
    assert measured["billing: participants:detail"]["detail"]["urls"] > 1
    for row in measured.values():
        figures = row["detail"]
        assert figures["queries"] > 0 and figures["p95"] >= row["value"] * 0.5
        assert row["budget"] and row["passed"] == (
            figures["ratio"] <= pages.FLOOR_RATIO and figures["p95"] < pages.P95_MS
            and figures["queries"] <= pages.MAX_QUERIES
        )  # fmt: skip
    # Files are not pages: the batch's 837P and CSV are measured by the throughput part.
    assert not any("download" in name for name in measured)


@pytest.mark.django_db
def test_the_peer_walk_reaches_every_page_of_the_peer_journey(agency):
    client = Client()
    client.force_login(User.objects.get(email=pages.ROLES["peer"]))
    with override_settings(ROOT_URLCONF="peersupport.bench.urls"):
        seen = pages.walk(client, "/")
    assert {
        "home_peer", "my_caseload", "notes:my_notes", "participants:search", "participants:detail",
        "notes:note_new", "notes:note_edit", "group_new", "outcomes:assessment_new", "outcomes:check_in_new",
    } <= set(seen)  # fmt: skip
    assert not any(url.startswith(pages.SKIPPED) for urls in seen.values() for url in urls)


@override_settings(ROOT_URLCONF="peersupport.bench.urls")
def test_the_floor_is_a_signed_in_page(db):
    response = Client().get("/__bench__/floor/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
