"""The eligibility pages: billing staff and program admins only, every download and import
audited, bad input explained, lists paginated with a query count that does not grow."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from audit.tests.reading import subject_ids
from billing.models import EligibilityInquiry, EligibilityResponse, EligibilityResult
from billing.uploads import MAX_BYTES
from participants.tests.factories import CoverageFactory, ParticipantFactory

from .eligibility_files import active, answer, ask, inactive, load
from .factories import days_ago


@pytest.fixture
def inquiry(identity, payer, author, person):
    return ask(person, by=author, today=days_ago(5))


@pytest.fixture
def response(inquiry, author):
    return load(answer(inquiry, inactive), by=author).response


def upload(text: str, name="answer.271"):
    return {"file": SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)}


def pages(inquiry, response) -> list[str]:
    return [
        reverse("billing:eligibility"),
        reverse("billing:eligibility_inquiry_new"),
        reverse("billing:eligibility_inquiry_detail", args=[inquiry.pk]),
        reverse("billing:eligibility_inquiry_download", args=[inquiry.pk]),
        reverse("billing:eligibility_response_import"),
        reverse("billing:eligibility_response_detail", args=[response.pk]),
        reverse("billing:eligibility_inactive"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.BILLING, 200), (Role.PROGRAM_ADMIN, 200), (Role.PEER_SPECIALIST, 403), (Role.SUPERVISOR, 403)],
)
def test_only_billing_staff_and_admins_open_the_eligibility_pages(client, inquiry, response, role, expected):
    client.force_login(UserFactory(role=role))
    for url in pages(inquiry, response):
        assert client.get(url).status_code == expected, url
    posted = client.post(reverse("billing:eligibility_inquiry_create"), {"scope": "coming_week"})
    assert posted.status_code == (302 if expected == 200 else 403)


@pytest.mark.django_db
def test_records_that_do_not_exist_are_404_and_building_is_post_only(client, billing_user, inquiry, response):
    client.force_login(billing_user)
    assert client.get(reverse("billing:eligibility_inquiry_detail", args=[inquiry.pk + 99])).status_code == 404
    assert client.get(reverse("billing:eligibility_response_detail", args=[response.pk + 99])).status_code == 404
    assert client.get(reverse("billing:eligibility_inquiry_create")).status_code == 405


@pytest.mark.django_db
def test_a_clerk_finds_ticks_and_downloads_an_inquiry(client, billing_user, identity, payer, person):
    client.force_login(billing_user)
    coverage = person.coverages.get()
    found = client.get(reverse("billing:eligibility_inquiry_new"), {"q": "quint"}).context["page"].object_list
    assert list(found) == [coverage]
    assert not client.get(reverse("billing:eligibility_inquiry_new"), {"q": "nobody"}).context["page"].object_list
    posted = client.post(reverse("billing:eligibility_inquiry_create"), {"scope": "chosen", "coverages": [coverage.pk]})
    made = EligibilityInquiry.objects.get()
    assert posted["Location"] == reverse("billing:eligibility_inquiry_detail", args=[made.pk])
    assert "Rosa Quintero" in client.get(posted["Location"]).content.decode()

    download = client.get(reverse("billing:eligibility_inquiry_download", args=[made.pk]))
    assert download.content.decode() == made.file_text and "attachment" in download["Content-Disposition"]
    event = AuditEvent.objects.get(action="disclose", target_type="billing.eligibilityinquiry")
    assert (event.actor, event.details["file"], subject_ids(event)) == (billing_user, made.file_name, [person.pk])
    assert coverage.member_id not in str(event.details)


@pytest.mark.django_db
def test_asking_about_nobody_is_explained_and_saves_nothing(client, billing_user, identity, payer, person):
    client.force_login(billing_user)
    for ticked in ([], ["²"], ["99999999999999999999"], ["-1"]):  # nothing, or nothing the page sends
        data = {"scope": "chosen", "coverages": ticked}
        response = client.post(reverse("billing:eligibility_inquiry_create"), data, follow=True)
        assert "Tick at least one participant" in response.content.decode()
    payer.receiver_id = ""
    payer.save()
    coverage = person.coverages.get()
    data = {"scope": "chosen", "coverages": [coverage.pk]}
    response = client.post(reverse("billing:eligibility_inquiry_create"), data, follow=True)
    assert "No inquiry was made: Texas Medicaid has no receiver ID" in response.content.decode()
    assert not EligibilityInquiry.objects.exists()


@pytest.mark.django_db
def test_a_clerk_imports_a_271_and_sees_what_the_payer_said(client, billing_user, inquiry, person):
    client.force_login(billing_user)
    posted = client.post(reverse("billing:eligibility_response_import"), upload(answer(inquiry, inactive)))
    response = EligibilityResponse.objects.get()
    assert posted["Location"] == reverse("billing:eligibility_response_detail", args=[response.pk])
    assert (response.imported_by, response.file_name) == (billing_user, "answer.271")
    body = client.get(posted["Location"]).content.decode()
    assert "Rosa Quintero" in body and "EB01 6: Inactive" in body
    inactive_page = client.get(reverse("billing:eligibility_inactive")).content.decode()
    assert "Rosa Quintero" in inactive_page
    again = client.post(reverse("billing:eligibility_response_import"), upload(answer(inquiry, inactive)), follow=True)
    assert "was imported before" in again.content.decode() and EligibilityResult.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("GS*HB*nothing~", "not an X12 file pyx12 can read"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a text file"),
        ("ISA" + "*" * (MAX_BYTES), "The file is too large: import files of at most 5 MB"),
    ],
)
def test_a_bad_upload_is_explained_and_changes_nothing(client, billing_user, inquiry, person, content, says):
    client.force_login(billing_user)
    response = client.post(reverse("billing:eligibility_response_import"), upload(content))
    assert response.status_code == 200 and says in response.content.decode()
    assert not EligibilityResponse.objects.exists() and person.coverages.get().eligibility_status == "unknown"


@pytest.mark.django_db
def test_the_import_command_reads_a_file_once(tmp_path, billing_user, peer, inquiry, person):
    path = tmp_path / "answer.271"
    path.write_text(answer(inquiry, active))
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_eligibility", str(path), user=peer.email)
    call_command("import_eligibility", str(path), user=billing_user.email)
    assert person.coverages.get().eligibility_status == "active"
    call_command("import_eligibility", str(path), user=billing_user.email)  # nothing new
    assert EligibilityResponse.objects.count() == 1 and EligibilityResult.objects.count() == 1
    path.write_text("not x12")
    with pytest.raises(CommandError, match="Not imported"):
        call_command("import_eligibility", str(path), user=billing_user.email)


def _rows(payer, author, n, *, start):
    """An inquiry about n more people, and its 271 reporting each of them inactive."""
    people = [CoverageFactory(participant=ParticipantFactory(last_name=f"Q{start + k}"), payer=payer).participant
              for k in range(n)]  # fmt: skip
    made = ask(*people, by=author)
    return made, load(answer(made, inactive, control=f"{500 + start:09d}"), by=author).response


def _shown(page) -> int:
    """Rows on a list page; on the eligibility page, the shorter of its two lists."""
    if "inquiries" in page.context:
        return min(len(page.context["inquiries"].object_list), len(page.context["responses"].object_list))
    return len(page.context["page"].object_list)


def _pages(made, response) -> list[str]:
    return [
        reverse("billing:eligibility"),
        reverse("billing:eligibility_inquiry_new"),
        reverse("billing:eligibility_inactive"),
        reverse("billing:eligibility_inquiry_detail", args=[made.pk]),
        reverse("billing:eligibility_response_detail", args=[response.pk]),
    ]


@pytest.mark.django_db
def test_the_lists_query_count_does_not_grow(
    client, billing_user, identity, payer, author, django_assert_max_num_queries
):
    client.force_login(billing_user)
    _rows(payer, author, 1, start=0)
    small = _pages(*_rows(payer, author, 2, start=1))  # 2 inquiries, responses, members, answers
    counts = []
    for url in small:
        with django_assert_max_num_queries(15) as few:
            assert _shown(client.get(url)) >= 2, url
        counts.append(len(few.captured_queries))
    for k in range(27):
        _rows(payer, author, 1, start=10 + k)
    large = _pages(*_rows(payer, author, 30, start=40))  # 30 of each on every page
    for url, count in zip(large, counts, strict=True):
        with django_assert_max_num_queries(count):
            page = client.get(url)
        assert _shown(page) >= 30, url


@pytest.mark.django_db
def test_the_inquiry_command_writes_the_coming_weeks_files_and_audits_them(tmp_path, billing_user, identity, person):
    call_command("eligibility_inquiry", output_dir=str(tmp_path), user=billing_user.email)
    made = EligibilityInquiry.objects.get()
    assert made.scope == "coming_week" and made.lines.get().coverage == person.coverages.get()
    assert (tmp_path / f"eligibility-{made.interchange_control_number:09d}.270").read_text() == made.file_text
    assert AuditEvent.objects.filter(action="disclose", target_type="billing.eligibilityinquiry").count() == 1
    with pytest.raises(CommandError, match="not a folder"):
        call_command("eligibility_inquiry", output_dir=str(tmp_path / "nowhere"), user=billing_user.email)
