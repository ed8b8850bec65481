"""audit.widgets.Select: Django's Select written out in Python, the same HTML byte for byte."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe

from audit.widgets import Choices, Select

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


@pytest.mark.django_db
def test_a_model_select_reads_its_rows_in_one_query_without_a_cursor():
    """Django's ModelChoiceIterator reads through queryset.iterator(), a server-side cursor on
    PostgreSQL (DECLARE, FETCH, CLOSE: three round trips for a handful of programs); ours reads
    the rows as a list (issue 16), and writes the same options."""
    model = get_user_model()
    users = [model.objects.create(email=f"staff{n}@example.org", first_name=f"Staff <{n}>") for n in range(3)]

    def form(widget):
        class Form(forms.Form):
            who = forms.ModelChoiceField(queryset=model.objects.order_by("pk"), empty_label="Anyone", widget=widget)

        return Form(initial={"who": users[1].pk})

    with CaptureQueriesContext(connection) as queries:
        html = str(form(Select)["who"])
    assert len(queries) == 1 and not queries[0]["sql"].startswith("DECLARE")
    assert html == str(form(forms.Select)["who"])
    assert html.count("<option") == 4 and "Staff &lt;1&gt;" in html


def test_choices_given_as_pairs_are_kept_as_they_are():
    """Django's choices setters rebuild a list pair by pair (twice on a field), but leave a
    choice iterator alone: billing's specialist filter sets 250 pairs per form (issue 16)."""
    pairs = Choices([("", "Anyone"), (1, "A & B"), ("2", mark_safe("<b>kept</b>"))])
    field = forms.ChoiceField(choices=pairs, widget=Select)
    assert field.choices is pairs and field.widget.choices is pairs
    for value in ("", 1, "2", "9"):
        assert field.widget.render("who", value) == forms.Select(choices=list(pairs)).render("who", value)


@pytest.mark.django_db
@pytest.mark.parametrize("empty_label", [None, "Choose"])
def test_a_required_model_select_asks_no_row_for_its_required_attribute(empty_label):
    """Django decides `required` from the first option, reading a model select's first row
    through a server-side cursor; ours knows it from the empty label (issue 16): the same HTML,
    one query for the options."""
    model = get_user_model()
    users = [model.objects.create(email=f"staff{n}@example.org") for n in range(2)]

    def form(widget):
        class Form(forms.Form):
            who = forms.ModelChoiceField(queryset=model.objects.order_by("pk"), empty_label=empty_label, widget=widget)

        return Form(initial={"who": users[0].pk})

    with CaptureQueriesContext(connection) as queries:
        html = str(form(Select)["who"])
    assert len(queries) == 1 and not queries[0]["sql"].startswith("DECLARE")
    assert html == str(form(forms.Select)["who"])
    assert ("required" in html) == (empty_label is not None)
