"""The row figures ({% load row_figures %}) print exactly what the built-in tags they stand for
print, for every kind of value a row may hold: the pages look the same, only faster."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

AMOUNTS = [
    Decimal("0"),
    Decimal("0.00"),
    Decimal("-0.00"),
    Decimal("-0.001"),
    Decimal("0.005"),
    Decimal("0.015"),
    Decimal("2.675"),
    Decimal("-2.675"),
    Decimal("12.5"),
    Decimal("123.45"),
    Decimal("-123.45"),
    Decimal("999.999"),
    Decimal("1000"),
    Decimal("1234.50"),
    Decimal("-1234.56"),
    Decimal("123456789.01"),
    Decimal("-1000000.00"),
    Decimal("1E+3"),
    Decimal("NaN"),
    0,
    7,
    -1234,
    12.345,
    1234567.891,
    "1234.5",
    "",
    "not a number",
    None,
]
DATES = [
    datetime.date(2026, 1, 1),
    datetime.date(2026, 5, 9),
    datetime.date(2026, 9, 30),
    datetime.date(1999, 12, 31),
    datetime.datetime(2026, 11, 3, 3, 30, tzinfo=datetime.UTC),  # another day in Chicago
    None,
    "",
]


def _render(text: str, value) -> str:
    return Template("{% load humanize row_figures %}" + text).render(Context({"v": value}))


@pytest.mark.parametrize("value", AMOUNTS, ids=repr)
def test_money_is_floatformat_2_then_intcomma(value):
    assert _render("{{ v|money }}", value) == _render("{{ v|floatformat:2|intcomma }}", value)


@pytest.mark.parametrize("value", AMOUNTS, ids=repr)
def test_cents_is_floatformat_2(value):
    assert _render("{{ v|cents }}", value) == _render("{{ v|floatformat:2 }}", value)


@pytest.mark.parametrize("value", DATES, ids=repr)
def test_day_is_the_date_filter(value):
    assert _render("{{ v|day }}", value) == _render('{{ v|date:"M j, Y" }}', value)
    assert _render("{{ v|month_day }}", value) == _render('{{ v|date:"M j" }}', value)


def test_a_datetime_is_shown_on_its_local_day():
    late = datetime.datetime(2026, 11, 3, 3, 30, tzinfo=datetime.UTC)
    with timezone.override("America/Chicago"):
        assert _render("{{ v|day }}", late) == "Nov 2, 2026"


@pytest.mark.parametrize("pk", [1, 42, 2147483647])
def test_url_for_is_the_url_tag(pk):
    for name in ("billing:claim_detail", "billing:denial_correct", "billing:line_remove"):
        assert _render(f'{{{{ "{name}"|url_for:v }}}}', pk) == _render(f'{{% url "{name}" v %}}', pk)
