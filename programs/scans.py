"""Certificate scans: the only file types we keep, recognised by their first bytes.

The name a browser sends and the type it claims are the uploader's to choose, so neither is
used: a file called `card.html` that starts like a PNG is stored as `.png` and served as
image/png, and anything that is not a PDF, PNG or JPEG is refused (an `.svg` or `.html` served
from our origin could run script; an `.exe` has no business here)."""

from typing import NamedTuple

from django.db import models
from django.utils import timezone


class ScanType(NamedTuple):
    content_type: str
    extension: str


# Magic numbers: PDF 1.0-2.0 (ISO 32000), the PNG signature (RFC 2083), JPEG's SOI and marker.
_SIGNATURES = (
    (b"%PDF-", ScanType("application/pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", ScanType("image/png", "png")),
    (b"\xff\xd8\xff", ScanType("image/jpeg", "jpg")),
)
HEAD_BYTES = max(len(signature) for signature, _ in _SIGNATURES)
EXTENSIONS = {kind.content_type: kind.extension for _, kind in _SIGNATURES}


def sniff(head: bytes) -> ScanType | None:
    """The type of a file that starts with `head`, or None when it is none we accept."""
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


class ArchivedScan(models.Model):
    """A scan that a newer upload replaced. The file stays where it was and this row says who
    replaced it and when: a certificate on file is evidence that the agency checked the
    credential before billing for the specialist's services, so it is never overwritten."""

    certification = models.ForeignKey("programs.Certification", on_delete=models.PROTECT, related_name="archived_scans")
    scan = models.FileField(max_length=200)
    content_type = models.CharField(max_length=60, blank=True)
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"Copy of {self.certification} replaced {self.replaced_at:%Y-%m-%d}"
