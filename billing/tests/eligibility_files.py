"""Eligibility test helpers: inquiries made through the service, 271s loaded through it, and
the payer's answers (billing/eligibility/simulate.py)."""

from django.utils import timezone

from audit.context import AuditContext
from billing.eligibility import inquiry as inquiries
from billing.eligibility.importing import response_import
from billing.eligibility.simulate import Said, active, answer, inactive, isa, rejected, response_271
from billing.models import EligibilityInquiry

TODAY = timezone.localdate()


def ask(*people, by, today=None, scope=EligibilityInquiry.Scope.CHOSEN) -> EligibilityInquiry:
    """One inquiry about the Medicaid coverages of `people`, made through the service."""
    ids = [c.pk for person in people for c in person.coverages.all()]
    [made] = inquiries.inquiry_create(scope=scope, coverage_ids=ids, ctx=AuditContext(by), today=today)
    return made


def load(text: str, *, by, name="response.271"):
    return response_import(text=text, file_name=name, ctx=AuditContext(by))


__all__ = ["TODAY", "Said", "active", "answer", "ask", "inactive", "isa", "load", "rejected", "response_271"]
