"""Texas mental health rehabilitative services a peer provider may deliver (billing 0014):
medication training and support (H0034), psychosocial rehabilitation (H2017), skills training
and development (H2014) and crisis intervention (H2011), each billed under the Texas state
plan with its own code, rate and caps; the day program for acute needs has no known code."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.context import AuditContext
from billing import services
from billing.billability import HOLD, READY, assess, billable_notes
from billing.models import CombinedDailyCap, ServiceCode
from billing.tests.x12_validation import assert_valid
from notes import services as note_services
from notes.models import GroupSession, SessionNote
from notes.tests.factories import note_data, signed_note
from participants.tests.factories import CoverageFactory

from .factories import TODAY, bill, billable_participant, days_ago

pytestmark = pytest.mark.django_db

# (service, kind) -> HCPCS and modifiers, as billing-rules.md and the demo values give them.
REHAB = {
    ("medication_training", "individual"): ("H0034", ["HE"]),
    ("medication_training", "group"): ("H0034", ["HE", "HQ"]),
    ("psychosocial_rehabilitation", "individual"): ("H2017", ["HE"]),
    ("skills_training", "individual"): ("H2014", ["HE"]),
    ("crisis_intervention", "individual"): ("H2011", ["HE"]),
}
OFFERED_IN_TEXAS = [
    "peer_support", "medication_training", "psychosocial_rehabilitation", "skills_training", "crisis_intervention",
]  # fmt: skip


def texts(a):
    return " | ".join(r.text for r in a.reasons)


def by_service(assessments):
    return {(a.note.service, a.note.start_time.hour): a for a in assessments}


def uncertify(author):
    author.staff_profile.certifications.update(expires_on=days_ago(10))


def test_the_reference_data_has_each_code_with_its_source_and_unit_rule():
    codes = {
        (c.service, c.kind): c
        for c in ServiceCode.objects.filter(is_active=True)
        .exclude(service="peer_support")
        .select_related("combined_daily_cap")
    }
    assert {key: (c.hcpcs, c.modifier_list) for key, c in codes.items()} == REHAB
    for code in codes.values():
        assert code.billing_program == "tx_state_plan"
        assert (code.unit_minutes, code.rounding) == (15, ServiceCode.Rounding.WHOLE_UNITS)
        assert "15 continuous minutes, no partial units" in code.source
        assert "15.043-15.046" in code.source and "TMHP notice 2022-01-20" in code.source
        # No peer certification (billing-rules.md): any peer provider may deliver them.
        assert (code.requires_certified_peer, code.certification_types) == (False, [])
        assert "do not need to be certified to provide mental health rehabilitation services" in code.source
        assert "Demo values" in code.source and "the rates" in code.source
        rate = code.rates.get()
        assert (rate.effective_from, rate.effective_to) == (datetime.date(2024, 1, 1), None)
        assert rate.in_force_on(TODAY)
    skills = codes[("skills_training", "individual")]
    assert skills.daily_unit_cap == 16 and "16 units (4 hours) a calendar day" in skills.source
    in_the_8_hours = {key for key, c in codes.items() if c.combined_daily_cap}
    assert in_the_8_hours == set(REHAB) - {("crisis_intervention", "individual")}
    cap = CombinedDailyCap.objects.get()
    assert (cap.billing_program, cap.daily_minutes, cap.hours) == ("tx_state_plan", 480, "8 hours")
    assert "except crisis services" in cap.source
    # The day program has no known code, and none is made up for it.
    assert not ServiceCode.objects.filter(service="day_program").exists()


# Units at each of these minutes, for each unit rule the reference data may hold.
MINUTES = [7, 8, 14, 15, 22, 23, 29, 30]
UNITS = {
    (15, ServiceCode.Rounding.WHOLE_UNITS, None): [0, 0, 0, 1, 1, 1, 1, 2],
    (15, ServiceCode.Rounding.PARTIAL_FROM_N, 8): [0, 1, 1, 1, 1, 2, 2, 2],
}


def test_units_for_every_unit_rule_in_the_reference_data():
    codes = list(ServiceCode.objects.filter(is_active=True))
    assert {c.hcpcs for c in codes} >= {"H0038", "H0034", "H2017", "H2014", "H2011"}
    for code in codes:
        partial = code.partial_unit_minimum if code.rounding == ServiceCode.Rounding.PARTIAL_FROM_N else None
        rule = (code.unit_minutes, code.rounding, partial)
        assert rule in UNITS, f"{code}: a new unit rule needs its expected units in this test"
        assert [code.units_for(m) for m in MINUTES] == UNITS[rule], code


def test_a_skills_training_note_is_billed_with_h2014_and_its_own_rate(identity, payer, author, person):
    note = signed_note(person, author, start="10:00", end="11:00", service="skills_training")
    [a] = assess(billable_notes())
    assert (a.status, a.code.hcpcs, a.units, a.modifiers, a.rate) == (READY, "H2014", 4, ["HE"], Decimal("25.20"))
    batch = services.batch_export(batch=bill(payer, [note]), ctx=AuditContext(author))
    [line] = batch.claims.get().lines.all()
    assert (line.hcpcs, line.units, line.charge, line.service_code.service) == (
        "H2014", 4, Decimal("100.80"), "skills_training",
    )  # fmt: skip
    assert "SV1*HC:H2014:HE*100.8*UN*4***1~" in batch.file_837
    assert_valid(batch.file_837)


def test_skills_training_over_16_units_a_day_is_capped(author, person):
    day = days_ago(3)
    signed_note(person, author, day=day, start="08:00", end="13:00", service="skills_training")  # 20 units
    signed_note(person, author, day=day, start="13:00", end="13:30", service="skills_training")
    signed_note(person, author, day=day, start="14:00", end="15:00")  # peer support: its own caps
    rows = by_service(assess(billable_notes()))
    first, second = rows[("skills_training", 8)], rows[("skills_training", 13)]
    assert (first.status, first.units) == (READY, 16)
    assert "Capped to 16 of 20 units by the daily cap" in first.cap_note
    assert second.status == HOLD and "The daily cap of 16 units for H2014 is already used" in texts(second)
    assert (rows[("peer_support", 14)].status, rows[("peer_support", 14)].units) == (READY, 4)


def test_the_8_hour_rehab_cap_holds_across_h0034_h2017_h2014_but_not_h2011(payer, author, person):
    day = days_ago(3)
    earlier = [
        signed_note(person, author, day=day, start="07:00", end="11:00", service="psychosocial_rehabilitation"),
        signed_note(person, author, day=day, start="11:00", end="14:00", service="medication_training"),
    ]  # 16 + 12 units, billed before the rest: the cap counts what is billed
    bill(payer, earlier)
    signed_note(person, author, day=day, start="14:00", end="16:00", service="skills_training")  # 8 units
    signed_note(person, author, day=day, start="16:00", end="16:30", service="medication_training")
    signed_note(person, author, day=day, start="17:00", end="19:00", service="crisis_intervention")  # 8 units
    signed_note(person, author, day=day, start="19:00", end="19:30")  # peer support
    rows = by_service(assess(billable_notes()))
    skills = rows[("skills_training", 14)]
    assert (skills.status, skills.units) == (READY, 4)  # 28 of 32 units used: 4 left
    assert "by the daily cap of 8 hours for Texas rehabilitative services" in skills.cap_note
    held = rows[("medication_training", 16)]
    assert held.status == HOLD
    assert "The daily cap of 8 hours for Texas rehabilitative services is already used" in texts(held)
    crisis = rows[("crisis_intervention", 17)]
    assert (crisis.status, crisis.units, crisis.code.hcpcs, crisis.cap_note) == (READY, 8, "H2011", "")
    assert rows[("peer_support", 19)].status == READY


@pytest.mark.parametrize(
    ("setup", "service", "phrase"),
    [
        ("deactivated", "psychosocial_rehabilitation",
         "No active service code for psychosocial rehabilitation in individual sessions under TX Medicaid state plan"),
        ("connecticut", "skills_training",
         "No active service code for skills training and development in individual sessions under CT 1915(c)"),
        ("none", "day_program", "No active service code for day program for acute needs in individual sessions"),
    ],
)  # fmt: skip
def test_a_service_without_an_active_code_under_the_covering_program_is_held(author, person, setup, service, phrase):
    if setup == "deactivated":
        ServiceCode.objects.filter(hcpcs="H2017").update(is_active=False)
    if setup == "connecticut":
        person.coverages.update(billing_program="ct_1915c_mhw")
    signed_note(person, author, service=service)
    [a] = assess(billable_notes())
    assert a.status == HOLD and phrase in texts(a), texts(a)
    assert a.reasons[0].fix_url == reverse("admin:billing_servicecode_changelist")


def test_a_group_bills_medication_training_with_its_group_code_but_skills_training_is_held(author, person):
    group = GroupSession.objects.create(
        facilitator=author, topic="Knowing my medicines", date=days_ago(3), start_time=datetime.time(13),
        end_time=datetime.time(14), modality="in_person", place_of_service="53",
    )  # fmt: skip
    signed_note(person, author, group=group, start="13:00", end="14:00", place="53", service="medication_training")
    [a] = assess(billable_notes())
    assert (a.status, a.code.hcpcs, a.modifiers, a.rate) == (READY, "H0034", ["HE", "HQ"], Decimal("5.40"))
    SessionNote.objects.update(service="skills_training")
    [a] = assess(billable_notes())
    assert "No active service code for skills training and development in group sessions" in texts(a)


def test_a_peer_provider_without_certification_bills_rehab_services_but_not_peer_support(
    client, identity, payer, author, person
):
    """Written in the editor, co-signed by the supervisor, billed and exported as the app does."""
    uncertify(author)
    client.force_login(author)
    goal = person.plan.goals.get()
    data = note_data(
        service="skills_training", start_time="09:00", end_time="10:00", goals_addressed=[goal.pk], action="submit",
        attest="1",
    )  # fmt: skip
    response = client.post(reverse("notes:note_new", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()
    skills = SessionNote.objects.get(service="skills_training")
    note_services.note_cosign(note=skills, ctx=AuditContext(author.staff_profile.supervisor))
    peer_support = signed_note(person, author, day=days_ago(2))

    rows = {a.note.pk: a for a in assess(billable_notes())}
    assert (rows[skills.pk].status, rows[skills.pk].code.hcpcs, rows[skills.pk].units) == (READY, "H2014", 4)
    assert rows[peer_support.pk].status == HOLD
    assert f"{author} had no valid peer certification" in texts(rows[peer_support.pk])

    batch = services.batch_export(batch=bill(payer, [skills]), ctx=AuditContext(author))
    assert batch.is_frozen and "SV1*HC:H2014:HE*" in batch.file_837
    assert_valid(batch.file_837)


def _offered(client, person) -> list[str]:
    page = client.get(reverse("notes:note_new", args=[person.pk])).content.decode()
    return [value for value in ("peer_support", *OFFERED_IN_TEXAS[1:], "day_program") if f'value="{value}"' in page]


def test_the_note_form_offers_only_the_services_of_the_participants_program(client, author, program, payer, person):
    client.force_login(author)
    assert _offered(client, person) == OFFERED_IN_TEXAS

    connecticut = billable_participant(author, program, payer, billing_program="ct_1915c_mhw")
    uncovered = billable_participant(author, program, payer)
    uncovered.coverages.update(end_date=days_ago(200))
    assert _offered(client, connecticut) == _offered(client, uncovered) == ["peer_support"]

    # A program admin retires H2014: skills training is no longer offered in Texas either.
    ServiceCode.objects.filter(hcpcs="H2014").update(is_active=False)
    assert "skills_training" not in _offered(client, person)

    # And a forged choice is refused next to the field.
    response = client.post(reverse("notes:note_new", args=[connecticut.pk]), note_data(service="crisis_intervention"))
    assert response.status_code == 400
    assert "Choose one of the services listed" in response.content.decode()
    assert not SessionNote.objects.exists()


def test_the_offer_follows_the_coverage_on_the_sessions_date(client, author, program, payer, person):
    # Covered by Connecticut until last month, by the Texas state plan since.
    person.coverages.update(start_date=days_ago(30))
    CoverageFactory(participant=person, payer=payer, billing_program="ct_1915c_mhw", start_date=days_ago(300),
                    end_date=days_ago(31), member_id="123456789")  # fmt: skip
    client.force_login(author)
    url = reverse("notes:note_new", args=[person.pk])
    then = client.post(url, note_data(date=days_ago(40).isoformat(), service="skills_training"))
    assert then.status_code == 400 and "Choose one of the services listed" in then.content.decode()
    now = client.post(url, note_data(date=days_ago(3).isoformat(), service="skills_training"))
    assert now.status_code == 302 and SessionNote.objects.get().service == "skills_training"


def test_a_draft_keeps_its_service_when_the_coverage_changes(client, author, person):
    client.force_login(author)
    client.post(reverse("notes:note_new", args=[person.pk]), note_data(service="crisis_intervention"))
    note = SessionNote.objects.get()
    person.coverages.update(billing_program="ct_1915c_mhw")
    page = client.get(reverse("notes:note_edit", args=[note.pk])).content.decode()
    assert 'value="crisis_intervention" selected' in page and 'value="skills_training"' not in page
    response = client.post(
        reverse("notes:note_edit", args=[note.pk]), note_data(service="crisis_intervention", version=note.version)
    )
    assert response.status_code == 302
