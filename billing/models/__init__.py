"""Billing's models: the reference data that decides what a note bills (reference.py) and the
claims made of it (claims.py)."""

from .claims import Claim, ClaimBatch, ClaimLine, DuplicateDecision
from .reference import (
    Authorization,
    BillingIdentity,
    CombinedDailyCap,
    FundingSource,
    Rate,
    ServiceCode,
    units_for,
)

__all__ = [
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
