"""{% load remittance_rows %}: `{% remittance_line line %}` writes one service line of the
remittance page (billing/views/remittances.py) in Python, the HTML its template wrote byte for
byte (pinned by billing/tests/test_remittance_rows.py against that template, kept there as the
reference).

The page shows 25 claims of a payer's 835 and their hundred-odd lines; each line's row was some
40 values, loops over its modifiers, adjustments and remark codes, and a choice's label looked up
through `get_FOO_display`: most of the page. Here each value is escaped once and the row joined."""

from django import template
from django.template.defaultfilters import floatformat, pluralize
from django.utils.safestring import mark_safe

from audit.templatetags.row_figures import cents, day, month_day
from audit.widgets import shown as _v  # `{{ value }}`: localized, then escaped

from ..models import Adjustment, RemittanceLine
from ..remittance.codes import carc_meaning, group_meaning, rarc_meaning

register = template.Library()
CATEGORIES = {value: str(label).lower() for value, label in Adjustment.Category.choices}
MATCHES = {value: str(label) for value, label in RemittanceLine.Match.choices}


def _category(value) -> str:
    # As `get_category_display|lower`: a value not among the choices is shown as it is.
    return CATEGORIES.get(value, str(value).lower())


def _service(line) -> str:
    text = _v(line.hcpcs) + "".join(f" {_v(m)}" for m in line.modifiers)
    if line.submitted_hcpcs:
        submitted = "".join(f" {_v(m)}" for m in line.submitted_modifiers)
        text += f" (billed as {_v(line.submitted_hcpcs)}{submitted})"
    text += f" · {day(line.service_date)}"
    if line.units:
        text += f" · {floatformat(line.units, '-2')} unit{pluralize(line.units)}"
    return text


def _adjustments(line) -> str:
    spans = [
        f'<span class="d-block"><abbr title="{_v(group_meaning(a.group))}">{_v(a.group)}</abbr>-{_v(a.reason)} '
        f"${cents(a.amount)} ({_v(_category(a.category))}): {_v(carc_meaning(a.reason))}</span>"
        for a in line.adjustment_list
    ]
    spans += [f'<span class="d-block">{_v(code)}: {_v(rarc_meaning(code))}</span>' for code in line.remark_codes]
    return "".join(spans)


def _ours(line) -> str:
    match = _v(MATCHES.get(line.match, line.match))
    ours = line.claim_line
    if ours:
        return f"{match}: {month_day(ours.service_date)} {_v(ours.hcpcs)}"
    return f"{match}: {_v(line.dismiss_reason)}" if line.dismiss_reason else match


def row(line) -> str:
    """The line's row, with the whitespace its template's loop gave it: see the module."""
    allowed = (
        f' <span class="text-body-secondary">(allowed ${cents(line.allowed)})</span>'
        if line.allowed is not None
        else ""
    )
    return (
        "\n              <tr>\n"
        f'                <td data-label="Service"><div>{_service(line)}</div></td>\n'
        f'                <td data-label="Charged"><div>${cents(line.charge)}</div></td>\n'
        f'                <td data-label="Paid"><div>${cents(line.paid)}{allowed}</div></td>\n'
        f'                <td data-label="Adjustments"><div>{_adjustments(line)}</div></td>\n'
        f'                <td data-label="Our line"><div>{_ours(line)}</div></td>\n'
        "              </tr>\n            "
    )


@register.simple_tag
def remittance_line(line) -> str:
    return mark_safe(row(line))  # noqa: S308 (every value is escaped by _v or is a figure)
