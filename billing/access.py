"""Who may see and do what in billing. Decided here, once; every billing view goes through it.

- Billing staff and program admins work the queues, build, export and correct batches.
- Nobody else sees a batch or a claim: they get 404, as for a record that does not exist.
Billing pages and files carry the facts of a service, never a note's narrative (minimum
necessary, 45 CFR 164.502(b)); that is billing's own rule, not an access check.
"""

from django.http import Http404

from accounts.roles import Role
from notes.models import SessionNote

from .models import (
    Authorization,
    Claim,
    ClaimBatch,
    ClaimLine,
    EligibilityInquiry,
    EligibilityResponse,
    Remittance,
    RemittanceLine,
)
from .remittance.matching import claim_pk

BILLING_ROLES = (Role.BILLING, Role.PROGRAM_ADMIN)


def may_bill(user) -> bool:
    return user.has_role(*BILLING_ROLES)


def get_batch_for_user(user, pk: int) -> ClaimBatch:
    # With who exported it: the batch page names them. Not its frozen 837P and CSV (megabytes
    # for a payer-month): the page never shows them; a download reads the one it sends.
    batches = ClaimBatch.objects.select_related("payer", "exported_by").defer("file_837", "file_csv")
    batch = batches.filter(pk=pk).first() if may_bill(user) else None
    if batch is None:
        raise Http404("No such batch.")
    return batch


def get_claim_for_user(user, pk: int) -> Claim:
    claim = Claim.objects.select_related("batch__payer").filter(pk=pk).first() if may_bill(user) else None
    if claim is None:
        raise Http404("No such claim.")
    return claim


def get_authorization_for_user(user, pk: int) -> Authorization:
    authorization = (
        Authorization.objects.select_related("participant").filter(pk=pk).first() if may_bill(user) else None
    )
    if authorization is None:
        raise Http404("No such authorization.")
    return authorization


def get_line_for_user(user, pk: int) -> ClaimLine:
    line = ClaimLine.objects.select_related("claim__batch").filter(pk=pk).first() if may_bill(user) else None
    if line is None:
        raise Http404("No such claim line.")
    return line


def get_note_for_billing(user, pk) -> SessionNote:
    """A signed note, or one waiting for co-signature, for deciding how it is billed (its facts
    only are shown, never its text)."""
    statuses = (SessionNote.Status.SUBMITTED, *SessionNote.LOCKED)
    # With its participant and author, which every page and message of it names: two queries
    # fewer on the primary-payer page (issue 16).
    notes = SessionNote.objects.filter(pk=pk, status__in=statuses).select_related("participant", "author")
    note = notes.first() if may_bill(user) else None
    if note is None:
        raise Http404("No such note.")
    return note


def get_remittance_for_user(user, pk: int) -> Remittance:
    # Not the file's text: a payer-month's 835 runs to megabytes, and only posting a held
    # remittance reads it (Django loads a deferred field when it is used).
    remittances = Remittance.objects.select_related("payer", "imported_by", "reviewed_by").defer("file_text")
    remittance = remittances.filter(pk=pk).first() if may_bill(user) else None
    if remittance is None:
        raise Http404("No such remittance.")
    return remittance


def get_remittance_line_for_user(user, pk: int) -> RemittanceLine:
    lines = RemittanceLine.objects.select_related("remittance_claim__remittance")
    rline = lines.filter(pk=pk).first() if may_bill(user) else None
    if rline is None:
        raise Http404("No such remittance line.")
    return rline


def get_exported_claim_for_user(user, number: str) -> Claim | None:
    """One of our exported claims by its number (CLM01, "PS00000012"), or None."""
    pk = claim_pk(number.upper())
    if pk is None or not may_bill(user):
        return None
    return Claim.objects.filter(pk=pk, batch__status=ClaimBatch.Status.EXPORTED).select_related("batch").first()


def get_inquiry_for_user(user, pk: int) -> EligibilityInquiry:
    inquiry = EligibilityInquiry.objects.select_related("payer").filter(pk=pk).first() if may_bill(user) else None
    if inquiry is None:
        raise Http404("No such eligibility inquiry.")
    return inquiry


def get_eligibility_response_for_user(user, pk: int) -> EligibilityResponse:
    response = EligibilityResponse.objects.select_related("payer").filter(pk=pk).first() if may_bill(user) else None
    if response is None:
        raise Http404("No such eligibility response.")
    return response
