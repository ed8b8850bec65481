"""CSV export of a claim batch: one row per claim line, no narrative ever."""

import csv
import io

from .export_rows import claim_rows
from .models import Claim

CSV_COLUMNS = [
    ("batch", "Batch number"),
    ("claim", "Claim number (CLM01)"),
    ("frequency", "Claim frequency: 1 original, 7 replacement, 8 void"),
    ("original_claim", "Claim this one corrects (7 or 8)"),
    ("original_payer_claim", "The payer's number for the claim corrected (REF*F8)"),
    ("payer", "Payer name"),
    ("payer_id", "Payer ID"),
    ("billing_program", "Billing program"),
    ("authorization", "Prior authorization number (REF*G1)"),
    ("member_id", "Member / Medicaid ID"),
    ("last_name", "Participant last name"),
    ("first_name", "Participant first name"),
    ("date_of_birth", "Date of birth (YYYY-MM-DD)"),
    ("service_date", "Date of service (YYYY-MM-DD)"),
    ("hcpcs", "HCPCS code"),
    ("modifiers", "Modifiers, space-separated"),
    ("units", "Units"),
    ("charge", "Charge (USD)"),
    ("place_of_service", "Place of service code"),
    ("diagnosis", "Diagnosis code the line points at"),
    ("rendering", "Peer specialist"),
    ("rendering_npi", "Rendering provider NPI (loop 2310B), when the payer requires it"),
    ("voided", "Voided (yes/no)"),
    ("other_payer", "Other insurance that paid first, on a claim billing Medicaid as secondary (loop 2330B)"),
    ("other_payer_paid", "What that payer paid for the line (loop 2430 SVD02)"),
]


# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection): such a
# cell gets a leading single quote, which spreadsheets show as text (OWASP, "CSV Injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def batch_csv(batch, claims=None) -> str:
    """The batch's lines as they are now; `batch_export` freezes this with the 837P, written from
    the rows the 837P was written from (export_rows.claim_rows, read here unless given). No
    note's narrative is read: only its author's name."""
    claims = claim_rows(batch) if claims is None else claims
    payer = batch.payer
    programs = dict(Claim._meta.get_field("billing_program").flatchoices)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for claim in claims:
        p = claim.participant
        for line in claim.lines:
            row = [
                batch.pk,
                claim.claim_number,
                claim.frequency,
                claim.original.claim_number if claim.original_id else "",
                claim.original.payer_claim_number if claim.original_id else "",
                payer.name,
                payer.payer_id,
                str(programs.get(claim.billing_program, claim.billing_program)),  # get_billing_program_display()
                claim.authorization.number if claim.authorization_id else "",
                claim.member_id,
                p.last_name,
                p.first_name,
                p.date_of_birth.isoformat(),
                line.service_date.isoformat(),
                line.hcpcs,
                " ".join(line.modifiers),
                line.units,
                f"{line.charge:.2f}",
                line.place_of_service,
                claim.diagnosis_codes[line.diagnosis_pointer - 1] if claim.diagnosis_codes else "",
                line.author_name,
                claim.rendering_provider.npi if claim.rendering_provider_id else "",
                "yes" if line.voided else "no",
                claim.other_coverage.payer.name if claim.other_coverage_id else "",
                f"{line.primary_adjudication.paid:.2f}" if line.primary_adjudication_id else "",
            ]
            writer.writerow([csv_safe(value) for value in row])
    return out.getvalue()
