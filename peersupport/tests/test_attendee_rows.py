"""The group form's attendee rows written in Python (peersupport/templatetags/attendee_rows.py,
issue 16) are the HTML their template wrote, byte for byte: files/peersupport/_group_attendee_row.html
is that template, kept as the reference, rendered here for rows in every state the form shows
them (ticked or not, a note typed, a plan with goals or none, a goal chosen), names and text
that need escaping, a goal too long for its option, and the first row focused."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.urls import reverse
from django.utils import timezone

from participants.models import Goal, Participant
from participants.tests.factories import PlanFactory, enrolled_participant
from peersupport.templatetags.attendee_rows import attendee_rows

FILES = Path(__file__).parent / "files"
# The project's templates, and the template the tag replaced (found first).
_REFERENCES = DjangoTemplates(
    {"NAME": "references", "DIRS": [FILES, *settings.TEMPLATES[0]["DIRS"]], "APP_DIRS": True, "OPTIONS": {}}
)
REFERENCE = _REFERENCES.from_string(
    '{% for p, ticked, text, goals, goal in rows %}{% include "peersupport/_group_attendee_row.html" %}{% endfor %}'
)
FOCUSED = _REFERENCES.from_string(
    "{% for p, ticked, text, goals, goal in rows %}"
    '{% include "peersupport/_group_attendee_row.html" with focus=forloop.first %}{% endfor %}'
)


def _rows():
    ana = Participant(pk=7, first_name="Ana & <Bo>", last_name='O"Neil')
    ben = Participant(pk=12345, first_name="Ben", last_name="Lee")
    goals = [
        Goal(pk=3, description="Keep my <apartment> & pay rent on time " * 3),
        Goal(pk=41, description="Work"),
    ]
    return [
        (ana, True, "Shared </textarea> a \"plan\" & 'more'", goals, "41"),
        (ben, False, "", goals, ""),
        (ben, True, "x", [], None),
        (ana, False, "y", goals[:1], "3"),
    ]


def test_the_rows_are_the_reference_templates_html():
    rows = _rows()
    mine = engines["django"].from_string("{% load attendee_rows %}{% attendee_rows rows %}").render({"rows": rows})
    assert mine == REFERENCE.render({"rows": rows})
    assert mine.count('<div class="attendee mb-2">') == len(rows) and " selected>" in mine and "autofocus" not in mine
    focused = engines["django"].from_string("{% load attendee_rows %}{% attendee_rows rows focus_first=True %}")
    assert focused.render({"rows": rows}) == FOCUSED.render({"rows": rows})
    assert focused.render({"rows": rows}).count("autofocus") == 1


@pytest.mark.django_db
def test_the_group_form_and_the_added_rows_write_them_with_the_tag(client, peer):
    client.force_login(peer)
    person = enrolled_participant(peer, first_name="Ana & Bo")
    Goal.objects.create(
        plan=PlanFactory(participant=person),
        description="Work <now>",
        objectives="CV",
        target_date=timezone.localdate(),
    )
    response = client.get(reverse("group_new"))
    rows = response.context["rows"]
    assert rows and REFERENCE.render({"rows": rows}) in response.content.decode()
    added = client.get(reverse("group_attendee_rows"), {"id": person.pk})
    assert FOCUSED.render({"rows": added.context["rows"]}) in added.content.decode()
    assert attendee_rows  # the tag the pages load
