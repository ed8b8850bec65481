"""Certificate scans: stored under a name from their content, and never silently replaced."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from programs import demo
from programs.scans import ArchivedScan, ScanType, sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, ScanType("application/pdf", "pdf")),
        (PNG, ScanType("image/png", "png")),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ScanType("image/jpeg", "jpg")),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None),
        (b"<!DOCTYPE html><html>", None),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"GIF89a", None),
        (b"", None),
        (b" %PDF-1.7", None),
    ],
)
def test_only_pdf_png_and_jpeg_are_recognised_by_their_first_bytes(head, expected):
    assert sniff(head) == expected


def _stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as file:
        return file.read()


def _upload(client, certification, name: str, content: bytes, claimed: str = "application/pdf"):
    url = reverse("programs:certification_upload", args=[certification.pk])
    return client.post(url, {"scan": SimpleUploadedFile(name, content, content_type=claimed)})


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["card.html", "card.svg", "card.exe", "card", "Rosa Quintero DOB 1980.png.html"])
def test_a_stored_scan_is_named_from_its_content_never_from_the_uploaders_file_name(
    client, peer, specialist_profile, name
):
    certification = specialist_profile.certifications.get()
    client.force_login(peer)
    assert _upload(client, certification, name, PNG, claimed="text/html").status_code == 302
    certification.refresh_from_db()
    stored = Path(certification.scan.name)
    assert stored.suffix == ".png" and stored.name.count(".") == 1
    assert "card" not in stored.name and "Rosa" not in stored.name
    assert _stored(str(stored)) == PNG
    response = client.get(reverse("programs:certification_scan", args=[certification.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith(f'certification-{certification.pk}.png"')


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"<svg><script>alert(1)</script></svg>", b"<html><body>hi</body></html>"])
def test_a_file_that_is_not_a_scan_is_refused_whatever_it_is_called(client, peer, specialist_profile, content):
    certification = specialist_profile.certifications.get()
    client.force_login(peer)
    response = _upload(client, certification, "scan.pdf", content)
    assert response.status_code == 400 and "Upload a PDF, PNG or JPEG file" in response.content.decode()
    certification.refresh_from_db()
    assert not certification.scan and not AuditEvent.objects.filter(target_id=str(certification.pk)).exists()


@pytest.mark.django_db
def test_a_replaced_scan_is_archived_with_who_replaced_it_and_when(client, peer, specialist_profile):
    certification = specialist_profile.certifications.get()
    client.force_login(peer)
    _upload(client, certification, "first.png", PNG)
    certification.refresh_from_db()
    first = certification.scan.name

    assert _upload(client, certification, "second.pdf", PDF).status_code == 302
    certification.refresh_from_db()
    assert certification.scan.name != first and certification.scan_content_type == "application/pdf"
    archived = ArchivedScan.objects.get(certification=certification)
    assert (archived.scan.name, archived.content_type, archived.replaced_by) == (first, "image/png", peer)
    assert archived.replaced_at is not None
    assert _stored(first) == PNG  # kept, not overwritten or deleted
    event = AuditEvent.objects.filter(target_id=str(certification.pk), action=AuditEvent.Action.UPDATE).first()
    assert event.actor == peer and event.details["archived_scan"] == archived.pk
    assert event.details["changes"]["scan"] == [first, certification.scan.name]


@pytest.mark.django_db
def test_an_upload_from_outside_the_users_scope_archives_nothing(client, cast, specialist_profile):
    certification = specialist_profile.certifications.get()
    client.force_login(cast["other_specialist"])
    assert _upload(client, certification, "scan.png", PNG).status_code == 404
    assert not ArchivedScan.objects.exists()


@pytest.mark.django_db
def test_the_profile_says_how_many_earlier_copies_are_kept(client, peer, specialist_profile):
    certification = specialist_profile.certifications.get()
    client.force_login(peer)
    profile_url = reverse("programs:profile_detail", args=[specialist_profile.pk])
    _upload(client, certification, "first.png", PNG)
    assert "earlier cop" not in client.get(profile_url).content.decode()
    _upload(client, certification, "second.pdf", PDF)
    _upload(client, certification, "third.png", PNG)
    assert "2 earlier copies kept" in client.get(profile_url).content.decode()


@pytest.mark.django_db
def test_the_demo_has_a_replaced_scan_and_a_second_run_adds_none():
    demo.seed()
    demo.seed()
    archived = ArchivedScan.objects.get()
    assert archived.content_type == "image/png" and archived.certification.scan_content_type == "application/pdf"


@pytest.mark.django_db
def test_a_scan_whose_file_is_missing_from_storage_says_so_where_it_can_be_uploaded_again(
    client, peer, specialist_profile, caplog
):
    certification = specialist_profile.certifications.get()
    client.force_login(peer)
    assert _upload(client, certification, "card.png", PNG, claimed="image/png").status_code == 302
    certification.refresh_from_db()
    certification.scan.storage.delete(certification.scan.name)
    response = client.get(reverse("programs:certification_scan", args=[certification.pk]), follow=True)
    assert response.redirect_chain == [(reverse("programs:profile_detail", args=[specialist_profile.pk]), 302)]
    body = response.content.decode()
    assert "missing from storage. Upload the copy again." in body
    assert reverse("programs:certification_upload", args=[certification.pk]) in body
    assert f"Certification {certification.pk}: its scan's file is missing" in caplog.text
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, target_id=str(certification.pk)).exists()
