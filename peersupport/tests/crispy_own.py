"""The reference the form templates written in Python are compared with, byte for byte
(peersupport/templatetags/crispy_fields.py and choice_inputs.py, issue 16): the same render
through crispy-bootstrap5's own templates, the project's template folder left out."""

from crispy_forms.templatetags import crispy_forms_filters, crispy_forms_tags
from django.conf import settings
from django.template.loader import get_template
from django.test import override_settings


def _forget_crispys_templates():
    """crispy keeps its form templates, and with them the engine they came from, for good."""
    for cached in (
        crispy_forms_filters.uni_form_template,
        crispy_forms_filters.uni_formset_template,
        crispy_forms_tags.whole_uni_form_template,
        crispy_forms_tags.whole_uni_formset_template,
    ):
        cached.cache_clear()


def crispys_own(render, shadowed: str) -> str:
    """`render()` through crispy's templates only; `shadowed`: the template the project's
    folder overrides, checked to come from crispy's own then."""
    engines = [{**engine, "DIRS": []} for engine in settings.TEMPLATES]
    _forget_crispys_templates()
    try:
        with override_settings(TEMPLATES=engines):
            assert "crispy_bootstrap5" in get_template(shadowed).origin.name
            return render()
    finally:
        _forget_crispys_templates()
