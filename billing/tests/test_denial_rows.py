"""The denial queue's rows written in Python (billing/templatetags/denial_rows.py) are the HTML
the row's template wrote, byte for byte: billing/tests/files/denial_row.html is that template,
kept as the reference, rendered here for the same lines in every state a row shows."""

import copy
import datetime
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, engines
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse

from audit.context import AuditContext
from billing import denials
from billing.templatetags.denial_rows import row

from .factories import TODAY
from .test_denials_pages import denied  # noqa: F401 (a fixture)

REFERENCE = engines["django"].from_string((Path(__file__).parent / "files" / "denial_row.html").read_text())
TOKEN = "tok<en>&1"


def _reference(line, *, appealed: bool, back: str) -> str:
    return REFERENCE.render({"line": line, "appealed": appealed, "back": back, "csrf_token": TOKEN})


def _states(line):
    """The line in each state its row shows differently (changed in memory only)."""
    for number, days, written_off, reason, modifiers, decided in itertools.product(
        ("", "PCN<1>"),
        (-1, -3, 0, 1, 14, 15, 110),
        (Decimal("0.00"), Decimal("12.5")),
        ("CO-16", None),
        ([], ["HQ", "U<1>"]),
        (None, TODAY - datetime.timedelta(days=10)),
    ):
        state = copy.copy(line)
        state.claim = copy.copy(line.claim)
        state.claim.payer_claim_number = number
        state.claim.adjudicated_on = decided
        state.days_left, state.days_past, state.urgent = days, -days, days <= denials.URGENT_DAYS
        state.written_off, state.denial_reason, state.modifiers = written_off, reason, modifiers
        state.appealed_on, state.appeal_note = TODAY, "Sent the <plan> & notes " * 8
        yield state


@pytest.mark.django_db
def test_a_row_is_the_reference_templates_html(client, billing_user, denied):  # noqa: F811
    client.force_login(billing_user)
    line = client.get(reverse("billing:denial_list")).context["page"].object_list[0]
    csrf = CsrfTokenNode().render(Context({"csrf_token": TOKEN}))  # as the tag writes it
    for state in _states(line):
        for appealed in (False, True):
            back = "payer=3&reason=CO-16&page=2"
            assert row(state, appealed=appealed, back=back, csrf=csrf) == _reference(
                state, appealed=appealed, back=back
            )


@pytest.mark.django_db
def test_the_page_writes_each_row_once_with_its_token(client, billing_user, denied, author):  # noqa: F811
    """The page's rows, to work and appealed, are the reference's; with the request's token."""
    client.force_login(billing_user)
    response = client.get(reverse("billing:denial_list"), {"reason": "co-16"})
    body = response.content.decode()
    line = response.context["page"].object_list[0]
    token = response.context["csrf_token"]
    assert REFERENCE.render({"line": line, "appealed": False, "back": "reason=co-16", "csrf_token": token}) in body
    denials.line_appeal(line=denied, appealed_on=TODAY, note="Appeal <sent>", ctx=AuditContext(author))
    response = client.get(reverse("billing:denial_list"))
    waiting = response.context["waiting"].object_list[0]
    token = response.context["csrf_token"]
    expected = REFERENCE.render({"line": waiting, "appealed": True, "back": "", "csrf_token": token})
    assert expected in response.content.decode()
