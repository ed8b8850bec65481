"""{% error_summary form [other forms...] %}: the one error summary every form page shows at
its top (templates/_error_summary.html), whatever forms the page is made of."""

from django import template

register = template.Library()


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms):
    shown = [form for form in forms if form is not None and hasattr(form, "errors")]
    return {"forms": shown, "has_errors": any(form.errors for form in shown)}
