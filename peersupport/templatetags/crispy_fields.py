"""{% field_html %}: crispy-bootstrap5's bootstrap5/field.html written in Python for the fields
most forms are made of (issue 16).

The template takes some forty tags and lookups and three includes for each field, whatever the
field: the intake's thirty fields were half its page, and every form page pays the same.
templates/bootstrap5/field.html shadows crispy's template with this tag, which writes a text,
date, number, textarea or select field (labelled, with its help text and errors) as crispy's
template does, byte for byte, and has crispy's own template render anything else: hidden
fields, checkboxes and lists of them, files, horizontal or inline layouts, wrapper classes,
inline help and errors (peersupport/tests/test_crispy_fields.py renders both and compares)."""

from crispy_forms.templatetags.crispy_forms_field import CrispyFieldNode
from django import forms, template
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NAME = "bootstrap5/field.html"
# crispy's own {% crispy_field field 'class' ... %}: it adds the classes to the widget's attrs.
WIDGET = {
    (select, errors): CrispyFieldNode(
        "field", {"'class'": f"'{'form-select' if select else 'form-control'}{' is-invalid' if errors else ''}'"}
    )
    for select in (True, False)
    for errors in (True, False)
}
# Widgets crispy's template renders some other way than a control under a label.
OTHER_WIDGETS = (forms.CheckboxInput, forms.FileInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


def _simple(context, field) -> bool:
    """Whether the field takes the template's plainest branch (the |crispy filter's, and the
    {% crispy %} tag's without a layout class)."""
    return not (
        field.is_hidden
        or isinstance(field.field.widget, OTHER_WIDGETS)
        or context.get("tag")
        or context.get("wrapper_class")
        or context.get("label_class")
        or context.get("field_class")
        or "form-horizontal" in (context.get("form_class") or "")
        or not context.get("form_show_labels")
        or context.get("help_text_inline")
        or context.get("error_text_inline")
    )


def _label(field) -> str:
    if not field.label:
        return ""
    required = field.field.required
    fieldset = ""
    if field.use_fieldset:
        described = f' aria-describedby="{esc(field.aria_describedby)}"' if field.aria_describedby else ""
        fieldset = f"<fieldset{described}>"
    name = "legend" if field.use_fieldset else "label"
    target = f'for="{esc(field.id_for_label)}"' if field.id_for_label else ""
    classes = f"form-label{' requiredField' if required else ''}{' fs-6' if field.use_fieldset else ''}"
    asterisk = '<span class="asteriskField">*</span>' if required else ""
    return (
        f'\n            {fieldset}\n            <{name}\n                {target} class="{classes}">'
        f"\n                {esc(field.label)}{asterisk}\n            </{name}>\n        "
    )


def _help_and_errors(context, field) -> str:
    """bootstrap5/layout/help_text_and_errors.html (neither inline), with its two includes."""
    errors = ""
    if context.get("form_show_errors") and field.errors:
        each = "".join(
            f'\n        <p id="error_{number}_{esc(field.auto_id)}"><strong>{esc(error)}</strong></p>\n    '
            for number, error in enumerate(field.errors, start=1)
        )
        errors = (
            f'\n    <div id="{esc(field.errors.field_id)}_error" class="invalid-feedback">\n    {each}\n    </div>\n'
        )
    help_text = ""
    if field.help_text:
        named = f'id="{esc(field.auto_id)}_helptext" ' if field.auto_id else ""
        help_text = f'\n    \n        <div {named}class="form-text">{field.help_text}</div>\n    \n'
    return f"\n\n\n    {errors}\n\n\n\n\n    {help_text}\n\n\n"


def _crispys_template(context) -> str:
    """crispy's own bootstrap5/field.html, which the project's shadows, rendered as an include."""
    engine = context.template.engine
    ours = engine.find_template(NAME)[1]
    return engine.find_template(NAME, skip=[ours])[0].render(context)


@register.simple_tag(takes_context=True)
def field_html(context) -> SafeString:
    field = context.get("field")
    if not _simple(context, field):
        return _crispys_template(context)
    select = isinstance(field.field.widget, forms.Select)
    widget = WIDGET[select, bool(field.errors)].render(context)
    if select:  # inside the template's {% if field.errors %}
        widget = f"\n                            {widget}\n                        "
    css = f" {esc(field.css_classes())}" if field.css_classes() else ""
    close = "</fieldset>" if field.use_fieldset and field.label else ""
    html = (
        f'\n\n\n    \n    <div id="div_{esc(field.auto_id)}" class="mb-3{css}">\n        {_label(field)}'
        f"\n\n        \n\n        \n            \n                \n                    "
        f"\n                        {widget}\n                    "
        f"\n                    \n                        {_help_and_errors(context, field)}\n                    "
        f"\n                \n            \n        \n        {close}\n    </div>\n    \n\n"
    )
    return mark_safe(html)  # noqa: S308 (every value in it is escaped above; the help text is |safe in the template)
