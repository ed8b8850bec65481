"""Every form field a person types into has a limit: a maximum length for text, the plausible
range for a date (audit.inputs). Fields added in a form's __init__ are checked by the tests of
their form and by tests/test_input_fuzz.py."""

import importlib
import inspect
from pathlib import Path

from django import forms

from audit.inputs import plausible_date

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "programs", "participants", "notes", "billing", "outcomes", "reports", "peersupport"]
FORM_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for app in APPS
    for path in (ROOT / app).rglob("*forms*.py")
    if "tests" not in path.parts
)


def _form_classes():
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


def _model_field(cls, name):
    model = getattr(getattr(cls, "_meta", None), "model", None)
    try:
        return model._meta.get_field(name) if model else None
    except Exception:  # noqa: BLE001 (a form-only field)
        return None


def test_the_form_modules_are_found():
    assert "notes.forms" in FORM_MODULES and "billing.forms_revenue" in FORM_MODULES


def test_every_text_field_has_a_maximum_length():
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if type(field) in (forms.CharField, forms.EmailField, forms.URLField, forms.SlugField) and not field.max_length
    ]
    assert unbounded == []


def test_every_date_field_is_held_to_the_plausible_range():
    unchecked = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if not isinstance(field, forms.DateField):
                continue
            model_field = _model_field(cls, name)
            if plausible_date in field.validators or (model_field and plausible_date in model_field.validators):
                continue
            unchecked.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert unchecked == []
