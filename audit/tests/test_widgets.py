"""audit.widgets.Select: Django's Select written out in Python, the same HTML byte for byte."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.test.signals import template_rendered
from django.utils.safestring import mark_safe

from audit.widgets import Select

# Escaping, a safe label, numbers, a value twice (only its first option is selected) and None.
CHOICES = [("", "Anyone"), ('x"<', "A & B"), ("3", mark_safe("<b>kept</b>")), (4, "Four"), ("4", "Again"), (None, "-")]


@pytest.mark.parametrize("value", ["", 'x"<', "4", 4, None, ["3", "4"], "9"])
@pytest.mark.parametrize(
    "attrs",
    [{}, {"class": "form-select", "id": "id_who"}, {"disabled": True, "hidden": False, "data-x": mark_safe("&")}],
)
def test_it_writes_what_djangos_select_writes(value, attrs):
    ours, django_s = Select(attrs=attrs, choices=CHOICES), forms.Select(attrs=attrs, choices=CHOICES)
    assert ours.render("who", value) == django_s.render("who", value)
    assert ours.render("who", value, {"required": True}) == django_s.render("who", value, {"required": True})
    assert ours.__class__.__name__ == "Select"  # crispy forms puts it in the CSS classes


def test_grouped_choices_are_left_to_django():
    grouped = [("Team", [("1", "One"), ("2", "Two")]), ("3", "Three")]
    assert Select(choices=grouped).render("who", "2") == forms.Select(choices=grouped).render("who", "2")


@pytest.mark.django_db
def test_a_long_list_renders_no_template_per_option():
    """The audit log's "Who" lists every member of staff: hundreds of options at agency scale."""
    model = get_user_model()
    users = [model.objects.create(email=f"staff{n}@example.org", first_name=f"Staff {n}") for n in range(30)]

    class Form(forms.Form):
        who = forms.ModelChoiceField(queryset=model.objects.order_by("pk"), widget=Select)

    rendered = []
    template_rendered.connect(receiver := lambda sender, template, **kw: rendered.append(template.name))
    try:
        html = str(Form(initial={"who": users[3].pk})["who"])
    finally:
        template_rendered.disconnect(receiver)
    assert html.count("<option") == 31 and f'<option value="{users[3].pk}" selected>' in html
    assert rendered == []
