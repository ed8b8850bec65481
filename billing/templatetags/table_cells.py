"""{% load table_cells %}: `labels|paired:values` gives (label, value) pairs, so each cell of a
table that stacks into cards on a phone (.table-stack) carries its column's name."""

from django import template

register = template.Library()


@register.filter
def paired(labels, values):
    return list(zip(labels, values, strict=True))
