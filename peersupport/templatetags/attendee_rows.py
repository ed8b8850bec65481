"""{% attendee_rows rows %}: the group form's attendee rows, written in Python (issue 16).

The form shows a row for each of up to 50 people of the facilitator's caseload: a tick, a
text box and a select of their plan's goals. Included once per person, the row's template was
most of the form's time in the template engine (the group form 24 to 26 ms on the large seed).
This writes the same HTML byte for byte (pinned against the template it replaced,
peersupport/tests/files/peersupport/_group_attendee_row.html, by
peersupport/tests/test_attendee_rows.py), each value escaped and localized as the template did.
"""

from django import template
from django.template.defaultfilters import truncatechars
from django.utils.safestring import SafeString, mark_safe

from audit.widgets import shown as _v  # `{{ value }}`: localized, then escaped

register = template.Library()


def row(p, ticked, text, goals, goal, *, focus: bool = False) -> str:
    """One attendee: `goal` is the chosen goal's id as the form sent it (text), or None."""
    pk = _v(p.pk)
    options = "".join(
        f'<option value="{_v(g.pk)}"{" selected" if goal == f"{g.pk:d}" else ""}>{_v(truncatechars(g, 70))}</option>'
        for g in goals
    )
    return (
        f'<div class="attendee mb-2">\n  <input type="hidden" name="row" value="{pk}">\n  <div class="form-check">'
        f'\n    <input class="form-check-input" type="checkbox" name="attend-{pk}" id="attend-{pk}" value="1"'
        f'{" checked" if ticked else ""}>\n    <label class="form-check-label" for="attend-{pk}">{_v(p)}</label>'
        '\n  </div>\n  <div class="attendee-note">'
        f'\n    <label class="form-label small" for="note-{pk}">How {_v(p.first_name)} took part</label>'
        f'\n    <textarea class="form-control" name="note-{pk}" id="note-{pk}" rows="2" maxlength="2000"'
        f"{' autofocus' if focus else ''}>{_v(text)}</textarea>"
        f'\n    <label class="form-label small mt-1" for="goal-{pk}">Plan goal it served</label>'
        f'\n    <select class="form-select form-select-sm" name="goal-{pk}" id="goal-{pk}">'
        f'\n      <option value="">{"No goal" if goals else "No active plan goal"}</option>'
        f"\n      {options}\n    </select>\n  </div>\n</div>\n"
    )


@register.simple_tag
def attendee_rows(rows, focus_first: bool = False) -> SafeString:
    """Each (participant, ticked, text, goals, goal) row; `focus_first`: the first row's text
    box takes the focus (rows the search just added)."""
    return mark_safe(  # noqa: S308 (escaped above)
        "".join(row(*values, focus=focus_first and i == 0) for i, values in enumerate(rows))
    )
