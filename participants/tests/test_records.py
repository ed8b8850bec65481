"""Intake, coverage, consents, enrollment and discharge: the rules and their messages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from participants.models import CaseloadAssignment, Consent, Coverage, Enrollment, Participant
from participants.selectors import current_disclosures
from programs.models import BillingProgram

from .factories import PayerFactory, days_ago

TODAY = timezone.localdate()
ELSEWHERE = "This person may already have a record. A supervisor must check before a new one is created."


def intake_data(program, specialist, **overrides):
    data = {
        "p-first_name": "Lena",
        "p-last_name": "Okafor",
        "p-date_of_birth": "1990-02-03",
        "p-sex_for_claims": "F",
        "p-preferred_language": "English",
        "p-zip_code": "787410000",
        "p-primary_diagnosis": "f33.2",
        "p-other_diagnoses": "f10.20, F41.1",
        "e-program": program.pk,
        "e-start_date": TODAY.isoformat(),
        "i-specialist": specialist.pk,
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_a_peer_does_an_intake_and_the_participant_joins_their_caseload(client, peer, team, program):
    client.force_login(peer)
    payer = PayerFactory()
    data = intake_data(
        program,
        peer,
        **{
            "c-payer": payer.pk,
            "c-billing_program": BillingProgram.TX_1915I_AMH,
            "c-member_id": "987654321",
            "c-start_date": "2026-01-01",
        },
    )
    response = client.post(reverse("participants:intake"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Participant.objects.get(last_name="Okafor")
    assert person.primary_diagnosis == "F33.2" and person.other_diagnoses == "F10.20, F41.1"
    assert person.zip_code == "78741-0000"
    assert person.enrollments.get().program == program
    assert person.assignments.get(ended_on__isnull=True).specialist == peer
    assert person.coverages.get().member_id == "987654321"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_id=str(person.pk)).exists()
    assert "Okafor" in client.get(reverse("my_caseload")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "p-date_of_birth",
            (TODAY + datetime.timedelta(days=1)).isoformat(),
            "A date of birth can&#x27;t be in the future.",
        ),
        ("p-primary_diagnosis", "F3", "is not an ICD-10-CM code"),
        ("p-other_diagnoses", "F33.2, banana", "is not an ICD-10-CM code"),
        ("p-zip_code", "7874", "A ZIP code is 5 digits"),
        ("c-member_id", "12AB", "A Texas Medicaid ID is 9 digits."),
        (
            "e-start_date",
            (TODAY + datetime.timedelta(days=2)).isoformat(),
            "An enrollment start can&#x27;t be in the future.",
        ),
    ],
)
def test_bad_intake_input_is_explained_and_nothing_is_saved(client, peer, team, program, field, value, message):
    client.force_login(peer)
    payer = PayerFactory()
    coverage = {
        "c-payer": payer.pk,
        "c-billing_program": "tx_1915i_amh",
        "c-member_id": "987654321",
        "c-start_date": "2026-01-01",
    }
    response = client.post(reverse("participants:intake"), intake_data(program, peer, **{**coverage, field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Participant.objects.exists() and not Coverage.objects.exists() and not Enrollment.objects.exists()


@pytest.mark.django_db
def test_possible_duplicates_are_shown_before_saving(client, peer, team, program, participant):
    client.force_login(peer)
    data = intake_data(
        program, peer, **{"p-first_name": "Rosa", "p-last_name": "Quintero", "p-date_of_birth": "1980-05-17"}
    )
    response = client.post(reverse("participants:intake"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Possible duplicates" in body and reverse("participants:detail", args=[participant.pk]) in body
    assert ELSEWHERE not in body
    assert AuditEvent.objects.get(details__via="intake duplicate check").details["outside_scope"] is False
    assert Participant.objects.count() == 1

    response = client.post(reverse("participants:intake"), {**data, "i-not_a_duplicate": "on"})
    assert response.status_code == 302
    assert Participant.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "probe",
    [
        {"p-first_name": "Rosalind", "p-last_name": "Quintana", "p-date_of_birth": "1980-05-17"},
        {"c-billing_program": "tx_1915i_amh", "c-member_id": "123456789", "c-start_date": "2026-01-01"},
    ],
    ids=["name-and-birth-date", "medicaid-id"],
)
def test_a_match_outside_the_users_scope_is_only_said_to_need_a_supervisor(client, team, program, participant, probe):
    """42 CFR 2.13(c): the answer must not acknowledge that a person is a participant here."""
    other = team["other_peer"]
    client.force_login(other)
    if "c-member_id" in probe:
        probe = {**probe, "c-payer": PayerFactory().pk}
    response = client.post(reverse("participants:intake"), intake_data(program, other, **probe))
    body = response.content.decode()
    assert response.status_code == 400 and ELSEWHERE in body
    for revealing in (
        "Quintero",
        "Rosa ",
        "May 17, 1980",
        "another caseload",
        reverse("participants:detail", args=[participant.pk]),
    ):
        assert revealing not in body
    assert Participant.objects.count() == 1


@pytest.mark.django_db
def test_every_duplicate_probe_is_in_the_audit_log_without_what_was_typed(client, team, program, participant):
    """45 CFR 164.312(b): each match the check touched, who asked, and which fields were compared."""
    other = team["other_peer"]
    client.force_login(other)
    data = intake_data(
        program, other, **{"p-first_name": "Rosalind", "p-last_name": "Quintana", "p-date_of_birth": "1980-05-17"}
    )
    client.post(reverse("participants:intake"), data)
    client.post(reverse("participants:intake"), data)
    probes = AuditEvent.objects.filter(details__via="intake duplicate check")
    assert probes.count() == 2
    row = probes.first()
    assert (row.actor, row.action, row.target_type, row.target_id) == (
        other,
        AuditEvent.Action.VIEW,
        "participants.participant",
        str(participant.pk),
    )
    assert row.details == {
        "via": "intake duplicate check",
        "compared": ["first_name", "last_name", "date_of_birth"],
        "outside_scope": True,
    }
    assert "Quintana" not in str(row.details) and "Rosalind" not in str(row.details)


@pytest.mark.django_db
def test_an_intake_with_no_match_writes_no_probe(client, peer, team, program, participant):
    client.force_login(peer)
    assert client.post(reverse("participants:intake"), intake_data(program, peer)).status_code == 302
    assert not AuditEvent.objects.filter(details__via="intake duplicate check").exists()


@pytest.mark.django_db
def test_same_medicaid_id_is_a_possible_duplicate(client, peer, team, program, participant):
    client.force_login(peer)
    payer = PayerFactory()
    data = intake_data(
        program,
        peer,
        **{
            "c-payer": payer.pk,
            "c-billing_program": "tx_1915i_amh",
            "c-member_id": "123456789",
            "c-start_date": "2026-01-01",
        },
    )
    assert "Possible duplicates" in client.post(reverse("participants:intake"), data).content.decode()


@pytest.mark.django_db
def test_overlapping_coverage_for_the_same_billing_program_is_refused(client, peer, participant):
    client.force_login(peer)
    url = reverse("participants:coverage_create", args=[participant.pk])
    payer = PayerFactory()
    data = {
        "payer": payer.pk,
        "kind": "medicaid",
        "rank": "1",
        "billing_program": "tx_1915i_amh",
        "member_id": "123456789",
        "start_date": days_ago(10).isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "overlap another TX 1915(i) HCBS Adult Mental Health coverage" in response.content.decode()

    response = client.post(url, {**data, "billing_program": "ct_1915c_mhw"})
    assert response.status_code == 302  # another billing program may overlap

    existing = participant.coverages.get(billing_program="tx_1915i_amh")
    client.post(reverse("participants:coverage_edit", args=[participant.pk, existing.pk]), {
        "payer": payer.pk, "kind": "medicaid", "rank": "1", "billing_program": "tx_1915i_amh",
        "member_id": "123456789", "start_date": existing.start_date.isoformat(), "end_date": days_ago(11).isoformat(),
    })  # fmt: skip
    assert client.post(url, data).status_code == 302  # after the earlier one ends, a new one may start
    response = client.post(url, {**data, "start_date": days_ago(5).isoformat(), "end_date": days_ago(6).isoformat()})
    assert "The end date can&#x27;t be before the start date." in response.content.decode()
    assert participant.coverages.count() == 3


@pytest.mark.django_db
def test_current_disclosures_follow_signature_expiry_and_revocation(peer, participant):
    payer = PayerFactory()
    consent = Consent.objects.create(
        participant=participant,
        kind=Consent.Kind.PART2_DISCLOSURE,
        disclosing_party="Agency",
        recipient="Texas Medicaid",
        recipient_payer=payer,
        purpose="Payment",
        information="Services",
        signed_on=days_ago(10),
        expires_on=TODAY,
    )
    assert current_disclosures(participant, TODAY) == [consent]
    assert current_disclosures(participant, TODAY + datetime.timedelta(days=1)) == []  # the day after expiry
    assert current_disclosures(participant, days_ago(11)) == []  # before it was signed
    consent.revoked_on = TODAY
    consent.save()
    assert current_disclosures(participant, TODAY) == []


@pytest.mark.django_db
def test_a_part2_consent_needs_every_element(client, peer, participant):
    client.force_login(peer)
    url = reverse("participants:consent_create", args=[participant.pk])
    response = client.post(url, {"kind": "part2_disclosure", "signed_on": TODAY.isoformat()})
    body = response.content.decode()
    assert response.status_code == 400
    for text in ("must name who may disclose", "must name the recipient", "needs an expiry date or an expiry event"):
        assert text in body
    assert not participant.consents.exists()


@pytest.mark.django_db
def test_discharge_keeps_the_record_and_leaves_the_caseload(client, peer, participant):
    client.force_login(peer)
    enrollment = participant.enrollments.get()
    url = reverse("participants:enrollment_discharge", args=[participant.pk, enrollment.pk])
    response = client.post(url, {"end_date": days_ago(30).isoformat(), "discharge_reason": "moved"})
    assert "can&#x27;t be before the enrollment start" in response.content.decode()
    assert client.post(url, {"end_date": TODAY.isoformat(), "discharge_reason": "goals_met"}).status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.end_date, enrollment.discharge_reason) == (TODAY, "goals_met")
    assert "Quintero" not in client.get(reverse("my_caseload")).content.decode()
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 200
    assert CaseloadAssignment.objects.filter(participant=participant).exists()


@pytest.mark.django_db
def test_enrolling_twice_in_the_same_program_is_refused(client, peer, participant, program):
    client.force_login(peer)
    response = client.post(
        reverse("participants:enrollment_create", args=[participant.pk]),
        {"program": program.pk, "start_date": TODAY.isoformat()},
    )
    assert response.status_code == 400 and "Already enrolled" in response.content.decode()


@pytest.mark.django_db
def test_an_intake_can_be_run_from_a_command_without_a_request(admin_user, peer, team, program):
    from audit.context import AuditContext
    from participants import services

    person = services.participant_intake(
        participant=Participant(
            agency=program.agency, first_name="Ines", last_name="Moreau", date_of_birth=datetime.date(1975, 1, 9),
            sex_for_claims="F", primary_diagnosis="F33.2",
        ),
        enrollment=Enrollment(program=program, start_date=TODAY),
        specialist=peer,
        coverage=None,
        ctx=AuditContext.for_command(admin_user, "import_participants"),
    )  # fmt: skip
    assert person.created_by == admin_user
    assignment = person.assignments.get()
    assert (assignment.specialist, assignment.assigned_by) == (peer, admin_user)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, target_id=str(person.pk))
    assert (event.actor, event.ip_address, event.user_agent) == (admin_user, None, "manage.py import_participants")


@pytest.mark.django_db
def test_coverage_records_its_kind_and_rank_and_the_page_shows_them(client, peer, participant):
    client.force_login(peer)
    url = reverse("participants:coverage_create", args=[participant.pk])
    form = client.get(url).content.decode()
    assert 'name="kind"' in form and 'name="rank"' in form
    data = {
        "payer": PayerFactory(name="Blue Plan").pk, "kind": "other_insurance", "rank": "1",
        "billing_program": "tx_1915i_amh", "member_id": "XK-2231", "start_date": days_ago(10).isoformat(),
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400 and "Other insurance is not a Medicaid program: choose Other." in (
        response.content.decode()
    )
    assert client.post(url, {**data, "billing_program": "other"}).status_code == 302
    coverage = participant.coverages.get(member_id="XK-2231")
    assert (coverage.kind, coverage.rank) == (Coverage.Kind.OTHER_INSURANCE, Coverage.Rank.PRIMARY)
    page = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()
    assert "Primary · Other insurance" in page and "Primary · Medicaid" in page
