"""The forms' renderer (peersupport/form_renderer.py, issue 16) writes the text, date, number,
hidden and text area widgets in Python: byte for byte what Django's own renderer writes through
their templates, for every such widget, with values and attributes of every kind."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from peersupport.form_renderer import INPUTS, Renderer

WIDGETS = [
    forms.TextInput(), forms.EmailInput(), forms.URLInput(), forms.NumberInput(),
    forms.PasswordInput(render_value=True), forms.PasswordInput(), forms.HiddenInput(), forms.DateInput(),
    forms.DateInput(attrs={"type": "date"}), forms.DateTimeInput(), forms.TimeInput(attrs={"type": "time"}),
    forms.SearchInput(), forms.ColorInput(), forms.TextInput(attrs={"type": "tel"}), forms.Textarea(),
    forms.Textarea(attrs={"rows": 3}),
]  # fmt: skip
VALUES = [
    None, "", "plain", 'a&b <c> "d" \'e\'', mark_safe("<b>safe</b>"), 0, 7, Decimal("12.50"), 1234567,
    datetime.date(2026, 11, 25), datetime.datetime(2026, 11, 25, 9, 5, tzinfo=datetime.UTC), datetime.time(9, 30),
    lazy(lambda: "lazy & <text>", str)(), "line one\nline two",
]  # fmt: skip
ATTRS = [
    None,
    {"required": True, "disabled": False, "maxlength": 10, "class": "form-control is-invalid"},
    {"placeholder": 'x & "y"', "aria-describedby": "id_x_helptext", "data-n": 3, "autofocus": True},
    {"value": mark_safe("&amp;"), "id": "id_<x>"},
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: f"{type(w).__name__}-{w.template_name.rsplit('/')[-1]}")
def test_each_widget_is_djangos_html(widget):
    ours, djangos = Renderer(), DjangoTemplates()
    for value in VALUES:
        for attrs in ATTRS:
            mine = widget.render("field<&>", value, attrs, renderer=ours)
            assert mine == widget.render("field<&>", value, attrs, renderer=djangos), (value, attrs)


def test_every_input_template_the_renderer_writes_is_djangos_include_of_input_html():
    """INPUTS are written as input.html: true only of templates that say just that."""
    engine = DjangoTemplates().engine
    for name in INPUTS:
        source = engine.get_template(name).template.source
        assert source == '{% include "django/forms/widgets/input.html" %}\n', name


def test_the_project_renders_forms_with_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "peersupport.form_renderer.Renderer"
    assert isinstance(get_default_renderer(), Renderer)


class _OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


CHOICES = [
    ("", "---------"), (1, "One & <one>"), ("b", mark_safe("<i>B</i>")), (None, "None"),
    (3, lazy(lambda: "Three", str)()), (Decimal("4.5"), 4.5), ("dup", "first"), ("dup", "second"),
]  # fmt: skip
GROUPED = [("", "Pick"), ("Group & <one>", [(1, "A"), (2, "B")]), (3, "C"), ("Second", [("x", "X")])]


@pytest.mark.parametrize(
    "widget",
    [
        forms.Select(choices=CHOICES),
        forms.Select(choices=GROUPED),
        forms.Select(choices=[]),
        forms.SelectMultiple(choices=CHOICES),
        forms.SelectMultiple(choices=GROUPED),
        forms.NullBooleanSelect(),
        _OwnOption(choices=CHOICES),
    ],  # fmt: skip
    ids=["flat", "grouped", "empty", "multiple", "multiple-grouped", "null-boolean", "own-option"],
)
def test_each_select_is_djangos_html(widget):
    ours, djangos = Renderer(), DjangoTemplates()
    values = [None, "", 1, "1", "b", "dup", "x", 3, "unknown", True, False, "2"]
    if widget.allow_multiple_selected:
        values += [["1", "b"], ["x", 2]]
    for value in values:
        for attrs in ATTRS:
            mine = widget.render("pick<&>", value, attrs, renderer=ours)
            assert mine == widget.render("pick<&>", value, attrs, renderer=djangos), (value, attrs)
