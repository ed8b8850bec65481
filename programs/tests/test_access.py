"""The access matrix: every workforce page and action for every kind of user.

Cells: 200 (or 302 after a POST that worked), 403 (may see, may not do), 404 (not theirs).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

WHO = ["admin", "supervisor_of", "other_supervisor", "self", "other_specialist", "billing"]


def _expect(row: dict, who: str) -> int:
    return row[WHO.index(who)]


# page -> expected status for   admin, sup_of, other_sup, self, other_spec, billing
GET_MATRIX = {
    "profile_detail": [200, 200, 404, 200, 404, 404],
    "profile_edit": [200, 403, 403, 403, 403, 403],
    "certification_create": [200, 403, 403, 403, 403, 403],
    "certification_edit": [200, 403, 403, 403, 403, 403],
    "certification_upload": [200, 403, 404, 200, 404, 404],
    "certification_scan": [200, 200, 404, 200, 404, 404],
    "training_create": [200, 200, 404, 200, 404, 404],  # their supervisor records it too
    "supervision_create": [403, 200, 404, 403, 403, 403],
    "workforce": [200, 200, 200, 403, 403, 403],
    "program_list": [200, 403, 403, 403, 403, 403],
    "program_edit": [200, 403, 403, 403, 403, 403],
}


def _url(name: str, profile, certification, program) -> str:
    args = {
        "profile_detail": [profile.pk],
        "profile_edit": [profile.pk],
        "certification_create": [profile.pk],
        "certification_edit": [certification.pk],
        "certification_upload": [certification.pk],
        "certification_scan": [certification.pk],
        "training_create": [profile.pk],
        "supervision_create": [profile.pk],
        "program_edit": [program.pk],
    }.get(name, [])
    if name == "workforce":  # the workforce page is the project's now (peersupport), not programs'
        return reverse("workforce")
    return reverse(f"programs:{name}", args=args)


@pytest.fixture
def certification_with_scan(specialist_profile):
    certification = specialist_profile.certifications.get()
    certification.scan = SimpleUploadedFile("scan.pdf", PDF)
    certification.scan_content_type = "application/pdf"
    certification.save()
    return certification


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(GET_MATRIX))
@pytest.mark.parametrize("who", WHO)
def test_get_access_matrix(client, cast, specialist_profile, certification_with_scan, page, who):
    from .factories import ProgramFactory

    program = ProgramFactory(agency=specialist_profile.agency)
    client.force_login(cast[who])
    response = client.get(_url(page, specialist_profile, certification_with_scan, program))
    assert response.status_code == _expect(GET_MATRIX[page], who), f"{who} on {page}"


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_deactivating_a_profile_is_for_admins_only_and_post_only(client, cast, specialist_profile, who):
    client.force_login(cast[who])
    url = reverse("programs:profile_set_active", args=[specialist_profile.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"active": "0"})
    # Only program admins hold the role this action needs; everyone else is stopped at the door.
    assert response.status_code == (302 if who == "admin" else 403)
    specialist_profile.refresh_from_db()
    specialist_profile.user.refresh_from_db()
    assert specialist_profile.is_active is (who != "admin")
    assert specialist_profile.user.is_active is (who != "admin")


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, specialist_profile):
    response = client.get(reverse("programs:profile_detail", args=[specialist_profile.pk]))
    assert response["Location"].startswith("/accounts/login/")
