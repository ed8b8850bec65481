from django import forms

# A 271 for a few hundred subscribers is a few hundred kilobytes; anything far bigger is not
# one, and is refused before it is read.
MAX_271_BYTES = 5 * 1024 * 1024


class CoverageSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Find",
        help_text="A name or a member ID.",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )


class ResponseImportForm(forms.Form):
    file = forms.FileField(label="271 file", help_text="The payer's eligibility response (005010X279A1), up to 5 MB.")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_271_BYTES:
            raise forms.ValidationError(f"The file is {upload.size // 1024} KB; a 271 here is at most 5 MB.")
        self.file_name = upload.name or ""
        try:
            return upload.read().decode("ascii")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("This is not an X12 text file: a 271 holds plain ASCII characters.") from exc
