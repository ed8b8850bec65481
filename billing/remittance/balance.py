"""Whether a remittance's figures add up (005010X221A1 section 1.10.2, balancing), each problem
in words naming the CLP01 and the line: a remittance with any is held for review."""

from decimal import Decimal

from .reader import ParsedClaim, ParsedLine, ParsedRemittance


def balance_problems(parsed: ParsedRemittance, matched: set[str]) -> list[str]:
    """Why the remittance does not add up, one sentence each naming the CLP01 and the line; []
    when it balances. `matched`: the CLP01s that are our
    claims, which must also be postable line by line."""
    problems = []
    for claim in parsed.claims:
        problems += _claim_problems(claim, claim.patient_control_number in matched)
    paid = sum((c.paid for c in parsed.claims), Decimal(0))
    plb = sum((amount for _, _, amount in parsed.provider_adjustments), Decimal(0))
    if paid - plb != parsed.payment_amount:
        problems.append(
            f"The file: the claims' payments ({paid}) less the provider-level adjustments ({plb}) come to "
            f"{paid - plb}, but the payment (BPR02) is {parsed.payment_amount}."
        )
    return problems


def _claim_problems(claim: ParsedClaim, ours: bool) -> list[str]:
    name = f"CLP {claim.patient_control_number}"
    problems = []
    for number, line in enumerate(claim.lines, start=1):
        adjusted = sum((a.amount for a in line.adjustments), Decimal(0))
        if line.charge - adjusted != line.paid:
            problems.append(
                f"{name}, line {number} ({describe(line)}): the charge {line.charge} less its adjustments "
                f"{adjusted} is {line.charge - adjusted}, but the payer paid {line.paid}."
            )
    claim_adjusted = sum((a.amount for a in claim.adjustments), Decimal(0))
    line_adjusted = sum((a.amount for line in claim.lines for a in line.adjustments), Decimal(0))
    if claim.charge - claim_adjusted - line_adjusted != claim.paid:
        problems.append(
            f"{name}: the charge {claim.charge} less its adjustments ({claim_adjusted} on the claim, "
            f"{line_adjusted} on its lines) is {claim.charge - claim_adjusted - line_adjusted}, "
            f"but the claim's payment (CLP04) is {claim.paid}."
        )
    if claim.lines:
        charges = sum((line.charge for line in claim.lines), Decimal(0))
        if charges != claim.charge:
            problems.append(f"{name}: its lines' charges add up to {charges}, not the claim's charge {claim.charge}.")
    spread = "spread over the claim's lines in proportion to their charges"
    if ours and not claim.lines:
        problems.append(
            f"{name}: the payer decided the whole claim without service lines (SVC). Check it with the payer; "
            f"posted after review, its payment and adjustments are {spread}."
        )
    elif ours and claim_adjusted:
        problems.append(
            f"{name}: {claim_adjusted} is adjusted on the claim, not on a line. Check it with the payer; "
            f"posted after review, it is {spread}."
        )
    return problems


def describe(line: ParsedLine) -> str:
    code = " ".join([line.hcpcs, *line.modifiers])
    day = line.service_date
    return f"{code} on {day:%b} {day.day}, {day.year}" if day else code
