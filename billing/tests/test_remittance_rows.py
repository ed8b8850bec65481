"""The remittance page's service lines written in Python (billing/templatetags/remittance_rows.py)
are the HTML their template wrote, byte for byte: billing/tests/files/remittance_line.html is
that template, kept as the reference, rendered here for the same lines in every state a row shows."""

import copy
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse

from billing.models import Adjustment, RemittanceLine
from billing.templatetags.remittance_rows import row

from .test_remittance_pages import batch, posted  # noqa: F401 (fixtures)

REFERENCE = engines["django"].from_string((Path(__file__).parent / "files" / "remittance_line.html").read_text())


def _reference(line) -> str:
    return REFERENCE.render({"line": line})


def _lines(client, billing_user, remittance):
    client.force_login(billing_user)
    response = client.get(reverse("billing:remittance_detail", args=[remittance.pk]))
    return response, [line for claim in response.context["page"].object_list for line in claim.line_list]


def _states(line):
    """The line in each state its row shows differently (changed in memory only)."""
    other = Adjustment(group="PR", reason="<1>", amount=Decimal("-3.5"), category="unknown")
    for modifiers, submitted, units, allowed, adjustments, remarks, ours, match, dismissed in itertools.product(
        ([], ["HQ", "U<1>"]),
        ("", "H0038&"),
        (None, Decimal("0"), Decimal("1"), Decimal("1.50"), Decimal("2.25")),
        (None, Decimal("0"), Decimal("12.345")),
        ([], [*line.adjustment_list, other]),
        ([], ["N362", "M<x>"]),
        (line.claim_line, None),
        (*RemittanceLine.Match.values, "other"),
        ("", "Not ours <b>"),
    ):
        state = copy.copy(line)
        state.modifiers, state.submitted_hcpcs, state.submitted_modifiers = modifiers, submitted, modifiers[::-1]
        state.units, state.allowed, state.adjustment_list, state.remark_codes = units, allowed, adjustments, remarks
        state.claim_line, state.match, state.dismiss_reason = ours, match, dismissed
        yield state


@pytest.mark.django_db
def test_a_line_is_the_reference_templates_html(client, billing_user, posted):  # noqa: F811
    _, lines = _lines(client, billing_user, posted)
    assert len(lines) == 2 and any(line.adjustment_list for line in lines)
    for line in lines:
        for state in _states(line):
            assert row(state) == _reference(state)


@pytest.mark.django_db
def test_the_page_writes_each_line(client, billing_user, posted):  # noqa: F811
    response, lines = _lines(client, billing_user, posted)
    body = response.content.decode()
    assert all(_reference(line) in body for line in lines)
