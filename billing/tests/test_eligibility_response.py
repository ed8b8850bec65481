"""The 271: read with pyx12's reader, matched by our trace or by member ID and payer, written on
the coverage; a coverage reported inactive holds later notes and is flagged where specialists
look, until a later 271 says active."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from billing.billability import assess, billable_notes
from billing.eligibility.response import ResponseError
from billing.models import EligibilityResponse, EligibilityResult
from notes.tests.factories import signed_note
from participants.models import Coverage

from .eligibility_files import Said, active, answer, ask, inactive, load, rejected, response_271
from .factories import billable_participant, days_ago

CHECKED = days_ago(5)  # the inquiries ask about this day
ON = f"{CHECKED:%b} {CHECKED.day}, {CHECKED.year}"
WARNING = f"Medicaid reported inactive on {ON}: check coverage before the next session"


def eligibility_holds(note):
    [a] = assess(billable_notes().filter(pk=note.pk))
    return [r for r in a.reasons if r.kind == "eligibility"]


@pytest.fixture
def other(author, program, payer):
    return billable_participant(author, program, payer, first_name="Ana", last_name="Diaz")


@pytest.fixture
def reported(identity, payer, author, person, other):
    """A 271 answering an inquiry about `person` (inactive) and `other` (active)."""
    inquiry = ask(person, other, by=author, today=CHECKED)
    coverage = person.coverages.get()
    load(answer(inquiry, active, {coverage.pk: inactive}), by=author)
    return inquiry


@pytest.mark.django_db
def test_a_271_marks_one_coverage_inactive_and_holds_the_notes_from_that_day(reported, payer, author, person, other):
    coverage, others = person.coverages.get(), other.coverages.get()
    assert (coverage.eligibility_status, coverage.eligibility_checked_on) == ("inactive", CHECKED)
    assert coverage.eligibility_detail == "EB01 6: Inactive"
    assert coverage.eligibility_source == "271 000000777 from TXMEDICAID"
    assert (others.eligibility_status, others.eligibility_detail) == ("active", "EB01 1: Active coverage")
    response = EligibilityResponse.objects.get()
    assert response.payer == payer
    assert set(response.results.values_list("match", flat=True)) == {"trace"}

    after, before = signed_note(person, author, day=days_ago(3)), signed_note(person, author, day=days_ago(8))
    [hold] = eligibility_holds(after)
    assert hold.text == (
        f"Texas Medicaid reported this coverage inactive on {ON} (271). Update the coverage or check again."
    )
    assert hold.fix_url == reverse("participants:detail", args=[person.pk]) + "#coverage"
    assert eligibility_holds(before) == []  # the payer answered for its day, not for the past
    assert eligibility_holds(signed_note(other, author, day=days_ago(3))) == []
    audited = AuditEvent.objects.filter(target_type="participants.coverage", target_id=str(coverage.pk)).get()
    assert audited.details == {
        "fields": ["eligibility_status", "eligibility_checked_on", "eligibility_detail", "eligibility_source"],
        "eligibility_response": response.pk,
    }
    assert AuditEvent.objects.filter(action="create", target_type="billing.eligibilityresponse").count() == 1


@pytest.mark.django_db
def test_the_specialist_and_the_supervisor_see_the_flag_before_the_next_session(
    client, reported, author, person, other
):
    supervisor = author.staff_profile.supervisor
    for user, url in [
        (author, reverse("participants:detail", args=[person.pk])),
        (author, reverse("my_caseload")),
        (author, reverse("notes:note_new", args=[person.pk])),  # the form of the next note
        (supervisor, reverse("participants:detail", args=[person.pk])),
        (supervisor, reverse("specialist_caseload", args=[author.pk])),
    ]:
        client.force_login(user)
        body = client.get(url).content.decode()
        assert body.count(WARNING) == 1, (user, url)
    client.force_login(author)
    assert WARNING not in client.get(reverse("participants:detail", args=[other.pk])).content.decode()
    rows = client.get(reverse("my_caseload"), {"alerts_only": "on"}).context["rows"]
    assert [row.alerts[0] for row in rows if row.participant == person] == [WARNING]
    # Updated by ending it: the report is history, no longer a warning.
    Coverage.objects.filter(participant=person).update(end_date=days_ago(6))
    for url in [reverse("participants:detail", args=[person.pk]), reverse("my_caseload")]:
        assert WARNING not in client.get(url).content.decode(), url


@pytest.mark.django_db
def test_a_later_271_reporting_active_clears_the_hold_and_the_flag(client, reported, author, person):
    coverage = person.coverages.get()
    note = signed_note(person, author, day=days_ago(3))
    assert eligibility_holds(note)
    later = ask(person, by=author, today=days_ago(1))
    load(answer(later, active, control="000000778"), by=author)
    coverage.refresh_from_db()
    assert (coverage.eligibility_status, coverage.eligibility_checked_on) == ("active", days_ago(1))
    assert eligibility_holds(note) == []
    client.force_login(author)
    assert "reported inactive" not in client.get(reverse("my_caseload")).content.decode()


@pytest.mark.django_db
def test_an_older_answer_imported_late_changes_nothing(reported, author, person):
    coverage = person.coverages.get()
    newer = ask(person, by=author, today=days_ago(1))
    load(answer(newer, active, control="000000778"), by=author)
    older = ask(person, by=author, today=days_ago(9))
    load(answer(older, inactive, control="000000779"), by=author)
    coverage.refresh_from_db()
    assert (coverage.eligibility_status, coverage.eligibility_checked_on) == ("active", days_ago(1))
    assert not EligibilityResult.objects.get(response__interchange_control_number="000000779").applied


@pytest.mark.django_db
def test_a_rejection_is_recorded_as_could_not_be_checked_not_as_inactive(client, identity, payer, author, person):
    inquiry = ask(person, by=author, today=CHECKED)
    load(answer(inquiry, rejected), by=author)
    coverage = person.coverages.get()
    assert coverage.eligibility_status == Coverage.Eligibility.NOT_VERIFIED
    assert coverage.eligibility_detail == "AAA 75: Subscriber/insured not found (please correct and resubmit)"
    assert eligibility_holds(signed_note(person, author, day=days_ago(3))) == []
    client.force_login(author)
    assert "reported inactive" not in client.get(reverse("my_caseload")).content.decode()
    body = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
    assert "could not be checked (AAA 75: Subscriber/insured not found" in body


@pytest.mark.django_db
def test_a_rejection_leaves_an_inactive_report_standing(reported, author, person):
    later = ask(person, by=author, today=days_ago(1))
    load(answer(later, lambda line: rejected(line, "42", "R"), control="000000778"), by=author)
    coverage = person.coverages.get()
    assert (coverage.eligibility_status, coverage.eligibility_checked_on) == ("inactive", CHECKED)
    result = EligibilityResult.objects.get(response__interchange_control_number="000000778")
    assert (result.status, result.applied) == ("not_verified", False)
    assert result.detail == "AAA 42: Unable to respond at current time (resubmission allowed)"


@pytest.mark.django_db
def test_active_and_inactive_in_one_answer_is_inactive_and_says_both(identity, payer, author, person):
    inquiry = ask(person, by=author)
    load(answer(inquiry, lambda line: Said(line.member_id, line.trace, eb=("1", "6"))), by=author)
    coverage = person.coverages.get()
    assert coverage.eligibility_status == "inactive"
    assert coverage.eligibility_detail == "EB01 6: Inactive (the response also reports EB01 1: Active coverage)"


@pytest.mark.django_db
def test_without_our_trace_the_answer_is_matched_by_member_id_and_payer(identity, payer, author, person):
    member_id = person.coverages.get().member_id
    load(response_271([Said(member_id, eb=("6",)), Said("999999999", eb=("1",))], day=days_ago(2)), by=author)
    coverage = person.coverages.get()
    assert (coverage.eligibility_status, coverage.eligibility_checked_on) == ("inactive", days_ago(2))  # BHT04
    matched, unmatched = EligibilityResult.objects.order_by("position")
    assert (matched.match, matched.coverage, matched.line) == ("member_id", coverage, None)
    assert (unmatched.match, unmatched.coverage, unmatched.applied) == ("unmatched", None, False)


@pytest.mark.django_db
def test_a_file_level_rejection_is_kept_on_the_response(identity, payer, author):
    imported = load(response_271([], source_rejection="42"), by=author)
    assert imported.response.detail == "AAA 42: Unable to respond at current time (resubmission allowed)"
    assert not imported.response.results.exists()


@pytest.mark.django_db
def test_the_same_271_twice_records_nothing_new(reported, author, person):
    text = EligibilityResponse.objects.get().file_text
    before = (EligibilityResult.objects.count(), AuditEvent.objects.count())
    again = load(text, by=author)
    assert not again.created and again.response == EligibilityResponse.objects.get()
    assert (EligibilityResult.objects.count(), AuditEvent.objects.count()) == before


def _not_271_files(inquiry) -> dict[str, str]:
    good = answer(inquiry, inactive)
    no_subscriber_id = good.replace("****MI*" + inquiry.lines.get().member_id, "")
    return {
        "garbage": "Dear billing office, please find attached our remittance.",
        "our own 270": inquiry.file_text,
        "an 835": good.replace("ST*271*", "ST*835*"),
        "a wrong segment count": good.replace("~SE*13*", "~SE*11*"),
        "cut short": good[: good.index("~SE*")],
        "a 4010 271": good.replace("005010X279A1", "004010X092A1"),
        "no member ID": no_subscriber_id,
    }


EXPECTED = {
    "garbage": "not an X12 file pyx12 can read: First line does not begin with 'ISA'",
    "our own 270": "an eligibility inquiry (270), not the payer's response",
    "an 835": "This file is a remittance advice (835), not a 271",
    "a wrong segment count": "SE count of 11 for SE02=0001 is wrong. I count 13",
    "cut short": "Transaction Set Trailer",
    "a 4010 271": "version 004010X092A1; only 005010X279A1 is read",
    "no member ID": "Subscriber 1 has no member ID (NM1*IL)",
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", EXPECTED)
def test_a_file_that_is_not_a_readable_271_is_refused_and_changes_nothing(identity, payer, author, person, case):
    inquiry = ask(person, by=author)
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(ResponseError) as refused:
        load(_not_271_files(inquiry)[case], by=author)
    assert any(EXPECTED[case] in message for message in refused.value.messages), refused.value.messages
    assert not EligibilityResponse.objects.exists() and not EligibilityResult.objects.exists()
    assert person.coverages.get().eligibility_status == "unknown"
    assert AuditEvent.objects.count() == audit_rows
