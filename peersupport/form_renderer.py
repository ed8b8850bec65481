"""The forms' renderer (settings.FORM_RENDERER): Django's own, with its commonest widget
templates written in Python (issue 16).

Every text, date, number, hidden field and text area is a template of its own that includes
another (`input.html`) and a third for its attributes (`attrs.html`): three template renders
per field; a select renders an option template, and its attributes', for each option. A form
page is mostly fields: the intake's thirty and the note editor's dozen cost more in these
includes than in anything else they do. These are written in Python, the same HTML byte for
byte (peersupport/tests/test_form_renderer.py renders every such widget, value and attribute
through both renderers and compares); any other template (checkboxes, radios, files, the form
layouts, an option with a template of its own) is Django's, rendered as before."""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

from audit.widgets import attrs_html, option_html, select_html, shown

# Django's widget templates that are `{% include "django/forms/widgets/input.html" %}` alone.
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "text", "email", "url", "number", "password", "hidden", "date", "datetime", "time", "search", "tel", "color",
    )
)  # fmt: skip


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: its text, escaped unless it was safe (str() of safe text
    is safe text, and the filter keeps safety)."""
    return conditional_escape(str(value))


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    name, kind = conditional_escape(widget["name"]), conditional_escape(widget["type"])
    return f'<input type="{kind}" name="{name}"{value}{attrs_html(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    """django/forms/widgets/textarea.html."""
    text = shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>\n{text}</textarea>'


SELECT_OPTION = "django/forms/widgets/select_option.html"


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html, each option select_option.html; None when an option
    has a template of its own."""
    parts = []
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION:
                return None
            parts.append(option_html(option["value"], option["label"], option["attrs"]))
        if group_name:
            parts.append("\n  </optgroup>")
    return select_html(widget["name"], widget["attrs"], "".join(parts))


class Renderer(DjangoTemplates):
    """What Django's renderer returns: the template's output with its ends stripped."""

    def render(self, template_name, context, request=None):
        if template_name in INPUTS or template_name == "django/forms/widgets/input.html":
            return _input(context["widget"])
        if template_name == "django/forms/widgets/textarea.html":
            return _textarea(context["widget"])
        if template_name == "django/forms/widgets/select.html" and (html := _select(context["widget"])) is not None:
            return html
        return super().render(template_name, context, request)
