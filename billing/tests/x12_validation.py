"""Tests validate exactly as an export does: `billing.validation` (pyx12 and our own checks)."""

from billing.validation import pyx12_errors, validate_837p

__all__ = ["assert_valid", "pyx12_errors"]


def assert_valid(text: str) -> None:
    """The file passes pyx12 and every check of ours, as each export must."""
    assert validate_837p(text) == []
