"""Billability of a note while other insurance covers its day: Medicaid is billed as secondary,
after the other payer's adjudication is recorded (billing/coordination.py). Called by
billability._check for every note; the rules every other note follows still apply, the filing
limit too: it counts from the date of service, as for a first claim. No verified source we hold
lets a secondary claim count from the other payer's decision instead, so the earlier date holds
(the conservative reading; docs/billing.md)."""

from django.urls import reverse

from participants.models import Coverage

from .assessment import ADMIN_ONLY
from .caps import day_text

# Under 18 on the day of service: a minor's other insurance is usually a parent's plan.
ADULT_AGE = 18


def coordinate(a, covering: list[Coverage]) -> None:
    """Medicaid pays last (42 U.S.C. 1396a(a)(25); 42 CFR 433.139). While other insurance covers
    the day, the note is held until that payer's adjudication is recorded, then bills Medicaid as
    secondary to it (`a.other_coverage`). `covering`: the coverages in force that day, in payment
    order (other insurance first). An adjudication on file that does not belong to the coverage
    now first is held for a person: billing Medicaid as if nobody had paid would ignore a
    recorded payment, and billing it against the wrong payer would misstate who paid."""
    note, adjudication, primary = a.note, a.adjudication, covering[0]
    if primary.kind != Coverage.Kind.OTHER_INSURANCE and adjudication is None:
        return  # the common case: Medicaid first, nobody else involved
    record_url = reverse("billing:primary_record", args=[note.pk])
    day = day_text(note.date)
    if primary.kind == Coverage.Kind.OTHER_INSURANCE:
        others = [c for c in covering if c.kind == Coverage.Kind.OTHER_INSURANCE]
        # Both checked, so every reason shows at once.
        several, minor = _hold_several_others(a, others, day), _hold_minor(a, day)
        blocked = several or minor
        if adjudication is not None and adjudication.coverage_id == primary.pk:
            if not blocked:
                a.other_coverage = primary
        elif adjudication is None:
            a.hold(
                f"Bill the primary payer first: {primary.payer} (other insurance, ID {primary.member_id}) covers "
                f"{day}, and Medicaid pays last. Once it has paid or denied the claim, record what it decided.",
                record_url,
                kind="primary",
                fix_label="Record its payment",
            )
        else:
            a.hold(
                f"The adjudication on file is {adjudication.coverage.payer}'s, but {primary.payer} (other insurance, "
                f"ID {primary.member_id}) is the payer that covers {day} first: correct the adjudication.",
                record_url,
                kind="primary",
                fix_label="Correct it",
            )
    elif adjudication is not None:
        a.hold(
            f"{adjudication.coverage.payer}'s adjudication of this note is on file, but no other insurance covers "
            f"{day} now: correct the participant's coverage, or the adjudication, before Medicaid is billed.",
            record_url,
            kind="primary",
            fix_label="Review it",
        )


def _hold_several_others(a, others: list[Coverage], day: str) -> bool:
    """Medicaid is billed after every other insurance covering the day, so with two of them it
    would be the third payer: a tertiary claim (2000B SBR01 T, one loop 2320/2330 per earlier
    payer, each with its own adjudication). That is not built: we record one other payer's
    adjudication per note and write one 2320 loop. Billing Medicaid as secondary after only the
    first would hide the second payer from it, so the note is held for a person until only one
    other insurance covers the day (the conservative reading)."""
    if len(others) < 2:
        return False
    names = ", ".join(f"{c.payer} (ID {c.member_id})" for c in others)
    a.hold(
        f"{len(others)} other insurances cover {day}: {names}. Medicaid pays after all of them, as the third "
        "payer or later, and billing Medicaid after more than one other payer (a tertiary claim) is not built "
        "here yet. Bill them outside this app; if one of them did not cover that day, correct its dates.",
        a.participant_url + "#coverage",
        kind="primary",
        fix_label="Check the coverages",
    )
    return True


def _hold_minor(a, day: str) -> bool:
    """A secondary claim names the other plan's policyholder: 2320 SBR02 (the participant's
    relationship to them) and loop 2330A (their name and the plan's member ID). We write SBR02 18
    (self) and the participant, right for an adult who holds the plan. A minor's other insurance
    is usually a parent's plan (SBR02 19, 2330A the parent), and coverages have no policyholder
    fields yet, so the claim would name the wrong subscriber and the payer's match on it would
    fail or misstate. Until they are recorded, a participant under 18 on the day of service is
    held (the conservative reading)."""
    participant = a.note.participant
    if participant.age_on(a.note.date) >= ADULT_AGE:
        return False
    a.hold(
        f"{participant} was under {ADULT_AGE} on {day}: a minor's other insurance is usually a parent's plan, and "
        "the claim to Medicaid must name that plan's policyholder and their relationship to the participant, "
        "which this app can't record yet. Medicaid can't be billed here after the other insurance for this note.",
        a.participant_url + "#coverage",
        kind="primary",
        fix_label="Check the coverage",
    )
    return True


def check_secondary(a) -> None:
    """A note billed to Medicaid as secondary: the claim names the other payer by its payer ID
    (loop 2330B NM109, SVD01), and each line balances with the other payer's adjudication: the
    line's charge equals what it paid plus its adjustments (SV102 = SVD02 + the 2430 CAS amounts;
    X12 RFI 1555 on 005010X222). Our charge is the Medicaid rate times the units; when the other
    payer was billed another amount, neither choice has a source (billing Medicaid the other
    payer's charge, or inventing an adjustment to make it balance), so the note is held for a
    person: the conservative reading."""
    adjudication, other = a.adjudication, a.other_coverage.payer
    if not other.payer_id.strip():
        a.hold(
            f"{other} has no payer ID: a secondary claim names the payer that paid first (loop 2330B). "
            "Add its payer ID under Payers in the admin.",
            reverse("admin:programs_payer_change", args=[other.pk]),
            kind="primary",
            for_roles=ADMIN_ONLY,
            fixed_by="a program admin",
        )
    if a.rate is not None and a.units and adjudication.billed != a.amount:
        a.hold(
            f"{other} was billed ${adjudication.billed:.2f} for this note, but its Medicaid charge is ${a.amount:.2f}: "
            "each line of a secondary claim carries the charge the primary payer decided on. Correct the "
            "adjudication if it was typed wrong; if not, ask a program admin how this note is billed.",
            reverse("billing:primary_record", args=[a.note.pk]),
            kind="primary",
            fix_label="Check it",
        )
