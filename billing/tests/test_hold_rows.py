"""{% hold_rows %} writes the hold lists' rows as the template it replaced (issue 16), byte for
byte (billing/tests/files/hold_rows.html): reasons with a fix link, a fix label or someone to
ask, a group session, the forms choosing between duplicates, and names needing escaping."""

import re
from pathlib import Path

import pytest
from django.template import RequestContext, Template
from django.urls import reverse

from billing.models import Rate
from notes.tests.factories import GroupSessionFactory, signed_note
from programs.models import Certification

from .factories import TODAY, days_ago, make_author

pytestmark = pytest.mark.django_db

REFERENCE = (Path(__file__).parent / "files" / "hold_rows.html").read_text()
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.mark.parametrize("viewer", ["billing_user", "admin_user"])
def test_the_rows_are_the_templates_byte_for_byte(client, request, viewer, agency, identity, author, person):
    author.first_name = "Pat <b> & Co"
    author.save(update_fields=["first_name"])
    Certification.objects.filter(profile__user=author).update(expires_on=days_ago(30))  # a fix link, or who to ask
    Rate.objects.filter(service_code__billing_program="tx_state_plan").update(effective_from=TODAY)  # no rate then
    person.primary_diagnosis = "F11.20"  # a Part 2 consent to ask for
    person.save()
    other = make_author(agency, first_name="Jo & <i>", last_name="Reyes")
    signed_note(person, author, day=days_ago(4), start="10:00", end="11:00")
    signed_note(person, other, day=days_ago(4), start="10:30", end="11:15")  # duplicates of each other
    group = GroupSessionFactory(facilitator=author, date=days_ago(6), topic="Budgets <&> bills")
    signed_note(person, author, day=days_ago(6), start="14:00", end="15:00", group=group)
    client.force_login(request.getfixturevalue(viewer))
    response = client.get(reverse("billing:work"))
    page = response.context["holds"]
    rows = list(page.object_list)
    assert any(a.duplicates for a in rows) and any(a.note.group for a in rows)
    reasons = [r for a in rows for r in a.reasons]
    # A program admin opens every fix link; billing staff are told whom to ask for some.
    assert any(r.fix_url if viewer == "admin_user" else r.fixed_by for r in reasons)

    def rendered(source: str) -> str:
        html = Template(source).render(RequestContext(response.wsgi_request, {"page": page}))
        return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', html)

    ours = rendered("{% load hold_rows %}    {% hold_rows page.object_list %}")
    assert ours == rendered(REFERENCE)
    assert "Pat &lt;b&gt; &amp; Co" in ours and "Budgets &lt;&amp;&gt; bills" in ours
    assert "Jo &amp; &lt;i&gt; Reyes's note, not this one" in ours
