"""templates/bootstrap5/layout/radio_checkbox_select.html, whose options {% choice_inputs %}
writes in Python (issue 16), renders every form as crispy-bootstrap5's own template does, byte
for byte: checkboxes and radio buttons, grouped choices, what is chosen, escaping, numbers,
errors (under the last option, or after the list when inline) and help text."""

import pytest
from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.template import Context, Template
from django.template.loader import get_template

from peersupport.tests.crispy_own import crispys_own

OURS = "bootstrap5/layout/radio_checkbox_select.html"
GROUPED = [("Morning", [(1, "Breakfast <b>&</b>"), (2, "Walk")]), ("Evening", [(3, "Dinner")])]


class ChoicesForm(forms.Form):
    services = forms.MultipleChoiceField(
        choices=[("a", "Support & <i>talk</i>"), ("b", "Group"), (1234, 1234)],
        widget=forms.CheckboxSelectMultiple,
        help_text="All that <em>apply</em>.",
    )
    mood = forms.TypedChoiceField(choices=[(1, "Low"), (2, "Fine"), (3, "Good")], coerce=int, widget=forms.RadioSelect)
    meals = forms.MultipleChoiceField(choices=GROUPED, widget=forms.CheckboxSelectMultiple, required=False)
    later = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect(attrs={"disabled": True}))


class InlineForm(ChoicesForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("services", InlineRadios("mood"), "meals", "later")


def _render(form, tag: str) -> str:
    return Template("{% load crispy_forms_tags %}" + tag).render(Context({"form": form}))


def test_the_project_renders_crispys_choices_with_the_tag():
    assert "choice_inputs" in get_template(OURS).template.source


FORMS = {
    "unbound": lambda cls: cls(),
    "initial": lambda cls: cls(initial={"services": ["b", 1234], "mood": 2, "meals": [3]}),
    "bound and valid": lambda cls: cls({"services": ["a"], "mood": "3", "meals": ["1", "3"], "later": "x"}),
    "bound with errors": lambda cls: cls({"services": ["zz"], "meals": ["9"]}),
    "prefixed": lambda cls: cls(prefix="p", auto_id="f_%s"),
}


@pytest.mark.parametrize("state", FORMS)
def test_crispy_filter_renders_as_crispys_template(state):
    form = FORMS[state](ChoicesForm)
    mine = _render(form, "{{ form|crispy }}")
    assert 'class="form-check-input' in mine
    assert mine == crispys_own(lambda: _render(FORMS[state](ChoicesForm), "{{ form|crispy }}"), OURS)


@pytest.mark.parametrize("state", FORMS)
def test_inline_radios_render_as_crispys_template(state):
    mine = _render(FORMS[state](InlineForm), "{% crispy form %}")
    assert "form-check-inline" in mine
    assert mine == crispys_own(lambda: _render(FORMS[state](InlineForm), "{% crispy form %}"), OURS)
