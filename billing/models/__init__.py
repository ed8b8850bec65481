"""Billing's models: the reference data that decides what a note bills (reference.py), the
claims made of it (claims.py), what the payer says back (acknowledgments.py, remittances.py),
eligibility inquiries and responses (eligibility.py), and what another payer decided before
Medicaid is billed as secondary (coordination.py)."""

from .acknowledgments import Acknowledgment
from .claims import BatchDenial, Claim, ClaimBatch, ClaimLine, DuplicateDecision
from .coordination import AdjustmentGroup, FilingIndicator, PrimaryAdjudication, PrimaryAdjustment
from .eligibility import EligibilityInquiry, EligibilityInquiryLine, EligibilityResponse, EligibilityResult
from .reference import (
    Authorization,
    BillingIdentity,
    CombinedDailyCap,
    FundingSource,
    Rate,
    ReferenceVersion,
    ServiceCode,
    units_for,
)
from .remittances import (
    Adjustment,
    Appeal,
    ClaimEvent,
    ProviderAdjustment,
    Remittance,
    RemittanceClaim,
    RemittanceLine,
    WriteOff,
)

__all__ = [
    "Acknowledgment",
    "AdjustmentGroup",
    "FilingIndicator",
    "PrimaryAdjudication",
    "PrimaryAdjustment",
    "Adjustment",
    "Appeal",
    "ClaimEvent",
    "ProviderAdjustment",
    "Remittance",
    "RemittanceClaim",
    "RemittanceLine",
    "WriteOff",
    "EligibilityInquiry",
    "EligibilityInquiryLine",
    "EligibilityResponse",
    "EligibilityResult",
    "Authorization",
    "BatchDenial",
    "BillingIdentity",
    "Claim",
    "ClaimBatch",
    "ClaimLine",
    "CombinedDailyCap",
    "DuplicateDecision",
    "FundingSource",
    "Rate",
    "ReferenceVersion",
    "ServiceCode",
    "units_for",
]
