"""Recording and reading a participant's assessments and check-ins: the pages, their rules,
who may use them, the history amendments keep, and the safety flag's follow-up."""

import datetime
import re
import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from outcomes import access, services
from outcomes.models import Amendment, Assessment, CheckIn, SafetyFlag, Timepoint
from participants.tests.factories import EnrollmentFactory, days_ago, enrolled_participant
from programs.tests.factories import ProgramFactory

from .factories import answers_totalling, instrument, record_assessment, record_check_in

TODAY = timezone.localdate()


def assessment_data(code="PHQ-9", *, total=12, taken_on=None, timepoint=Timepoint.INTAKE, **overrides):
    answers = answers_totalling(code, total)
    data = {f"item_{n}": value for n, value in answers.items()}
    taken_on = taken_on or TODAY
    data |= {"timepoint": timepoint, "taken_on": taken_on if isinstance(taken_on, str) else taken_on.isoformat()}
    return data | overrides


def post_assessment(client, participant, code="PHQ-9", **data):
    enrollment = participant.enrollments.get()
    url = reverse("outcomes:assessment_new", args=[participant.pk]) + f"?instrument={code}"
    return client.post(url, {"enrollment": enrollment.pk, **assessment_data(code, **data)})


def check_in_data(**overrides):
    data = {
        "timepoint": Timepoint.INTAKE,
        "taken_on": days_ago(3).isoformat(),
        "housing": CheckIn.Housing.SHELTER,
        "employment": CheckIn.Employment.LOOKING,
        "monthly_income_from_work": "0",
        "social_support": "3",
    }
    counts = CheckIn.DAY_COUNTS + ("er_visits", "admissions_voluntary", "admissions_involuntary", "outpatient_visits")
    counts += ("crisis_calls", "arrests", "children_returned_home")
    return data | dict.fromkeys(counts, "0") | overrides


def post_check_in(client, participant, **overrides):
    data = {"enrollment": participant.enrollments.get().pk, **check_in_data(**overrides)}
    return client.post(reverse("outcomes:check_in_new", args=[participant.pk]), data)


@pytest.fixture
def enrollment(participant):
    return participant.enrollments.get()


@pytest.fixture
def signed_in_peer(client, peer):
    client.force_login(peer)
    return client


# --- Recording an assessment ---------------------------------------------------------------


@pytest.mark.django_db
def test_without_an_instrument_the_page_offers_each_active_one_with_what_it_measures(signed_in_peer, participant):
    response = signed_in_peer.get(reverse("outcomes:assessment_new", args=[participant.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for code, measures in [("PHQ-9", "Depression severity"), ("WHO-5", "Well-being"), ("GAD-7", "")]:
        assert f"?instrument={code}" in page and measures in page


@pytest.mark.django_db
def test_the_entry_screen_shows_every_item_as_large_buttons_with_the_intake_suggested(signed_in_peer, participant):
    url = reverse("outcomes:assessment_new", args=[participant.pk]) + "?instrument=PHQ-9"
    page = signed_in_peer.get(url).content.decode()
    assert page.count('class="btn-check"') == 9 * 4
    assert "Over the last 2 weeks" in page and "No permission required" in page  # prompt and licence
    assert '<option value="intake" selected>' in page
    assert 'type="hidden" name="enrollment"' in page  # one enrollment: nothing to choose


@pytest.mark.django_db
def test_with_two_open_enrollments_the_peer_chooses_and_only_the_participant_s_own(
    signed_in_peer, participant, peer, agency
):
    other_program = ProgramFactory(agency=agency, name="Recovery Coaching")
    second = EnrollmentFactory(participant=participant, program=other_program, start_date=days_ago(1))
    someone_else = enrolled_participant(peer, program=other_program).enrollments.get()
    url = reverse("outcomes:assessment_new", args=[participant.pk]) + "?instrument=GAD-7"
    page = signed_in_peer.get(url).content.decode()
    assert '<select name="enrollment"' in page and "Recovery Coaching since" in page
    response = signed_in_peer.post(url, {"enrollment": someone_else.pk, **assessment_data("GAD-7")})
    assert response.status_code == 400 and "enrollment" in response.context["form"].errors
    assert signed_in_peer.post(url, {"enrollment": second.pk, **assessment_data("GAD-7")}).status_code == 302
    assert Assessment.objects.get().enrollment == second


@pytest.mark.django_db
def test_a_peer_records_a_phq9_and_sees_its_total_and_band(signed_in_peer, participant, peer):
    response = post_assessment(signed_in_peer, participant, total=12)
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response.url == reverse("outcomes:assessment_detail", args=[assessment.pk])
    assert (assessment.total, assessment.band, assessment.recorded_by) == (12, "Moderate", peer)
    page = signed_in_peer.get(response.url).content.decode()
    assert "PHQ-9 saved: total 12, moderate." in page
    assert "in its window" in page
    assert not SafetyFlag.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_id=str(participant.pk)).exists()


@pytest.mark.django_db
def test_a_who5_message_gives_the_percentage_score(signed_in_peer, participant):
    response = post_assessment(signed_in_peer, participant, "WHO-5", total=15)
    page = signed_in_peer.get(response.url).content.decode()
    assert "WHO-5 saved: total 15; 60 of 100, no sign of poor well-being." in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"item_3": ""}, "item_3", "Answer question 3."),
        ({"item_2": "7"}, "item_2", "Question 2 takes one of: 0 (Not at all)"),
        ({"taken_on": TODAY + datetime.timedelta(days=1)}, "taken_on", "The date can&#x27;t be in the future."),
        ({"taken_on": days_ago(10)}, "taken_on", "The date can&#x27;t be before enrollment"),
        ({"taken_on": "yesterday"}, "taken_on", "Enter a valid date."),
    ],
)
def test_each_bad_answer_is_explained_at_its_field_and_nothing_is_saved(
    signed_in_peer, participant, overrides, field, message
):
    response = post_assessment(signed_in_peer, participant, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_a_timepoint_is_recorded_once_and_the_second_try_links_to_amending_the_first(signed_in_peer, participant):
    assert post_assessment(signed_in_peer, participant, total=4).status_code == 302
    first = Assessment.objects.get()
    response = post_assessment(signed_in_peer, participant, total=20)
    page = response.content.decode()
    assert response.status_code == 400
    assert "already recorded for this enrollment; amend it instead." in page
    assert reverse("outcomes:assessment_amend", args=[first.pk]) in page
    assert Assessment.objects.get().total == 4
    # Between timepoints, as often as needed.
    assert post_assessment(signed_in_peer, participant, timepoint=Timepoint.BETWEEN).status_code == 302
    assert post_assessment(signed_in_peer, participant, timepoint=Timepoint.BETWEEN).status_code == 302


@pytest.mark.django_db
def test_an_amendment_keeps_the_previous_answers_and_says_who_why_and_what(
    signed_in_peer, participant, peer, enrollment
):
    assessment = record_assessment(enrollment, "PHQ-9", total=3, by=peer)
    before = dict(assessment.answers)
    url = reverse("outcomes:assessment_amend", args=[assessment.pk])
    assert before["1"] == 3
    assert 'id="id_item_1_3" value="3" autocomplete="off" checked' in signed_in_peer.get(url).content.decode()

    data = assessment_data(total=11, taken_on=enrollment.start_date) | {"reason": "Read item 4 back wrong."}
    response = signed_in_peer.post(url, data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    amendment = Amendment.objects.get()
    assert (assessment.total, assessment.band, assessment.amended_at is not None) == (11, "Moderate", True)
    assert amendment.previous["answers"] == before and amendment.previous["total"] == 3
    assert (amendment.reason, amendment.amended_by) == ("Read item 4 back wrong.", peer)
    page = signed_in_peer.get(response.url).content.decode()
    assert "Read item 4 back wrong." in page and "Total: was 3 (Minimal), now 11 (Moderate)" in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, target_id=str(participant.pk)).exists()


@pytest.mark.django_db
def test_an_amendment_needs_a_reason_and_valid_answers(signed_in_peer, participant, peer, enrollment):
    assessment = record_assessment(enrollment, "PHQ-9", total=3, by=peer)
    url = reverse("outcomes:assessment_amend", args=[assessment.pk])
    data = assessment_data(total=11, taken_on=enrollment.start_date)
    assert signed_in_peer.post(url, data | {"reason": ""}).status_code == 400
    response = signed_in_peer.post(url, data | {"reason": "typo", "item_9": "4"})
    assert response.status_code == 400 and "Question 9 takes one of" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.total == 3 and not Amendment.objects.exists()


# --- The safety flag -----------------------------------------------------------------------


@pytest.mark.django_db
def test_phq9_item_9_above_0_flags_emails_the_supervisor_without_phi_and_they_follow_up(
    client, signed_in_peer, participant, supervisor, peer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_assessment(signed_in_peer, participant, total=6, item_9="1", item_1="0")
    flag = SafetyFlag.objects.get()
    detail = signed_in_peer.get(response.url).content.decode()
    assert (
        "Safety follow-up needed today." in detail
        and "Your supervisor (or, without one, the program admins) has been emailed" in detail
    )

    [mail] = mailoutbox
    assert mail.to == [supervisor.email]
    follow_up_url = reverse("outcomes:flag_follow_up", args=[flag.pk])
    assert follow_up_url in mail.body
    everything = mail.subject + mail.body
    for phi in [participant.first_name, participant.last_name, "PHQ", "item 9", "123456789"]:
        assert phi not in everything

    assert signed_in_peer.get(follow_up_url).status_code == 403  # the peer does not close it
    client.force_login(supervisor)
    assert client.get(follow_up_url).status_code == 200
    assert client.post(follow_up_url, {"note": ""}).status_code == 400
    response = client.post(follow_up_url, {"note": "Called at 2pm; safe, plan agreed."})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.followed_up_by, flag.follow_up_note, flag.is_open) == (
        supervisor,
        "Called at 2pm; safe, plan agreed.",
        False,
    )
    assert client.post(follow_up_url, {"note": "again"}).status_code == 400  # recorded once
    assert (
        "Safety follow-up recorded"
        in client.get(reverse("outcomes:assessment_detail", args=[flag.assessment_id])).content.decode()
    )


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "Service not available")


@pytest.mark.django_db
def test_a_mail_server_down_does_not_hide_a_saved_flagged_assessment(
    signed_in_peer, participant, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    with django_capture_on_commit_callbacks(execute=True):
        response = post_assessment(signed_in_peer, participant, total=6, item_9="1", item_1="0")
    assert response.status_code == 302
    assert SafetyFlag.objects.get().is_open
    assert "Could not email safety flag" in caplog.text


@pytest.mark.django_db
def test_without_a_supervisor_the_flag_goes_to_the_program_admins(
    signed_in_peer, participant, peer, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    peer.staff_profile.supervisor = None
    peer.staff_profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        post_assessment(signed_in_peer, participant, total=6, item_9="1", item_1="0")
    [mail] = mailoutbox
    assert admin_user.email in mail.to and peer.email not in mail.to


@pytest.mark.django_db
def test_an_assessment_that_is_refused_sends_no_email(
    signed_in_peer, participant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_assessment(signed_in_peer, participant, item_9="1", taken_on=days_ago(30))
    assert mailoutbox == [] and not SafetyFlag.objects.exists()


# --- Check-ins -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_intake_check_in_asks_about_the_six_months_before_enrollment(signed_in_peer, participant):
    page = signed_in_peer.get(reverse("outcomes:check_in_new", args=[participant.pk])).content.decode()
    assert "In the six months before enrollment" in page and "Since the last check-in" not in page
    for section in ["Housing", "Employment and education", "Income", "Social connectedness", "Children"]:
        assert f">{section}</legend>" in page


@pytest.mark.django_db
def test_a_later_check_in_asks_about_the_time_since_the_last_one(signed_in_peer, participant):
    url = reverse("outcomes:check_in_new", args=[participant.pk]) + "?timepoint=between"
    assert "Since the last check-in" in signed_in_peer.get(url).content.decode()


@pytest.mark.django_db
def test_a_peer_records_a_check_in_and_reads_it_back(signed_in_peer, participant, peer):
    response = post_check_in(signed_in_peer, participant, er_visits="3", inpatient_days="12", in_school="on")
    check_in = CheckIn.objects.get()
    assert response.status_code == 302 and response.url == reverse("outcomes:check_in_detail", args=[check_in.pk])
    assert (check_in.er_visits, check_in.inpatient_days, check_in.in_school, check_in.days_covered) == (
        3,
        12,
        True,
        182,
    )
    page = signed_in_peer.get(response.url).content.decode()
    assert "Shelter" in page and "Emergency room visits" in page and "the six months before enrollment" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"timepoint": "between", "taken_on": TODAY.isoformat(), "inpatient_days": "9"},
            "inpatient_days",
            "more than the 3 days this check-in covers",
        ),
        ({"taken_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "taken_on", "can&#x27;t be in the future"),
        ({"taken_on": days_ago(4).isoformat()}, "taken_on", "can&#x27;t be before enrollment"),
        ({"er_visits": "-1"}, "er_visits", "greater than or equal to 0"),
        ({"housing": ""}, "housing", "This field is required."),
    ],
)
def test_each_bad_check_in_value_is_explained_at_its_field_and_nothing_is_saved(
    signed_in_peer, participant, overrides, field, message
):
    response = post_check_in(signed_in_peer, participant, **overrides)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_a_check_in_timepoint_is_recorded_once_then_amended_with_its_history(signed_in_peer, participant, peer):
    assert post_check_in(signed_in_peer, participant).status_code == 302
    check_in = CheckIn.objects.get()
    response = post_check_in(signed_in_peer, participant, housing=CheckIn.Housing.OWN_OR_RENT)
    assert response.status_code == 400
    assert reverse("outcomes:check_in_amend", args=[check_in.pk]) in response.content.decode()

    url = reverse("outcomes:check_in_amend", args=[check_in.pk])
    data = check_in_data(housing=CheckIn.Housing.OWN_OR_RENT, reason="She signed a lease that week.")
    assert signed_in_peer.post(url, data | {"reason": ""}).status_code == 400
    response = signed_in_peer.post(url, data)
    assert response.status_code == 302
    check_in.refresh_from_db()
    amendment = Amendment.objects.get()
    assert check_in.housing == CheckIn.Housing.OWN_OR_RENT and amendment.previous["housing"] == "shelter"
    page = signed_in_peer.get(response.url).content.decode()
    assert "She signed a lease that week." in page and "Where they live now: was Shelter, now Own or rent" in page


# --- Who may do what -----------------------------------------------------------------------


def _urls(participant, assessment, check_in, flag):
    return [
        reverse("outcomes:assessment_new", args=[participant.pk]),
        reverse("outcomes:assessment_new", args=[participant.pk]) + "?instrument=PHQ-9",
        reverse("outcomes:assessment_detail", args=[assessment.pk]),
        reverse("outcomes:assessment_amend", args=[assessment.pk]),
        reverse("outcomes:check_in_new", args=[participant.pk]),
        reverse("outcomes:check_in_detail", args=[check_in.pk]),
        reverse("outcomes:check_in_amend", args=[check_in.pk]),
        reverse("outcomes:flag_follow_up", args=[flag.pk]),
    ]


def forms(urls: list[str]) -> list[str]:
    """The pages that take a POST (all but the two detail pages)."""
    return [url for url in urls if not re.search(r"/(assessments|check-ins)/\d+/$", url)]


@pytest.fixture
def records(participant, enrollment, peer):
    assessment, _ = services.assessment_record(
        enrollment=enrollment,
        instrument=instrument("PHQ-9"),
        timepoint=Timepoint.INTAKE,
        taken_on=enrollment.start_date,
        answers=answers_totalling("PHQ-9", 4) | {"9": 1, "1": 0},
        ctx=AuditContext(actor=peer),
    )
    check_in = record_check_in(enrollment, by=peer)
    return _urls(participant, assessment, check_in, SafetyFlag.objects.get())


@pytest.mark.django_db
def test_someone_else_s_peer_gets_404_on_every_outcomes_page(client, cast, records):
    client.force_login(cast["other_peer"])
    for url in records:
        assert client.get(url).status_code == 404, url
    for url in forms(records):
        assert client.post(url, {}).status_code == 404, url


@pytest.mark.django_db
def test_billing_staff_get_403_on_every_outcomes_page(client, billing_user, records):
    client.force_login(billing_user)
    for url in records:
        assert client.get(url).status_code == 403, url
    for url in forms(records):
        assert client.post(url, {}).status_code == 403, url


@pytest.mark.django_db
def test_the_forms_answer_only_get_and_post_and_the_detail_pages_only_get(signed_in_peer, records):
    for url in records:
        assert signed_in_peer.put(url).status_code == 405, url
        assert signed_in_peer.delete(url).status_code == 405, url
    for url in set(records) - set(forms(records)):
        assert signed_in_peer.post(url).status_code == 405, url


@pytest.mark.django_db
def test_the_supervisor_and_an_admin_may_read_and_amend_but_only_they_follow_up(client, cast, records):
    for who in ("supervisor_of", "admin"):
        client.force_login(cast[who])
        assert [client.get(url).status_code for url in records] == [200] * 8, who
    client.force_login(cast["other_supervisor"])
    assert {client.get(url).status_code for url in records} == {404}


@pytest.mark.django_db
def test_the_assessment_page_offers_the_follow_up_exactly_to_those_the_follow_up_page_lets_in(
    client, cast, participant, records
):
    """One rule (access.may_follow_up) decides both: the button and the page never disagree."""
    detail_url, follow_up_url = records[2], records[7]
    for who in ("assigned_peer", "supervisor_of", "admin"):
        user = cast[who]
        may = access.may_follow_up(user, access.get_outcomes_for_user(user, participant.pk))
        assert may is (who != "assigned_peer"), who
        client.force_login(user)
        assert (follow_up_url in client.get(detail_url).content.decode()) is may, who
        assert client.get(follow_up_url).status_code == (200 if may else 403), who


@pytest.mark.django_db
def test_each_page_showing_a_record_writes_an_audit_view_row(signed_in_peer, participant, records):
    for url in records[2:4] + records[5:]:
        before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count()
        signed_in_peer.get(url)
        if "follow-up" in url:
            continue  # the peer is refused there
        viewed = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).order_by("-id").first()
        assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == before + 1, url
        assert viewed.target_id == str(participant.pk) and viewed.details["record"]


# --- The participant's page ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_participant_page_offers_recording_and_shows_the_outcomes_section(signed_in_peer, participant, records):
    page = signed_in_peer.get(reverse("participants:detail", args=[participant.pk])).content.decode()
    assert "Record an assessment" in page and "Record a check-in" in page
    assert 'id="section-outcomes"' in page and 'data-outcome-chart="outcome-chart-0-data"' in page
    assert 'id="outcome-chart-0-data"' in page and "participant_charts.js" in page
    assert "Timepoints of the current enrollment" in page and "Life status" in page
    assert reverse("outcomes:check_in_detail", args=[CheckIn.objects.get().pk]) in page


@pytest.mark.django_db
def test_billing_staff_see_no_outcomes_on_the_participant_page(client, billing_user, participant, records):
    client.force_login(billing_user)
    page = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()
    assert "section-outcomes" not in page and "Record an assessment" not in page and "PHQ" not in page


@pytest.mark.django_db
def test_the_outcomes_section_reads_a_fixed_number_of_queries(
    signed_in_peer, participant, enrollment, peer, django_assert_max_num_queries
):
    url = reverse("participants:detail", args=[participant.pk])
    record_assessment(enrollment, "PHQ-9", total=14, by=peer)
    record_check_in(enrollment, by=peer)
    with CaptureQueriesContext(connection) as few:
        assert signed_in_peer.get(url).status_code == 200
    for n in range(20):
        code = ["PHQ-9", "GAD-7", "WHO-5"][n % 3]
        record_assessment(enrollment, code, total=5 + n % 10, timepoint=Timepoint.BETWEEN, by=peer)
    for _ in range(5):
        record_check_in(enrollment, timepoint=Timepoint.BETWEEN, taken_on=TODAY, by=peer)
    with django_assert_max_num_queries(len(few)):
        page = signed_in_peer.get(url).content.decode()
    assert 'id="outcome-chart-2-data"' in page


@pytest.mark.django_db
def test_an_amended_date_judges_the_day_counts_against_the_new_period(signed_in_peer, participant, peer, enrollment):
    check_in = record_check_in(enrollment, timepoint=Timepoint.BETWEEN, taken_on=days_ago(2), by=peer)
    assert check_in.days_covered == 1
    url = reverse("outcomes:check_in_amend", args=[check_in.pk])
    data = check_in_data(timepoint=Timepoint.BETWEEN, inpatient_days="3", reason="Wrong day entered.")
    response = signed_in_peer.post(url, data | {"taken_on": days_ago(1).isoformat()})
    assert response.status_code == 400 and "more than the 2 days this check-in covers" in response.content.decode()
    assert signed_in_peer.post(url, data | {"taken_on": TODAY.isoformat()}).status_code == 302
    check_in.refresh_from_db()
    assert (check_in.taken_on, check_in.inpatient_days, check_in.days_covered) == (TODAY, 3, 3)


@pytest.mark.django_db
def test_an_amendment_that_raises_item_9_emails_the_supervisor_once(
    signed_in_peer, participant, peer, supervisor, enrollment, mailoutbox, django_capture_on_commit_callbacks
):
    assessment = record_assessment(enrollment, "PHQ-9", total=3, by=peer)
    url = reverse("outcomes:assessment_amend", args=[assessment.pk])
    data = assessment_data(total=3, taken_on=enrollment.start_date) | {"item_9": "2", "item_1": "0"}
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_in_peer.post(url, data | {"reason": "She answered item 9 later."}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_in_peer.post(url, data | {"item_2": "1", "reason": "Item 2 too."}).status_code == 302
    assert SafetyFlag.objects.get().assessment == assessment
    assert [mail.to for mail in mailoutbox] == [[supervisor.email]]


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["--1", "²", "1e3", " ", "9999999999999"])
def test_an_odd_answer_is_a_400_with_the_question_named(signed_in_peer, participant, answer):
    response = post_assessment(signed_in_peer, participant, total=0, item_1=answer)
    assert response.status_code == 400
    assert "question 1" in response.content.decode().lower()
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_an_instrument_code_with_a_nul_byte_is_not_found_rather_than_an_error(signed_in_peer, participant):
    url = reverse("outcomes:assessment_new", args=[participant.pk])
    assert signed_in_peer.get(url, {"instrument": "PHQ\x00-9"}).status_code == 404
