"""Billing's models: the reference data that decides what a note bills (reference.py), the
claims made of it (claims.py), what the payer says back (remittances.py) and eligibility
inquiries and responses (eligibility.py)."""

from .acknowledgments import Acknowledgment
from .claims import Claim, ClaimBatch, ClaimLine, DuplicateDecision
from .eligibility import EligibilityInquiry, EligibilityInquiryLine, EligibilityResponse, EligibilityResult
from .reference import (
    Authorization,
    BillingIdentity,
    CombinedDailyCap,
    FundingSource,
    Rate,
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
    "BillingIdentity",
    "Claim",
    "ClaimBatch",
    "ClaimLine",
    "CombinedDailyCap",
    "DuplicateDecision",
    "FundingSource",
    "Rate",
    "ServiceCode",
    "units_for",
]
