"""The batch page's claims written in Python (billing/templatetags/claim_cards.py, issue 16) are
the HTML their template wrote, byte for byte: billing/tests/files/claim_cards.html is that
template (with the status badge and correction forms it included), kept as the reference,
rendered here for the same claims in every state a card shows, in an open, an exported and a
withdrawn batch. The correction forms' template (files/billing/_claim_corrections.html) is
the reference of the claim page's too, which writes them with the same function."""

import copy
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.urls import reverse

from billing.models import Authorization, Claim, ClaimBatch
from billing.templatetags.claim_cards import claim_cards

from .test_remittance_pages import batch  # noqa: F401 (fixture)

FILES = Path(__file__).parent / "files"
# The project's templates, and the templates the tags replaced (found first).
_REFERENCES = DjangoTemplates(
    {"NAME": "references", "DIRS": [FILES, *settings.TEMPLATES[0]["DIRS"]], "APP_DIRS": True, "OPTIONS": {}}
)
REFERENCE = _REFERENCES.from_string((FILES / "claim_cards.html").read_text())
TOKEN = {"csrf_token": "t0ken&<x>"}


def _states(claim, batch):  # noqa: F811
    """The claim in each state its card shows differently (changed in memory only)."""
    lines = claim.line_list
    voided, other = copy.copy(lines[0]), copy.copy(lines[-1])
    voided.voided, voided.modifiers, voided.units, voided.charge = True, ["HQ", "U<1>"], 1, Decimal("0")
    other.modifiers, other.units, other.charge = [], 12, Decimal("1234.5")
    other.service_date = datetime.date(2026, 1, 2)
    original = copy.copy(claim)
    original.pk = 1234567
    authorization = Authorization(number="A&<1>")
    variants = [
        {},
        {"line_list": [*lines, voided, other], "diagnosis_codes": ["F33.1", "<Z>&"], "member_id": "M&<1>"},
        {"frequency": "7", "original": original, "authorization": authorization},
        {"frequency": "8", "original": original},
        {"payer_claim_number": "PCN&<9>", "days_left": 5},
        {"payer_claim_number": "PCN", "days_left": -1},
        {"payer_claim_number": "", "days_left": None},
        {"payer_claim_number": "PCN", "days_left": 0, "corrections": [original]},
        *({"status": status, "payer_claim_number": "P"} for status in [*Claim.Status.values, "other"]),
        {"line_list": []},
    ]
    for changes in variants:
        state = copy.copy(claim)
        corrections = changes.pop("corrections", [])
        # What batch_claims' prefetch leaves for `claim.corrections.all`: a list of the claim's.
        state._prefetched_objects_cache = {**claim._prefetched_objects_cache, "corrections": corrections}
        for name, value in changes.items():
            setattr(state, name, value)
        yield state


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ClaimBatch.Status.OPEN, ClaimBatch.Status.EXPORTED, ClaimBatch.Status.WITHDRAWN])
def test_the_cards_are_the_reference_templates_html(client, billing_user, batch, status):  # noqa: F811
    client.force_login(billing_user)
    response = client.get(reverse("billing:batch_detail", args=[batch.pk]))
    shown = response.context["batch"]
    (claim,) = response.context["claims"]
    assert claim.line_list and claim.days_left is not None
    shown.status = status
    shown.payer.name = "Payer & <Co>"
    claims = list(_states(claim, shown))
    context = {**TOKEN, "claims": claims, "batch": shown}
    mine = engines["django"].from_string("{% load claim_cards %}{% claim_cards claims batch %}").render(context)
    assert mine == REFERENCE.render(context)
    assert mine.count('<section class="card mb-3"') == len(claims)
    assert claim_cards  # the tag the page loads


@pytest.mark.django_db
def test_the_batch_page_writes_its_claims_with_the_tag(client, billing_user, batch):  # noqa: F811
    client.force_login(billing_user)
    response = client.get(reverse("billing:batch_detail", args=[batch.pk]))
    context = {"csrf_token": response.context["csrf_token"], "claims": response.context["claims"]}
    context["batch"] = response.context["batch"]
    assert REFERENCE.render(context) in response.content.decode()
    assert "{% claim_cards claims batch %}" in Path("templates/billing/batch_detail.html").read_text()


@pytest.mark.django_db
def test_the_claim_page_writes_the_cards_correction_forms(client, billing_user, batch):  # noqa: F811
    claim = batch.claims.get()  # of an exported batch
    Claim.objects.filter(pk=claim.pk).update(payer_claim_number="PCN-7")
    client.force_login(billing_user)
    response = client.get(reverse("billing:claim_detail", args=[claim.pk]))
    context = {"csrf_token": response.context["csrf_token"], "claim": response.context["claim"], "batch": batch}
    forms = _REFERENCES.get_template("billing/_claim_corrections.html").render(context)
    assert "Void the claim" in forms and "PCN-7" in forms
    assert forms in response.content.decode()
