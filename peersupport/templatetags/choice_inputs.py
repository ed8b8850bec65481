"""{% choice_inputs field inline_class %}: the checkboxes and radio buttons of a field rendered by
crispy-bootstrap5, written in Python (issue 16).

crispy's bootstrap5/layout/radio_checkbox_select.html renders each option through a dozen
template lookups and an include of attrs.html: the caseload transfer's 50 to 100 participants,
the check-in's radio answers and the note editor's goals spent most of their page there.
templates/bootstrap5/layout/radio_checkbox_select.html is crispy's template with its option loop
replaced by this tag, which writes the same HTML byte for byte, each value escaped as the
template escaped it (pinned against crispy's own template by
peersupport/tests/test_choice_inputs.py)."""

from crispy_forms.templatetags.crispy_forms_filters import optgroups
from django import template
from django.templatetags.l10n import unlocalize
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

from audit.widgets import attrs_html

register = template.Library()

ERRORS_BLOCK = "bootstrap5/layout/field_errors_block.html"


@register.simple_tag(takes_context=True)
def choice_inputs(context, field, inline_class) -> SafeString:
    """The template's `{% for group, options, index in field|optgroups %}` loop, whitespace and all."""
    groups = optgroups(field)  # crispy's own filter: the options as its template had them
    div = f'\n      <div class="form-check{" form-check-inline" if inline_class else ""}">'
    invalid = " is-invalid" if field.errors else ""
    name = esc(field.html_name)
    parts = []
    for group_number, (group, options, _) in enumerate(groups):
        parts.append(f"\n    {f'<strong>{esc(group)}</strong>' if group else ''}\n    ")
        for number, option in enumerate(options):
            parts.append(
                f'{div}\n        <input type="{esc(option["type"])}" class="form-check-input{invalid}"  name="{name}"'
                f' value="{esc(unlocalize(option["value"]))}" {attrs_html(option["attrs"])}>'
                f'\n        <label for="{esc(option["attrs"].get("id", ""))}" class="form-check-label">'
                f"\n            {esc(unlocalize(option['label']))}\n        </label>\n        "
            )
            last = number == len(options) - 1 and group_number == len(groups) - 1
            if field.errors and last and not inline_class:
                errors = context.template.engine.get_template(ERRORS_BLOCK).render(context)
                parts.append(f"\n            {errors}\n        ")
            parts.append("\n     </div>\n    ")
        parts.append("\n    ")
    return mark_safe("".join(parts))  # noqa: S308 (every name, value and label in it is escaped above)
