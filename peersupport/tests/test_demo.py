"""The demo shows billing at work: ready notes, grant-funded notes and the hold reasons."""

import pytest

from billing.assessment import GRANT, HOLD_KINDS, READY
from billing.billability import assess, billable_notes

# A phrase of each hold reason the demo shows. Not shown: "No rate" and "The group had more
# than", which need reference data or a group the forms refuse.
REASONS = [
    "Not enrolled in any program",
    "and no grant funds",
    "No active service code",
    "Bill the primary payer first",
    "rank the same",
    "Under 21 on",
    "serves ages 3 through 18",
    "had no valid peer certification",
    "held no certification",
    "names no recovery-plan goal",
    "less than one billable unit",
    "42 CFR Part 2 consent",
    "address is incomplete",
    "filing limit",
    "The daily cap of 16 units",
    "The cap of 104 units per 183 days",
    "No authorization for",
    "has no units left",
    "Possible duplicate service",
]


@pytest.mark.django_db
def test_the_demo_shows_ready_notes_grants_and_every_hold_reason(demo_agency):
    rows = assess(billable_notes())
    assert sum(a.status == READY for a in rows) >= 50
    assert any(a.status == GRANT for a in rows)
    reasons = " | ".join(r.text for a in rows for r in a.reasons)
    assert [phrase for phrase in REASONS if phrase not in reasons] == []
    # Every reason has a kind the work page can count and filter by.
    assert {r.kind for a in rows for r in a.reasons} <= set(HOLD_KINDS)
    # Texas rehabilitative services bill with their own codes, and meet both daily caps.
    rehab = [a for a in rows if a.status == READY and a.note.service != "peer_support"]
    assert {a.code.hcpcs for a in rehab} == {"H2014", "H2017", "H0034", "H2011"}
    cap_notes = " | ".join(a.cap_note for a in rehab)
    assert "Capped to 16 of 20 units by the daily cap" in cap_notes
    assert "Capped to 4 of 6 units by the daily cap of 8 hours for Texas rehabilitative services" in cap_notes
