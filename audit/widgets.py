"""Form widgets shared by every app.

`Select` is Django's Select written out in Python rather than through a template (and an
option dictionary, Select.optgroups) per option: the audit log's "Who" lists every member of
staff, the intake's "Peer specialist" and billing's work page every specialist (hundreds at
agency scale), and an option template rendered for each was a third of those pages (issue 16).
The HTML is Django's own, byte for byte (audit/tests/test_widgets.py holds it to forms.Select's);
grouped choices, which no long list here has, are left to Django's template."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: a True attribute bare, a False one left out, a value
    escaped unless it is safe, as `stringformat:'s'` leaves it."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """Django's Select, with the same name: crispy forms adds the widget's class name to its
    CSS classes ("select"), and the page must not change."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # Iterated, not list(): list() asks a model choice iterator its length, a COUNT query.
        choices = [choice for choice in self.choices]  # noqa: C416
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen, selected, options = set(self.format_value(value)), False, []
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            this = not selected and option_value in chosen  # as optgroups: the first match only
            selected = selected or this
            options.append(
                f'\n  <option value="{conditional_escape(option_value)}"{" selected" if this else ""}>'
                f"{conditional_escape(label)}</option>\n"
            )
        built = self.build_attrs(self.attrs, attrs)
        html = f'<select name="{conditional_escape(name)}"{attrs_html(built)}>{"".join(options)}\n</select>'
        return mark_safe(html)  # noqa: S308 (every name, value and label in it is escaped above)
