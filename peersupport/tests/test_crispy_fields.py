"""templates/bootstrap5/field.html, whose {% field_html %} writes most fields in Python (issue
16), renders every field as crispy-bootstrap5's own template does, byte for byte: text, date,
number, textarea, select and multi-widget fields, with and without a label, ids, help text,
errors and the form's CSS classes; and, through crispy's template, hidden fields, checkboxes,
radio buttons, files and the layouts of a helper."""

import pytest
from crispy_forms.helper import FormHelper
from django import forms
from django.template import Context, Template
from django.template.loader import get_template

from audit.widgets import Select as LongSelect
from peersupport.tests.crispy_own import crispys_own

OURS = "bootstrap5/field.html"


class EveryField(forms.Form):
    required_css_class = "needed"
    error_css_class = "wrong"

    name = forms.CharField(max_length=20, help_text="As on the <em>ID</em> card & more.")
    nickname = forms.CharField(required=False, label="Preferred <name>")
    email = forms.EmailField(required=False)
    born = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    visits = forms.IntegerField(min_value=0, required=False)
    rate = forms.DecimalField(decimal_places=2, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A & <b>")])
    staff = forms.ChoiceField(choices=[(1, "Jo"), (2, "Ann")], widget=LongSelect, required=False)
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    answered = forms.NullBooleanField(required=False)
    when = forms.SplitDateTimeField(required=False)
    unlabelled = forms.CharField(label="", required=False)
    disabled = forms.CharField(disabled=True, required=False, initial="kept")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    agreed = forms.BooleanField(required=False)
    mood = forms.ChoiceField(choices=[("1", "Low"), ("2", "Good")], widget=forms.RadioSelect, required=False)
    services = forms.MultipleChoiceField(choices=[("s", "S")], widget=forms.CheckboxSelectMultiple, required=False)
    scan = forms.FileField(required=False)


STATES = {
    "unbound": lambda: EveryField(),
    "initial": lambda: EveryField(initial={"name": 'Jo "J" <x>', "kind": "a", "staff": 2, "many": ["y"]}),
    "bound with errors": lambda: EveryField({"name": "x" * 30, "email": "no", "visits": "-1", "when_0": "bad"}),
    "bound and valid": lambda: EveryField({"name": "Jo", "kind": "a", "staff": "1", "agreed": "on", "mood": "2"}),
    "prefixed, no ids": lambda: EveryField(prefix="p", auto_id=False),
}
FILTER_CONTEXT = {"field_class": "", "form_show_errors": True, "form_show_labels": True, "label_class": ""}


def test_the_project_renders_crispys_fields_with_the_tag():
    assert "field_html" in get_template(OURS).template.source


@pytest.mark.parametrize("state", STATES)
def test_each_field_as_crispys_template_writes_it(state):
    def each_field():
        form = STATES[state]()
        return [get_template(OURS).render({**FILTER_CONTEXT, "field": field}) for field in form]

    mine = each_field()
    assert mine == crispys_own(each_field, OURS)
    assert "needed" in mine[0]  # the form's CSS class for a required field


@pytest.mark.parametrize("state", STATES)
def test_the_crispy_filter_as_crispys_templates_write_it(state):
    def whole():
        return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": STATES[state]()}))

    assert whole() == crispys_own(whole, OURS)


@pytest.mark.parametrize(
    "helper",
    [
        {"form_class": "form-horizontal", "label_class": "col-3", "field_class": "col-9"},
        {"wrapper_class": "w-50"},
        {"form_show_labels": False},
        {"help_text_inline": True, "error_text_inline": False},
        {"error_text_inline": True},
        {"form_show_errors": False},
        {},
    ],
)
def test_a_helpers_layouts_as_crispys_templates_write_them(helper):
    def whole():
        form = STATES["bound with errors"]()
        form.helper = FormHelper()
        form.helper.form_tag = False
        for name, value in helper.items():
            setattr(form.helper, name, value)
        return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))

    assert whole() == crispys_own(whole, OURS)
