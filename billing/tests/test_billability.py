import datetime

import pytest

from billing import marks
from billing.assessment import GRANT, HOLD, READY
from billing.billability import assess, billable_notes
from billing.models import Authorization, Claim, ClaimBatch, ClaimLine, FundingSource, ServiceCode
from notes.models import GroupSession, SessionNote
from notes.tests.factories import signed_note
from participants.models import Consent, Enrollment
from programs.models import Program
from programs.tests.factories import ProgramFactory

from .factories import TODAY, days_ago


def only(assessments):
    [a] = assessments
    return a


def texts(a):
    return " | ".join(r.text for r in a.reasons)


@pytest.mark.django_db
def test_a_complete_note_is_ready_with_units_modifiers_and_amount(person, author, tx_code):
    signed_note(person, author, start="10:00", end="10:50")
    a = only(assess(billable_notes()))
    assert (a.status, a.units, a.modifiers, str(a.amount)) == (READY, 3, ["HE"], "73.08")
    assert a.payer.name == "Texas Medicaid"


@pytest.mark.django_db
def test_drafts_and_waiting_notes_are_not_billable(person, author):
    note = signed_note(person, author)
    for status in ("draft", "submitted", "returned"):
        SessionNote.objects.filter(pk=note.pk).update(status=status)
        assert assess(billable_notes()) == []


HOLDS = {
    "not_enrolled": "Not enrolled in any program",
    "no_code": "No active service code for peer support in individual sessions",
    "too_young": "Under 21 on",
    "uncertified": "had no valid peer certification",
    "too_short": "is less than one billable unit",
    "no_rate": "No rate for H0038",
    "part2": "No current 42 CFR Part 2 consent to disclose to Texas Medicaid",
    "late": "filing limit",
    "no_coverage": "No coverage on",
    "no_address": "The participant's address is incomplete",
    "no_goal": "The note names no recovery-plan goal",
}


def _break(reason, person, author, program, tx_code):
    """Make exactly one rule fail; return the note's kwargs."""
    if reason == "not_enrolled":
        person.enrollments.update(start_date=days_ago(2))
    elif reason == "no_code":
        ServiceCode.objects.filter(billing_program="tx_state_plan").update(is_active=False)
    elif reason == "too_young":
        person.date_of_birth = TODAY.replace(year=TODAY.year - 20)
        person.save()
    elif reason == "uncertified":
        author.staff_profile.certifications.update(expires_on=days_ago(10))
    elif reason == "too_short":
        return {"start": "10:00", "end": "10:14"}
    elif reason == "no_rate":
        tx_code.rates.update(effective_to=days_ago(30))
    elif reason == "part2":
        Program.objects.filter(pk=program.pk).update(population=Program.Population.SUBSTANCE_USE)
    elif reason == "late":
        return {"day": days_ago(96)}
    elif reason == "no_coverage":
        person.coverages.update(start_date=days_ago(2))
    elif reason == "no_address":
        type(person).objects.filter(pk=person.pk).update(zip_code="")
    elif reason == "no_goal":
        return {"goals": []}
    return {}


@pytest.mark.django_db
@pytest.mark.parametrize("reason", list(HOLDS))
def test_each_hold_reason_alone(person, author, program, tx_code, reason):
    if reason == "late":
        person.enrollments.update(start_date=days_ago(200))
        person.assignments.update(started_on=days_ago(200))
    signed_note(person, author, **_break(reason, person, author, program, tx_code))
    a = only(assess(billable_notes()))
    assert a.status == HOLD
    assert len(a.reasons) == 1, texts(a)
    assert HOLDS[reason] in a.reasons[0].text


@pytest.mark.django_db
def test_several_reasons_are_all_listed_with_links(person, author, program, tx_code):
    _break("too_young", person, author, program, tx_code)
    _break("uncertified", person, author, program, tx_code)
    _break("part2", person, author, program, tx_code)
    signed_note(person, author, start="10:00", end="10:10")
    a = only(assess(billable_notes()))
    assert a.status == HOLD and len(a.reasons) == 4, texts(a)
    assert all(r.fix_url for r in a.reasons if "certification" in r.text or "consent" in r.text)


@pytest.mark.django_db
def test_a_part2_consent_to_that_payer_releases_the_hold(person, author, program, payer):
    Program.objects.filter(pk=program.pk).update(population=Program.Population.SUBSTANCE_USE)
    Consent.objects.create(
        participant=person, kind="part2_disclosure", disclosing_party="Agency", recipient=payer.name,
        recipient_payer=payer, purpose="Payment", information="Services", signed_on=days_ago(60), expires_on=TODAY,
    )  # fmt: skip
    signed_note(person, author)
    assert only(assess(billable_notes())).status == READY


@pytest.mark.django_db
def test_part2_consent_is_asked_for_days_enrolled_in_a_part2_program_only(person, author, program):
    """Enrollments are looked at only for participants ever in a Part 2 program (issue 16): the
    day decides, not whether the participant was ever in one."""
    sud = ProgramFactory(agency=program.agency, name="Recovery Bridge", population=Program.Population.SUBSTANCE_USE)
    Enrollment.objects.create(participant=person, program=sud, start_date=days_ago(70), end_date=days_ago(40))
    during, after = signed_note(person, author, day=days_ago(50)), signed_note(person, author, day=days_ago(20))
    results = {a.note: a for a in assess(billable_notes())}
    assert [r.kind for r in results[during].reasons] == ["consent"] and results[after].status == READY


@pytest.mark.django_db
def test_a_note_no_coverage_pays_for_is_attributed_to_the_programs_grant(person, author, program):
    person.coverages.update(start_date=days_ago(2))
    FundingSource.objects.create(program=program, name="SAMHSA SOR grant", kind="samhsa", start_date=days_ago(365))
    signed_note(person, author)
    a = only(assess(billable_notes()))
    assert (a.status, a.funding.name, a.reasons) == (GRANT, "SAMHSA SOR grant", [])


@pytest.mark.django_db
def test_the_daily_cap_caps_then_holds(person, author, tx_code):
    ServiceCode.objects.filter(billing_program=tx_code.billing_program).update(daily_unit_cap=4)
    day = days_ago(3)
    signed_note(person, author, day=day, start="09:00", end="10:00")  # 4 units
    signed_note(person, author, day=day, start="11:00", end="11:30")  # 2 units, none left
    first, second = assess(billable_notes())
    assert (first.status, first.units) == (READY, 4)
    assert second.status == HOLD and "daily cap of 4 units" in texts(second)

    ServiceCode.objects.filter(billing_program=tx_code.billing_program).update(daily_unit_cap=5)
    first, second = assess(billable_notes())
    assert (second.status, second.units) == (READY, 1) and "Capped to 1 of 2 units" in second.cap_note


@pytest.mark.django_db
def test_the_rolling_cap_counts_units_already_billed(person, author, payer, tx_code):
    # The cap belongs to the service: its individual and group codes.
    ServiceCode.objects.filter(billing_program=tx_code.billing_program).update(rolling_cap_units=6, rolling_cap_days=30)
    old = signed_note(person, author, day=days_ago(20), start="09:00", end="10:00")
    batch = ClaimBatch.objects.create(payer=payer, created_by=author)
    claim = Claim.objects.create(batch=batch, participant=person, billing_program="tx_state_plan", member_id="1")
    ClaimLine.objects.create(claim=claim, note=old, service_code=tx_code, hcpcs="H0038", units=4, charge=1,
                             place_of_service="99", service_date=old.date)  # fmt: skip
    marks.refresh([old.pk])  # as every service writing a line does
    signed_note(person, author, day=days_ago(3), start="09:00", end="10:00")
    a = only(assess(billable_notes()))
    assert (a.status, a.units) == (READY, 2) and "rolling 30-day cap" in a.cap_note

    ClaimLine.objects.update(voided=True)  # the old claim was voided: its units free up and it bills again
    marks.refresh([old.pk])
    assert len(assess(billable_notes())) == 2


@pytest.mark.django_db
def test_an_authorization_is_required_and_consumed(person, author, tx_code):
    tx_code.requires_authorization = True
    tx_code.save()
    signed_note(person, author, day=days_ago(4), start="09:00", end="10:00")
    signed_note(person, author, day=days_ago(3), start="09:00", end="10:00")
    assert all("No authorization for H0038" in texts(a) for a in assess(billable_notes()))
    Authorization.objects.create(participant=person, service_code=tx_code, number="A-77", units_authorized=6,
                                 start_date=days_ago(30), end_date=TODAY)  # fmt: skip
    first, second = assess(billable_notes())
    assert (first.units, second.units) == (4, 2) and "authorization A-77" in second.cap_note
    signed_note(person, author, day=days_ago(2), start="09:00", end="10:00")
    assert "Authorization A-77 has no units left" in texts(assess(billable_notes())[2])


@pytest.mark.django_db
def test_group_lines_carry_hq_and_telehealth_carries_its_modifier(person, author):
    group = GroupSession.objects.create(
        facilitator=author, topic="t", date=days_ago(3), start_time=datetime.time(13),
        end_time=datetime.time(14), modality="in_person", place_of_service="53",
    )  # fmt: skip
    signed_note(person, author, group=group, start="13:00", end="14:00", place="53")
    signed_note(person, author, day=days_ago(2), modality="video", place="10")
    group_line, video_line = assess(billable_notes())
    assert group_line.modifiers == ["HE", "HQ"] and str(group_line.rate) == "5.00"
    assert video_line.modifiers == ["HE", "95"]


@pytest.mark.django_db
def test_what_notes_are_checked_against_is_read_by_sql_written_once(person, author, tx_code, monkeypatch):
    """Writing a small query's SQL cost the ORM as much as running it: assessing the work page's
    window spent more time on it than PostgreSQL did. After the first assessment, only the
    caller's notes query is written again."""
    from django.db.models.sql.compiler import SQLCompiler

    tx_code.requires_authorization = True
    tx_code.save()
    Authorization.objects.create(
        participant=person, service_code=tx_code, number="A1", units_authorized=100,
        start_date=days_ago(30), end_date=days_ago(-30),
    )  # fmt: skip
    signed_note(person, author, start="10:00", end="10:50")
    assess(billable_notes())
    written = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: written.append(self.query.model) or as_sql(self, *a, **k)
    )
    a = only(assess(billable_notes()))
    assert a.status == READY and a.authorization is not None
    assert written == [SessionNote]
