"""Which coverage bills a note: other insurance before Medicaid, the payer of last resort;
among Medicaid coverages, the one ranked first."""

import pytest
from django.urls import reverse

from billing.assessment import HOLD, READY
from billing.billability import assess, billable_notes
from notes.tests.factories import signed_note
from participants.tests.factories import CoverageFactory, PayerFactory

from .factories import days_ago


def texts(a):
    return " | ".join(r.text for r in a.reasons)


@pytest.mark.django_db
def test_while_other_insurance_covers_the_day_the_primary_payer_is_billed_first(person, author):
    employer = CoverageFactory(
        participant=person, payer=PayerFactory(name="Blue Plan"), kind="other_insurance", billing_program="other",
        member_id="XK-2231", rank=2, start_date=days_ago(30), end_date=days_ago(10),
    )  # fmt: skip
    during, after = signed_note(person, author, day=days_ago(20)), signed_note(person, author, day=days_ago(5))
    results = {a.note: a for a in assess(billable_notes())}
    # Ranked second by mistake, it still comes first: Medicaid pays last.
    assert results[during].status == HOLD
    assert texts(results[during]) == (
        f"Bill the primary payer first: Blue Plan (other insurance, ID XK-2231) covers "
        f"{days_ago(20):%b} {days_ago(20).day}, {days_ago(20).year}, and Medicaid pays last. Once it has paid or "
        "denied the claim, record what it decided."
    )
    # The fix is recording the primary's adjudication; then Medicaid is billed as secondary.
    reason = results[during].reasons[0]
    assert (reason.kind, reason.fix_label) == ("primary", "Record its payment")
    assert reason.fix_url == reverse("billing:primary_record", args=[during.pk])
    assert results[after].status == READY
    employer.end_date = days_ago(30)
    employer.save()
    assert [a.status for a in assess(billable_notes())] == [READY, READY]


@pytest.mark.django_db
def test_two_medicaid_coverages_ranked_the_same_are_held_until_one_is_primary(person, author):
    amh = CoverageFactory(participant=person, billing_program="tx_1915i_amh", start_date=days_ago(60))
    signed_note(person, author)
    [a] = assess(billable_notes())
    assert a.status == HOLD and "choose which one is primary." in texts(a)
    assert "Two Medicaid coverages on" in texts(a) and "rank the same (TX 1915(i) HCBS Adult Mental Health and " in (
        texts(a)
    )
    amh.rank = 2
    amh.save()
    [a] = assess(billable_notes())
    assert (a.status, a.coverage.billing_program) == (READY, "tx_state_plan")
    person.coverages.filter(billing_program="tx_state_plan").update(rank=3)
    [a] = assess(billable_notes())
    assert a.coverage == amh and a.code.billing_program == "tx_1915i_amh"
