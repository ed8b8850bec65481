"""Billing's pages, one module per part of the work: batches.py (the work page, batches, claims,
authorizations, duplicates) and the revenue cycle after export."""
