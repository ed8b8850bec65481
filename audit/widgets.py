"""Form widgets shared by every app.

`Select` is Django's Select written out in Python rather than through a template (and an
option dictionary, Select.optgroups) per option: the audit log's "Who" lists every member of
staff, the intake's "Peer specialist" and billing's work page every specialist (hundreds at
agency scale), and an option template rendered for each was a third of those pages (issue 16).
The HTML is Django's own, byte for byte (audit/tests/test_widgets.py holds it to forms.Select's);
grouped choices, which no long list here has, are left to Django's template."""

from html import escape as html_escape

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _escape(value) -> str:
    """conditional_escape(value): a plain string straight through html.escape, as Django's
    escape() does it, without the lazy-text wrapper's checks (twice per option: 250 specialists
    on billing's work page, issue 16); anything else (safe, lazy, a number) as Django does."""
    return html_escape(value) if type(value) is str else conditional_escape(value)


def shown(value) -> str:
    """A value as `{{ value }}` writes it: localized, then escaped (a plain string straight
    through `_escape`). For HTML written in Python (issue 16)."""
    return _escape(value) if type(value) is str else conditional_escape(localize(value))


def _model_choices(choices: ModelChoiceIterator) -> list:
    """A model select's choices as ModelChoiceIterator yields them, the rows read as a list:
    its queryset.iterator() opens a server-side cursor (DECLARE, FETCH, CLOSE: three round
    trips to PostgreSQL for a list of a few programs or payers, issue 16)."""
    empty = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
    return [*empty, *(choices.choice(obj) for obj in choices.queryset.all())]


class Choices(BaseChoiceIterator):
    """(value, label) pairs given as a field's or widget's choices as they are: Django's choices
    setters rebuild a plain list pair by pair (normalize_choices), twice when set on a field (its
    setter, then its widget's), and leave a choice iterator alone; 250 specialists' pairs
    rebuilt twice per form were a tenth of billing's work page (issue 16). Flat pairs only."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def __iter__(self):
        return iter(self.pairs)


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


def option_html(value, label, attrs: dict) -> str:
    """django/forms/widgets/select_option.html as select.html includes it: `value` as
    `stringformat:'s'` writes it, `label` as `{{ }}` does (localized, then escaped)."""
    return f'\n  <option value="{_escape(str(value))}"{attrs_html(attrs)}>{shown(label)}</option>\n'


def select_html(name: str, attrs: dict, options: str) -> str:
    """django/forms/widgets/select.html around `options` (option_html's, without groups)."""
    return f'<select name="{conditional_escape(name)}"{attrs_html(attrs)}>{options}\n</select>'


_SELECTED = {"selected": True}


class Select(forms.Select):
    """Django's Select, with the same name: crispy forms adds the widget's class name to its
    CSS classes ("select"), and the page must not change."""

    def use_required_attribute(self, initial) -> bool:
        """Django's answer (`required` only when the first option is empty), without reading a
        model select's first row through a server-side cursor (three round trips, issue 16):
        that option is the empty label, or, with none, a row's primary key, never empty."""
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator) and choices.field.to_field_name is None:
            return not self.is_hidden and choices.field.empty_label is not None
        return super().use_required_attribute(initial)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        if isinstance(self.choices, ModelChoiceIterator):
            choices = _model_choices(self.choices)
        else:
            # Iterated, not list(): list() asks an iterator its length (a COUNT query for a model's).
            choices = [choice for choice in self.choices]  # noqa: C416
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen, selected, options = set(self.format_value(value)), False, []
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            this = not selected and option_value in chosen  # as optgroups: the first match only
            selected = selected or this
            options.append(option_html(option_value, label, _SELECTED if this else {}))
        html = select_html(name, self.build_attrs(self.attrs, attrs), "".join(options))
        return mark_safe(html)  # noqa: S308 (every name, value and label in it is escaped)
