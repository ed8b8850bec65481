"""Who gets what at every URL: one row per URL name, one column per person.

Every URL name in the URLconf has a row (a test walks it, so a new page cannot ship without
one). Each row says which object the URL is tried with -- always one in the scope of the
demo's peer Pat Nguyen (peer@) and her supervisor Sam Okafor (supervisor@) -- and the answer
expected for:

    anon   nobody signed in
    peer   the peer whose caseload holds the object
    peer2  another peer, same supervisor, other caseload
    sup    the peer's supervisor
    sup2   another supervisor, other team
    bill   billing staff
    admin  a program admin

Answers: `in` (redirect to sign in), a status code (200, 302 after a POST that did its
work or redirected, 400, 403, 404, 405 for a GET on a POST-only view). A POST row sends an
empty form, so it proves the access check, not the action. Each request runs in a savepoint
that is rolled back, so rows do not change each other's data.

Every 200 is also read for leaks: no participant outside the person's scope is named in it
(lists, search, autocompletes, htmx fragments, downloads), and no note narrative reaches
anyone outside the participant's care, billing staff included (minimum necessary,
45 CFR 164.502(b); 42 CFR Part 2 for substance-use records).
"""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from audit.tests.rolled_back import shared_until_rolled_back

from .access_cast import ACTORS, Cast, build_cast

# Not ours to tabulate, with the reason:
# - django-admin/: Django's admin decides access by model permissions (has_permission in
#   peersupport/urls.py lets in staff and program admins only); its own tests cover it.
# - accounts/: allauth's sign-in, password and MFA pages, the same for every signed-in person
#   and holding no record of anyone else (accounts/tests cover them).
PREFIX_RULES = ("django-admin/", "accounts/")

# fmt: off
MATRIX = """
url_name                             object          method anon  peer  peer2 sup   sup2  bill  admin
home                                 -               GET    in    302   302   302   302   302   302
home_peer                            -               GET    in    200   200   403   403   403   403
home_supervisor                      -               GET    in    403   403   200   200   403   403
home_billing                         -               GET    in    403   403   403   403   200   403
home_admin                           -               GET    in    403   403   403   403   403   200
failed_sign_ins                      -               GET    in    403   403   403   403   403   200
health                               -               GET    200   200   200   200   200   200   200
audit_log                            -               GET    in    403   403   403   403   403   200
audit_log_csv                        -               GET    in    403   403   403   403   403   200
participant_disclosures              participant     GET    in    403   403   403   403   403   200
my_caseload                          -               GET    in    200   200   403   403   403   403
team_caseloads                       -               GET    in    403   403   200   200   403   403
team_participants                    -               GET    in    403   403   200   200   403   403
specialist_caseload                  specialist      GET    in    403   403   200   404   403   200
workforce                            -               GET    in    403   403   200   200   403   200
group_new                            -               GET    in    200   200   403   403   403   403
group_attendee_search                search_q        GET    in    200   200   403   403   403   403
group_attendee_rows                  attendee_ids    GET    in    200   200   403   403   403   403
favicon.ico                          -               GET    301   301   301   301   301   301   301
manifest                             -               GET    200   200   200   200   200   200   200
service_worker                       -               GET    200   200   200   200   200   200   200
offline_page                         -               GET    200   200   200   200   200   200   200
offline_outbox                       -               GET    in    200   200   200   200   200   200
offline_whoami                       -               GET    200   200   200   200   200   200   200
accounts:invitation_list             -               GET    in    403   403   403   403   403   200
accounts:invitation_resend           invitation      POST   in    403   403   403   403   403   302
accounts:invitation_revoke           invitation      POST   in    403   403   403   403   403   302
accounts:invitation_accept           token           GET    404   404   404   404   404   404   404
programs:program_list                -               GET    in    403   403   403   403   403   200
programs:program_create              -               GET    in    403   403   403   403   403   200
programs:program_edit                program         GET    in    403   403   403   403   403   200
programs:program_set_active          program         POST   in    403   403   403   403   403   302
programs:my_profile                  -               GET    in    302   302   302   302   302   302
programs:staff_invite                -               GET    in    403   403   403   403   403   200
programs:profile_create              -               GET    in    403   403   403   403   403   200
programs:profile_detail              profile         GET    in    200   404   200   404   404   200
programs:profile_edit                profile         GET    in    403   403   403   403   403   200
programs:profile_set_active          profile         POST   in    403   403   403   403   403   302
programs:profile_two_factor_reset    profile         POST   in    403   403   403   403   403   302
programs:certification_create        staff_of        GET    in    403   403   403   403   403   200
programs:certification_edit          certification   GET    in    403   403   403   403   403   200
programs:certification_upload        certification   GET    in    200   404   403   404   404   200
programs:certification_scan          certification   GET    in    404   404   404   404   404   404
programs:training_create             staff_of        GET    in    200   404   200   404   404   200
programs:supervision_create          staff_of        GET    in    403   403   200   404   403   403
participants:search                  search_q        GET    in    200   200   200   200   200   200
participants:intake                  -               GET    in    200   200   200   200   403   200
participants:detail                  participant     GET    in    200   404   200   404   200   200
participants:edit                    participant     GET    in    200   404   200   404   403   200
participants:enrollment_create       participant     GET    in    200   404   200   404   403   200
participants:enrollment_discharge    enrollment      GET    in    200   404   200   404   403   200
participants:coverage_create         participant     GET    in    200   404   200   404   200   200
participants:coverage_edit           coverage        GET    in    200   404   200   404   200   200
participants:consent_create          participant     GET    in    200   404   200   404   403   200
participants:consent_revoke          consent         POST   in    200   404   200   404   403   200
participants:assign                  participant     GET    in    403   403   200   404   403   200
participants:plan_edit               participant     GET    in    200   404   200   404   403   200
participants:goal_create             participant     GET    in    200   404   200   404   403   200
participants:goal_status             goal            POST   in    302   404   302   404   403   302
participants:plan_sign               plan_signer     GET    in    200   404   403   404   403   403
participants:plan_review             participant     GET    in    200   404   200   404   403   200
participants:transfer                specialist      GET    in    403   403   200   404   403   200
notes:note_new                       participant     GET    in    200   404   403   403   403   403
notes:note_autosave                  participant     POST   in    200   404   403   403   403   403
notes:my_notes                       -               GET    in    200   200   403   403   403   403
notes:note_queue                     -               GET    in    403   403   200   200   403   403
notes:note_detail                    note            GET    in    200   404   200   404   200   200
notes:note_edit                      draft           GET    in    200   404   403   403   403   403
notes:note_review                    note            POST   in    403   403   403   404   403   403
notes:note_addendum                  note            POST   in    302   404   302   404   403   403
notes:note_discard                   draft           POST   in    302   404   403   403   403   403
billing:work                         -               GET    in    403   403   403   403   200   200
billing:batch_list                   -               GET    in    403   403   403   403   200   200
billing:batch_create                 -               POST   in    403   403   403   403   302   302
billing:batch_detail                 batch           GET    in    403   403   403   403   200   200
billing:batch_export                 batch           POST   in    403   403   403   403   302   302
billing:batch_download               batch_file      GET    in    403   403   403   403   200   200
billing:batch_discard                batch           POST   in    403   403   403   403   302   302
billing:batch_withdraw               batch           POST   in    403   403   403   403   302   302
billing:line_remove                  line            POST   in    403   403   403   403   302   302
billing:claim_detail                 claim           GET    in    403   403   403   403   200   200
billing:claim_correct                claim           POST   in    403   403   403   403   302   302
billing:authorization_list           -               GET    in    403   403   403   403   200   200
billing:authorization_create         -               GET    in    403   403   403   403   200   200
billing:authorization_edit           authorization   GET    in    403   403   403   403   200   200
billing:claim_payer_number           claim           POST   in    403   403   403   403   302   302
billing:duplicate_decide             billing_note    POST   in    403   403   403   403   302   302
billing:denial_list                  -               GET    in    403   403   403   403   200   200
billing:denial_correct               line            POST   in    403   403   403   403   302   302
billing:denial_appeal                line            POST   in    403   403   403   403   302   302
billing:denial_write_off             line            POST   in    403   403   403   403   302   302
billing:receivable_list              -               GET    in    403   403   403   403   200   200
billing:receivable_download          csv             GET    in    403   403   403   403   200   200
billing:remittance_list              -               GET    in    403   403   403   403   200   200
billing:remittance_import            -               GET    in    403   403   403   403   200   200
billing:remittance_detail            remittance      GET    in    403   403   403   403   200   200
billing:remittance_post              remittance      POST   in    403   403   403   403   302   302
billing:remittance_dismiss           remittance      POST   in    403   403   403   403   302   302
billing:unmatched_list               -               GET    in    403   403   403   403   200   200
billing:unmatched_resolve            remittance_line POST   in    403   403   403   403   302   302
billing:unmatched_dismiss            remittance_line POST   in    403   403   403   403   302   302
billing:eligibility                  -               GET    in    403   403   403   403   200   200
billing:eligibility_inquiry_new      -               GET    in    403   403   403   403   200   200
billing:eligibility_inquiry_create   -               POST   in    403   403   403   403   302   302
billing:eligibility_inquiry_detail   inquiry         GET    in    403   403   403   403   200   200
billing:eligibility_inquiry_download inquiry         GET    in    403   403   403   403   200   200
billing:eligibility_response_import  -               GET    in    403   403   403   403   200   200
billing:eligibility_response_detail  response        GET    in    403   403   403   403   200   200
billing:eligibility_inactive         -               GET    in    403   403   403   403   200   200
billing:acknowledgment_list          -               GET    in    403   403   403   403   200   200
billing:acknowledgment_import        -               GET    in    403   403   403   403   200   200
billing:claim_resend                 claim           POST   in    403   403   403   403   302   302
billing:primary_list                 -               GET    in    403   403   403   403   200   200
billing:primary_record               billing_note    GET    in    403   403   403   403   200   200
billing:primary_from_835             billing_note    POST   in    403   403   403   403   302   302
outcomes:assessment_new              participant     GET    in    200   404   200   404   403   200
outcomes:assessment_detail           assessment      GET    in    200   404   200   404   403   200
outcomes:assessment_amend            assessment      GET    in    200   404   200   404   403   200
outcomes:check_in_new                participant     GET    in    200   404   200   404   403   200
outcomes:check_in_detail             check_in        GET    in    200   404   200   404   403   200
outcomes:check_in_amend              check_in        GET    in    200   404   200   404   403   200
outcomes:flag_follow_up              safety_flag     GET    in    403   404   200   404   403   200
outcomes:dashboard                   -               GET    in    403   403   200   200   403   200
outcomes:dashboard_refresh           -               POST   in    403   403   302   302   403   302
outcomes:dashboard_csv               -               GET    in    403   403   200   200   403   200
outcomes:dashboard_xlsx              -               GET    in    403   403   200   200   403   200
outcomes:program_settings            program         GET    in    403   403   403   403   403   200
reports:report_list                  -               GET    in    403   403   200   200   403   200
reports:report_detail                report          GET    in    403   403   200   200   403   200
reports:report_status                report          GET    in    403   403   200   200   403   200
reports:report_generate              -               POST   in    403   403   403   403   403   400
reports:report_run                   -               POST   in    403   403   400   400   403   400
reports:report_regenerate            report          POST   in    403   403   403   403   403   302
reports:report_download              report_file     GET    in    403   403   200   200   403   200
"""
# fmt: on


@dataclass(frozen=True)
class Row:
    name: str
    obj: str
    method: str
    expected: dict[str, str]


def parse(table: str) -> dict[str, Row]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, body = lines[0], lines[1:]
    assert header[:3] == ["url_name", "object", "method"] and header[3:] == list(ACTORS), header
    rows = {}
    for name, obj, method, *answers in body:
        assert name not in rows, f"{name} has two rows"
        assert len(answers) == len(ACTORS), f"{name}: {len(answers)} answers for {len(ACTORS)} people"
        rows[name] = Row(name, obj, method, dict(zip(ACTORS, answers, strict=True)))
    return rows


ROWS = parse(MATRIX)


def url_names(resolver=None, prefix="", namespace=None):
    """Every URL pattern as (route, name); unnamed patterns are named by their route."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace)))
            yield from url_names(pattern, route, inner or None)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield route, name or route


def test_every_url_name_has_a_row_in_the_matrix():
    ours = {name for route, name in url_names() if not route.startswith(PREFIX_RULES)}
    assert not ours - set(ROWS), f"URL names with no row in MATRIX (add one): {sorted(ours - set(ROWS))}"
    assert not set(ROWS) - ours, f"rows for URL names that no longer exist: {sorted(set(ROWS) - ours)}"


@pytest.fixture(scope="module")
def cast(demo_agency, django_db_blocker):
    """The people and objects, taken from the shared demo agency (conftest.demo_agency); what
    they add is rolled back after the module."""
    with shared_until_rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            made = build_cast()
        yield made


def answer(response) -> str:
    if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
        return "in"
    return str(response.status_code)


def request(cast: Cast, actor: str, row: Row):
    client = Client()
    if actor != "anon":
        client.force_login(cast.users[actor])
    path, query = cast.target(row.name, row.obj)
    with transaction.atomic():
        response = client.post(path, {}) if row.method == "POST" else client.get(path, query)
        body = b"".join(response) if response.streaming else response.content
        transaction.set_rollback(True)
    return response, body.decode("utf-8", "replace")


@pytest.mark.django_db
def test_each_person_gets_the_expected_answer_and_no_leak_at_every_url(cast):
    wrong, leaks = [], []
    for row in ROWS.values():
        for actor, expected in row.expected.items():
            response, body = request(cast, actor, row)
            got = answer(response)
            if got != expected:
                wrong.append(f"{row.name:40} {actor:6} expected {expected}, got {got}")
            if got == "200":
                leaks += [f"{row.name} shows {actor} {leak}" for leak in cast.leaks(actor, row.name, body)]
    assert not wrong + leaks, "answers differ from MATRIX:\n" + "\n".join(wrong) + "\nleaks:\n" + "\n".join(leaks)


def test_the_matrix_url_builder_knows_every_object():
    for row in ROWS.values():
        assert row.obj in Cast.OBJECTS, f"{row.name}: no object called {row.obj!r}"
