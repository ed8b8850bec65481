"""{% load row_figures %}: the money, days and links long pages print in every row (billing's
lists, the participant page), written in Python in one step each. They give exactly what the
built-in tags give (pinned by audit/tests/test_row_figures.py), for a fraction of the time: on
the denial queue's 50 rows, `floatformat:2|intcomma`, `date:"M j, Y"` and `{% url %}` were a
quarter of the page.

- `value|money` is `value|floatformat:2|intcomma` (1,234.50);
- `value|cents` is `value|floatformat:2` (1234.50);
- `value|day` is `value|date:"M j, Y"` (Nov 3, 2026), `value|month_day` is `date:"M j"`;
- `"app:name"|url_for:pk` is `{% url "app:name" pk %}`, from the URL reversed once
  (audit.links.url_for)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat

from audit import links

register = template.Library()
CENT = Decimal("0.01")


def _two_places(value: Decimal, spec: str) -> str:
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    # floatformat prints no sign on a zero (-0.00 is 0.00).
    return format(rounded if rounded else abs(rounded), spec)


@register.filter
def money(value) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return _two_places(value, ",.2f")
    return intcomma(floatformat(value, 2))


@register.filter
def cents(value) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return _two_places(value, ".2f")
    return floatformat(value, 2)


def _is_plain_date(value) -> bool:
    # A datetime (already in local time: expects_localtime, as the date filter) is left to it.
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


@register.filter(expects_localtime=True)
def day(value) -> str:
    if _is_plain_date(value):
        return f"{value:%b} {value.day}, {value.year}"
    return date_filter(value, "M j, Y")


@register.filter(expects_localtime=True)
def month_day(value) -> str:
    if _is_plain_date(value):
        return f"{value:%b} {value.day}"
    return date_filter(value, "M j")


@register.filter
def url_for(name: str, pk) -> str:
    return links.url_for(name, pk)
