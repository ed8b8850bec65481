"""Showing stored figures in the report's HTML (the page and the PDF) with the same kinds the
spreadsheet uses."""

import datetime
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from reports import render

register = template.Library()


@register.filter
def figure(value, kind: str = "text") -> str:
    """A value as a person reads it: 1,234; 12.50 h; $1,234.50; 82.5%; Nov 3, 2026."""
    shown = render.typed(value, kind or "text")
    if shown is None:
        return "–"
    if isinstance(shown, datetime.date):
        return f"{shown:%b} {shown.day}, {shown.year}"
    if isinstance(shown, int):
        return intcomma(shown)
    if isinstance(shown, Decimal):
        text = intcomma(f"{shown:.2f}") if kind in ("money", "decimal") else str(shown)
        if kind == "money":
            return f"-${text[1:]}" if text.startswith("-") else f"${text}"
        return f"{text}%" if kind == "percent" else text
    return str(shown)


@register.filter
def headline(number: dict) -> str:
    """A headline number with its unit."""
    kind = render.number_kind(number)
    text = figure(number.get("value"), kind)
    unit = number.get("unit", "")
    return f"{text} {unit}" if unit in ("h", "days") and text != "–" else text


@register.filter
def with_kinds(values: list, kinds: list) -> list[tuple]:
    return render.cells(values or [], kinds or [])


@register.filter
def as_table(chart: dict) -> dict:
    return render.chart_table(chart)


@register.filter
def is_numeric(kind: str) -> bool:
    return kind in ("int", "decimal", "money", "percent")
