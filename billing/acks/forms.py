from ..uploads import X12FileForm


class AcknowledgmentUploadForm(X12FileForm):
    kind = "999 or 277CA"
