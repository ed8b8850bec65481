from django import forms

# An acknowledgment is small: a 999 is a few lines per error, a 277CA a few lines per claim. Five
# megabytes hold a 277CA for tens of thousands of claims; anything bigger is the wrong file.
MAX_MB = 5


class AcknowledgmentUploadForm(forms.Form):
    file = forms.FileField(
        label="999 or 277CA file",
        help_text=f"The acknowledgment file as the payer or clearinghouse sent it (X12 text, at most {MAX_MB} MB).",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_MB * 1024 * 1024:
            raise forms.ValidationError(f"The file is too large: the limit is {MAX_MB} MB. Is it an acknowledgment?")
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "This is not a text file; upload the 999 or 277CA as the payer sent it, not a PDF or a zip."
            ) from None
        return upload
