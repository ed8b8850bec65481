from django import forms

from ..uploads import X12FileForm


class CoverageSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Find",
        help_text="A name or a member ID.",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )


class ResponseImportForm(X12FileForm):
    kind = "271 eligibility response"
