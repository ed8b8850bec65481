"""{% load remittance_codes %}: the meaning of a remittance's codes beside each code
({{ adjustment.reason|carc_meaning }}, {{ code|rarc_meaning }}, {{ adjustment.group|group_meaning }})."""

from django import template

from ..remittance import codes

register = template.Library()

register.filter("carc_meaning", codes.carc_meaning)
register.filter("rarc_meaning", codes.rarc_meaning)
register.filter("group_meaning", codes.group_meaning)
