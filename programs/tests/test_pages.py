import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from programs.models import Certification, Program, StaffProfile, SupervisionSession, TrainingRecord

from .factories import CertificationFactory, ProgramFactory, StaffProfileFactory

TODAY = timezone.localdate()


@pytest.mark.django_db
def test_an_admin_creates_edits_and_deactivates_a_program(client, admin_user, agency):
    client.force_login(admin_user)
    data = {
        "name": "Warmline",
        "kind": Program.Kind.WARMLINE,
        "population": Program.Population.CO_OCCURRING,
        "target_caseload": 40,
        "contact_frequency_days": 7,
        "plan_review_days": 90,
    }
    assert client.post(reverse("programs:program_create"), data).status_code == 302
    program = Program.objects.get(name="Warmline")
    assert (program.agency, program.contact_frequency_days) == (agency, 7)

    response = client.post(reverse("programs:program_create"), {**data, "name": "warmline"})
    assert response.status_code == 400 and "Another program already has this name." in response.content.decode()

    client.post(reverse("programs:program_edit", args=[program.pk]), {**data, "target_caseload": 35})
    program.refresh_from_db()
    assert program.target_caseload == 35
    update = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(program.pk))
    assert "target_caseload" in update.details["fields"] and "40" not in str(update.details)

    client.post(reverse("programs:program_set_active", args=[program.pk]), {"active": "0"})
    program.refresh_from_db()
    assert program.is_active is False and Program.objects.filter(pk=program.pk).exists()


@pytest.mark.django_db
def test_an_admin_creates_a_profile_for_an_invited_user(client, admin_user, agency, supervisor):
    newcomer = UserFactory(email="newcomer@example.org", role=Role.PEER_SPECIALIST)
    program = ProgramFactory(agency=agency)
    client.force_login(admin_user)
    data = {
        "user": newcomer.pk,
        "role": Role.PEER_SPECIALIST,
        "programs": [program.pk],
        "supervisor": supervisor.pk,
        "hire_date": "2026-01-05",
        "npi": "1234567890",
        "languages": "English, Spanish",
    }
    response = client.post(reverse("programs:profile_create"), data)
    assert response.status_code == 400
    assert "check digit is wrong" in response.content.decode()
    assert not StaffProfile.objects.filter(user=newcomer).exists()

    response = client.post(reverse("programs:profile_create"), {**data, "npi": "1234567893"})
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=newcomer)
    assert list(profile.programs.all()) == [program] and profile.supervisor == supervisor


@pytest.mark.django_db
def test_changing_the_role_on_the_profile_replaces_the_group(client, admin_user, specialist_profile, supervisor):
    client.force_login(admin_user)
    data = {"role": Role.SUPERVISOR, "programs": [], "supervisor": "", "hire_date": "", "npi": "", "languages": ""}
    assert client.post(reverse("programs:profile_edit", args=[specialist_profile.pk]), data).status_code == 302
    user = type(specialist_profile.user).objects.get(pk=specialist_profile.user_id)
    assert user.roles == {Role.SUPERVISOR}


@pytest.mark.django_db
def test_editing_a_profile_changes_the_role_and_records_both(client, admin_user, specialist_profile, supervisor):
    program = ProgramFactory(agency=specialist_profile.agency)
    user = specialist_profile.user
    client.force_login(admin_user)
    url = reverse("programs:profile_edit", args=[specialist_profile.pk])
    page = client.get(url).content.decode()
    assert f'href="{reverse("programs:profile_detail", args=[specialist_profile.pk])}"' in page  # Cancel
    data = {"role": Role.BILLING, "programs": [program.pk], "supervisor": supervisor.pk, "languages": "ASL"}

    # A bad value elsewhere on the form saves neither the profile nor the role.
    assert client.post(url, {**data, "supervisor": user.pk}).status_code == 400
    assert user.roles == {Role.PEER_SPECIALIST}

    assert client.post(url, data).status_code == 302
    user = type(user).objects.get(pk=user.pk)
    assert user.roles == {Role.BILLING}
    specialist_profile.refresh_from_db()
    assert list(specialist_profile.programs.all()) == [program] and specialist_profile.languages == "ASL"
    role_change = AuditEvent.objects.get(target_type="accounts.user", target_id=str(user.pk))
    assert role_change.actor == admin_user
    assert role_change.details == {"role": [Role.PEER_SPECIALIST, Role.BILLING]}
    profile_change = AuditEvent.objects.get(target_type="programs.staffprofile", target_id=str(specialist_profile.pk))
    assert {"languages", "programs"} <= set(profile_change.details["fields"])
    assert "ASL" not in str(profile_change.details)


@pytest.mark.django_db
def test_a_new_profile_page_cancels_to_home(client, admin_user, agency):
    client.force_login(admin_user)
    page = client.get(reverse("programs:profile_create")).content.decode()
    assert f'href="{reverse("home")}"' in page


@pytest.mark.django_db
def test_the_audit_row_of_a_page_carries_the_clients_address_and_browser(client, admin_user, agency):
    client.force_login(admin_user)
    data = {"name": "Warmline", "kind": Program.Kind.WARMLINE, "population": Program.Population.CO_OCCURRING,
            "target_caseload": 40, "contact_frequency_days": 7, "plan_review_days": 90}  # fmt: skip
    client.post(reverse("programs:program_create"), data, REMOTE_ADDR="203.0.113.40", HTTP_USER_AGENT="Firefox/140.0")
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, target_type="programs.program")
    assert (event.actor, event.ip_address, event.user_agent) == (admin_user, "203.0.113.40", "Firefox/140.0")


@pytest.mark.django_db
def test_certification_dates_are_checked_and_edits_audited(client, admin_user, specialist_profile):
    client.force_login(admin_user)
    url = reverse("programs:certification_create", args=[specialist_profile.pk])
    data = {
        "type": Certification.Type.CT_RSS,
        "number": "CT-1",
        "issuing_body": "CCB",
        "issued_on": "2026-05-01",
        "expires_on": "2026-04-01",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "The expiry date must be after the issue date." in response.content.decode()
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {**data, "issued_on": future, "expires_on": "2030-01-01"})
    assert "The issue date can&#x27;t be in the future." in response.content.decode()
    assert specialist_profile.certifications.count() == 1

    assert client.post(url, {**data, "expires_on": "2028-05-01"}).status_code == 302
    certification = specialist_profile.certifications.get(number="CT-1")
    client.post(reverse("programs:certification_edit", args=[certification.pk]), {**data, "expires_on": "2028-06-01"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(certification.pk))
    assert event.details["fields"] == ["expires_on"]


@pytest.mark.django_db
def test_a_specialist_uploads_a_scan_of_their_own_certificate(client, peer, specialist_profile):
    certification = specialist_profile.certifications.get()
    client.force_login(peer)
    url = reverse("programs:certification_upload", args=[certification.pk])

    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not really a pdf", content_type="application/pdf")
    response = client.post(url, {"scan": fake})
    assert response.status_code == 400
    assert "Upload a PDF, PNG or JPEG file" in response.content.decode()

    png = SimpleUploadedFile("card.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="text/plain")
    assert client.post(url, {"scan": png}).status_code == 302
    certification.refresh_from_db()
    assert certification.scan_content_type == "image/png"

    response = client.get(reverse("programs:certification_scan", args=[certification.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    read = AuditEvent.objects.get(action="view", details__page="certification scan")
    assert (read.actor, read.target_id) == (peer, str(certification.pk))


@pytest.mark.django_db
def test_an_oversized_scan_is_refused(client, peer, specialist_profile, settings):
    settings.CERTIFICATION_SCAN_MAX_BYTES = 1024 * 1024
    certification = specialist_profile.certifications.get()
    client.force_login(peer)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))
    response = client.post(reverse("programs:certification_upload", args=[certification.pk]), {"scan": big})
    assert response.status_code == 400 and "too large" in response.content.decode()
    certification.refresh_from_db()
    assert not certification.scan


@pytest.mark.django_db
def test_supervision_is_logged_by_the_supervisor_and_never_in_the_future(client, supervisor, specialist_profile):
    client.force_login(supervisor)
    url = reverse("programs:supervision_create", args=[specialist_profile.pk])
    data = {
        "date": (TODAY + datetime.timedelta(days=1)).isoformat(),
        "minutes": 60,
        "format": "individual",
        "topics": "x",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Supervision can&#x27;t be logged for a future date." in response.content.decode()
    assert client.post(url, {**data, "minutes": 0, "date": TODAY.isoformat()}).status_code == 400
    assert client.post(url, {**data, "date": TODAY.isoformat()}).status_code == 302
    assert SupervisionSession.objects.get().supervisor == supervisor


@pytest.mark.django_db
def test_a_specialist_records_their_own_training(client, peer, specialist_profile):
    client.force_login(peer)
    url = reverse("programs:training_create", args=[specialist_profile.pk])
    data = {"course": "Ethics", "kind": "continuing", "hours": "6", "completed_on": TODAY.isoformat()}
    assert client.post(url, {**data, "hours": "0"}).status_code == 400
    assert client.post(url, data).status_code == 302
    body = client.get(reverse("programs:profile_detail", args=[specialist_profile.pk])).content.decode()
    assert "Training this year: 6 of 20 hours" in body
    assert TrainingRecord.objects.count() == 1


def _make_specialists(agency, supervisor, count, program):
    for n in range(count):
        profile = StaffProfileFactory(agency=agency, supervisor=supervisor)
        profile.programs.add(program)
        CertificationFactory(profile=profile, expires_on=TODAY + datetime.timedelta(days=n * 10 - 30))
        TrainingRecord.objects.create(profile=profile, course="c", hours=2, completed_on=TODAY)
        SupervisionSession.objects.create(supervisor=supervisor, supervisee=profile, date=TODAY, minutes=30, topics="t")


@pytest.mark.django_db
def test_the_workforce_page_query_count_does_not_grow(
    client, admin_user, agency, supervisor, django_assert_num_queries
):
    program = ProgramFactory(agency=agency)
    _make_specialists(agency, supervisor, 5, program)
    client.force_login(admin_user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        response = client.get(reverse("workforce"))
    assert response.status_code == 200
    _make_specialists(agency, supervisor, 45, program)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("workforce"))
    assert len(re.findall(r'href="/staff/profiles/\d+/"', response.content.decode())) == 50


@pytest.mark.django_db
def test_workforce_figures_and_filters(client, admin_user, agency, supervisor, specialist_profile):
    other_supervisor = UserFactory(role=Role.SUPERVISOR)
    program = ProgramFactory(agency=agency, name="Bridger")
    specialist_profile.programs.add(program)
    TrainingRecord.objects.create(profile=specialist_profile, course="c", hours=3, completed_on=TODAY)
    TrainingRecord.objects.create(profile=specialist_profile, course="c", hours=5, completed_on=TODAY)
    SupervisionSession.objects.create(
        supervisor=supervisor, supervisee=specialist_profile, date=TODAY, minutes=90, topics="t"
    )
    expired = StaffProfileFactory(agency=agency, supervisor=other_supervisor)
    CertificationFactory(profile=expired, expires_on=TODAY - datetime.timedelta(days=1))
    StaffProfileFactory(agency=agency, supervisor=other_supervisor)  # no certification

    client.force_login(admin_user)
    rows = client.get(reverse("workforce")).context["rows"]
    mine = next(r for r in rows if r.pk == specialist_profile.pk)
    assert (mine.training_hours, mine.supervision_hours, mine.certification_status) == (8, 1.5, "valid")

    def names(**params):
        return {r.pk for r in client.get(reverse("workforce"), params).context["rows"]}

    assert names(status="expired") == {expired.pk}
    assert names(program=program.pk) == {specialist_profile.pk}
    assert names(supervisor=other_supervisor.pk, status="none") - {expired.pk} != set()
    assert client.get(reverse("workforce"), {"program": "nonsense"}).status_code == 200

    client.force_login(supervisor)
    own = StaffProfile.objects.get(user=supervisor).pk  # a supervisor sees their supervisees and themselves
    assert {r.pk for r in client.get(reverse("workforce")).context["rows"]} == {specialist_profile.pk, own}


@pytest.mark.django_db
def test_home_pages_warn_about_expiring_certificates(client, peer, supervisor, specialist_profile):
    specialist_profile.certifications.update(expires_on=TODAY + datetime.timedelta(days=10))
    client.force_login(peer)
    assert "Your certification" in client.get(reverse("home_peer")).content.decode()
    client.force_login(supervisor)
    assert f"{peer}" in client.get(reverse("home_supervisor")).content.decode()
    specialist_profile.certifications.update(expires_on=TODAY + datetime.timedelta(days=200))
    assert "Certifications needing attention" not in client.get(reverse("home_supervisor")).content.decode()


@pytest.mark.django_db
def test_the_profile_form_refuses_an_npi_another_profile_has(client, admin_user, agency, specialist_profile):
    StaffProfile.objects.filter(pk=specialist_profile.pk).update(npi="1234567893")
    newcomer = UserFactory(email="newcomer@example.org", first_name="Noa", role=Role.PEER_SPECIALIST)
    client.force_login(admin_user)
    data = {"user": newcomer.pk, "role": Role.PEER_SPECIALIST, "programs": [], "supervisor": "", "hire_date": "",
            "npi": "1234567893", "languages": ""}  # fmt: skip
    response = client.post(reverse("programs:profile_create"), data)
    assert response.status_code == 400
    assert f"{specialist_profile.user} already has this NPI; an NPI belongs to one person." in response.content.decode()
    assert not StaffProfile.objects.filter(user=newcomer).exists()
