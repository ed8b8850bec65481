"""Each billing program's own rules (billing 0008 and later, each with its source): ages,
certifications, plan goals, Part 2 consent, filing limits and units."""

import datetime
import importlib

import pytest
from django.apps import apps

from billing.assessment import HOLD, READY
from billing.billability import assess, billable_notes
from billing.models import Authorization, ServiceCode
from notes.tests.factories import signed_note
from participants.models import Consent, Participant
from programs.models import Certification, Payer, Program
from programs.tests.factories import CertificationFactory

from .factories import TODAY, days_ago


def texts(a):
    return " | ".join(r.text for r in a.reasons)


def born_years_before(day: datetime.date, years: int) -> datetime.date:
    """The birthday that makes someone exactly `years` old on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # February 29
        return day.replace(year=day.year - years, day=28)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("billing_program", "years", "held"),
    [
        ("tx_state_plan", 20, True),
        ("tx_state_plan", 21, False),
        ("tx_1915i_amh", 17, True),
        ("tx_1915i_amh", 18, False),
        ("tx_yes", 2, True),
        ("tx_yes", 18, False),
        ("tx_yes", 19, True),  # under 19 on the date of service
        ("ct_1915c_mhw", 21, True),
        ("ct_1915c_mhw", 22, False),
    ],
)
def test_a_note_outside_the_programs_ages_is_held(person, author, billing_program, years, held):
    day = days_ago(3)
    person.coverages.update(billing_program=billing_program)
    Participant.objects.filter(pk=person.pk).update(date_of_birth=born_years_before(day, years))
    signed_note(person, author, day=day)
    [a] = assess(billable_notes())
    assert ("serves ages" in texts(a)) == held, texts(a)
    if billing_program == "tx_yes" and held:
        assert f"{years} on" in texts(a) or "Under 3" in texts(a)
        assert "TX YES waiver serves ages 3 through 18." in texts(a)
    if billing_program == "tx_state_plan":
        assert a.status == (HOLD if held else READY)


@pytest.mark.django_db
def test_a_note_by_a_specialist_without_a_certification_the_program_accepts_is_held(person, author):
    """Pat holds a Texas Mental Health Peer Specialist certification: right for the state plan,
    not for the CT waiver (Recovery Support Specialist) nor TX YES (Certified Family Partner)."""
    person.coverages.update(billing_program="ct_1915c_mhw")
    signed_note(person, author)
    [a] = assess(billable_notes())
    assert (
        "Pat Nguyen held no certification CT 1915(c) Mental Health Waiver accepts for H0038 on "
        f"{days_ago(3):%b} {days_ago(3).day}, {days_ago(3).year}: it takes a Connecticut Recovery Support Specialist."
    ) in texts(a)
    profile = author.staff_profile
    CertificationFactory(profile=profile, type=Certification.Type.CT_RSS, issued_on=days_ago(30))
    assert "certification" not in texts(assess(billable_notes())[0])
    person.coverages.update(billing_program="tx_yes")
    assert "it takes a Certified Family Partner" in texts(assess(billable_notes())[0])
    person.coverages.update(billing_program="tx_state_plan")
    assert assess(billable_notes())[0].status == READY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("population", "diagnoses", "held"),
    [
        ("mental_health", "", False),
        ("mental_health", "F41.1, F10.20", True),  # the claim would carry an alcohol use disorder
        ("mental_health", "F19.90", True),
        ("mental_health", "F20.9", False),
        ("substance_use", "", True),
        ("co_occurring", "", True),
    ],
)
def test_part2_consent_is_needed_for_a_substance_use_diagnosis_or_program(
    person, author, program, payer, population, diagnoses, held
):
    Program.objects.filter(pk=program.pk).update(population=population)
    Participant.objects.filter(pk=person.pk).update(other_diagnoses=diagnoses)
    signed_note(person, author)
    [a] = assess(billable_notes())
    assert ("No current 42 CFR Part 2 consent to disclose to Texas Medicaid." in texts(a)) == held, texts(a)
    Consent.objects.create(
        participant=person, kind="part2_disclosure", disclosing_party="Agency", recipient=payer.name,
        recipient_payer=payer, purpose="Payment", information="Services", signed_on=days_ago(60), expires_on=TODAY,
    )  # fmt: skip
    assert assess(billable_notes())[0].status == READY


@pytest.mark.django_db
def test_the_filing_limits_migration_corrects_existing_payers_and_billing_applies_them(person, author):
    texas, connecticut = Payer.objects.get(name="Texas Medicaid"), Payer.objects.get(name="Connecticut Medicaid")
    Payer.objects.update(timely_filing_days=180)  # as an agency may have typed them
    importlib.import_module("programs.migrations.0005_payer_filing_limits_cited").set_filing_limits(apps, None)
    texas.refresh_from_db()
    connecticut.refresh_from_db()
    assert (texas.timely_filing_days, connecticut.timely_filing_days) == (95, 365)

    person.enrollments.update(start_date=days_ago(400))
    person.assignments.update(started_on=days_ago(400))
    person.coverages.update(payer=connecticut, start_date=days_ago(400))
    for n in (96, 365, 366):
        signed_note(person, author, day=days_ago(n))
    late = [("filing limit" in texts(a)) for a in assess(billable_notes())]
    assert late == [True, False, False]  # oldest first: 366 days is past 12 months
    assert "Past Connecticut Medicaid's 365-day filing limit (366 days old)." in texts(assess(billable_notes())[0])


@pytest.mark.django_db
def test_connecticut_bills_whole_15_minute_units_only(person, author):
    connecticut = Payer.objects.get(name="Connecticut Medicaid")
    person.coverages.update(billing_program="ct_1915c_mhw", payer=connecticut)
    Participant.objects.filter(pk=person.pk).update(date_of_birth=datetime.date(1970, 1, 1))
    CertificationFactory(profile=author.staff_profile, type=Certification.Type.CT_RSS, issued_on=days_ago(30))
    code = ServiceCode.objects.get(billing_program="ct_1915c_mhw", kind="individual", is_active=True)
    Authorization.objects.create(participant=person, service_code=code, number="CT-1", units_authorized=40,
                                 start_date=days_ago(30), end_date=TODAY)  # fmt: skip
    signed_note(person, author, start="10:00", end="10:38")  # 2 units and 8 minutes
    [a] = assess(billable_notes())
    assert (a.status, a.units) == (READY, 2), texts(a)
    assert code.rounding == ServiceCode.Rounding.WHOLE_UNITS and "whole 15-minute units" in code.source
