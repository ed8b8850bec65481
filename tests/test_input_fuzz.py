"""No input answers 500, and nothing out of bounds is stored: Hypothesis sends generated
values (empty, huge, unicode and right-to-left text, control characters with NUL, SQL and HTML
fragments, wrong types, far dates) to every form and filter of the app.

The forms are found, not listed: each page in PAGES is opened as the role that uses it, with
objects of the demo agency (`seed_demo`), and every form on it is read from the HTML (its
fields and their current values) and sent back with some fields replaced. A filter page gets
its GET form's fields and the usual list parameters. `test_every_url_has_a_row` walks the
URL configuration, so a new page can't ship without input being tried on it."""

import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db.models import DateField, Q, TextField
from django.db.models.functions import Length
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.inputs import EARLIEST_DATE, latest_date, plausible_date

# --- what is sent -------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "שלום",
    "👩🏽‍⚕️🏳️‍🌈",
    "\x01\x07\x1b[31m\r\n\t",
    "'; DROP TABLE participants_participant; --",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2026-02-30",
    "-1",
    "0",
    "²",
    "١٢",
    "99999999999999999999",
    "1e308",
    "NaN",
    "-0.00001",
    "12:99",
    "25:00",
    "2026-13",
    "true",
    "null",
    "[]",
    "%00",
    "../../etc/passwd",
]
VALUE = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))


# --- where it is sent ---------------------------------------------------------------------


def _first(model: str, **lookups):
    found = apps.get_model(model).objects.filter(**lookups).order_by("pk").first()
    assert found is not None, f"the demo has no {model} with {lookups}"
    return found.pk


def _peer_participant():
    return _first(
        "participants.Participant",
        assignments__specialist__email="peer@example.org",
        assignments__ended_on__isnull=True,
        plan__isnull=False,
    )


def _with(model: str, **lookups) -> dict:
    """The peer's participant and one of their records (a coverage, consent, enrollment)."""
    pk = _peer_participant()
    related = model.rsplit(".", 1)[1].lower()
    return {"pk": pk, f"{related}_pk": _first(model, participant_id=pk, **lookups)}


def _note(**lookups):
    return _first("notes.SessionNote", author__email="peer@example.org", **lookups)


ADMIN, SUPERVISOR, PEER, BILLING = "admin", "supervisor", "peer", "billing"
# The admin's staff pages work on the second peer: a deactivation there must not sign out the first.
PEER2 = "peer2@example.org"
EMAILS = {ADMIN: "admin@example.org", SUPERVISOR: "supervisor@example.org", PEER: "peer@example.org",
          BILLING: "billing@example.org"}  # fmt: skip

# url name -> (role, kwargs). Each page is opened, fuzzed with query parameters, and each of
# its forms is sent back with generated values.
PAGES = {
    "home_peer": (PEER, dict),
    "home_supervisor": (SUPERVISOR, dict),
    "home_billing": (BILLING, dict),
    "home_admin": (ADMIN, dict),
    "failed_sign_ins": (ADMIN, dict),
    "audit_log": (ADMIN, dict),
    "participant_disclosures": (ADMIN, lambda: {"pk": _peer_participant()}),
    "my_caseload": (PEER, dict),
    "team_caseloads": (SUPERVISOR, dict),
    "team_participants": (SUPERVISOR, dict),
    "specialist_caseload": (SUPERVISOR, lambda: {"specialist_pk": _first("accounts.User", email="peer@example.org")}),
    "workforce": (ADMIN, dict),
    "group_new": (PEER, dict),
    "group_attendee_search": (PEER, dict),
    "group_attendee_rows": (PEER, lambda: {"?id": _peer_participant()}),
    "accounts:invitation_list": (ADMIN, dict),
    "programs:program_list": (ADMIN, dict),
    "programs:program_create": (ADMIN, dict),
    "programs:program_edit": (ADMIN, lambda: {"pk": _first("programs.Program")}),
    "programs:staff_invite": (ADMIN, dict),
    "programs:profile_create": (ADMIN, dict),
    "programs:profile_detail": (ADMIN, lambda: {"pk": _first("programs.StaffProfile", user__email=PEER2)}),
    "programs:profile_edit": (ADMIN, lambda: {"pk": _first("programs.StaffProfile", user__email=PEER2)}),
    "programs:certification_create": (
        ADMIN,
        lambda: {"profile_pk": _first("programs.StaffProfile", user__email=PEER2)},
    ),
    "programs:certification_edit": (
        ADMIN,
        lambda: {"pk": _first("programs.Certification", profile__user__email=PEER2)},
    ),
    "programs:certification_upload": (
        ADMIN,
        lambda: {"pk": _first("programs.Certification", profile__user__email=PEER2)},
    ),
    "programs:training_create": (ADMIN, lambda: {"profile_pk": _first("programs.StaffProfile", user__email=PEER2)}),
    "programs:supervision_create": (
        SUPERVISOR,
        lambda: {"profile_pk": _first("programs.StaffProfile", user__email="peer@example.org")},
    ),
    "participants:search": (PEER, dict),
    "participants:intake": (PEER, dict),
    "participants:detail": (PEER, lambda: {"pk": _peer_participant()}),
    "participants:edit": (PEER, lambda: {"pk": _peer_participant()}),
    "participants:enrollment_create": (PEER, lambda: {"pk": _peer_participant()}),
    "participants:coverage_create": (PEER, lambda: {"pk": _peer_participant()}),
    "participants:consent_create": (PEER, lambda: {"pk": _peer_participant()}),
    "participants:assign": (SUPERVISOR, lambda: {"pk": _peer_participant()}),
    "participants:plan_edit": (PEER, lambda: {"pk": _peer_participant()}),
    "participants:goal_create": (PEER, lambda: {"pk": _peer_participant()}),
    "participants:plan_review": (PEER, lambda: {"pk": _peer_participant()}),
    "participants:plan_sign": (PEER, lambda: {"pk": _peer_participant(), "signer": "participant"}),
    "participants:coverage_edit": (PEER, lambda: _with("participants.Coverage")),
    "participants:consent_revoke": (PEER, lambda: _with("participants.Consent", revoked_on=None)),
    "participants:enrollment_discharge": (PEER, lambda: _with("participants.Enrollment", end_date=None)),
    "participants:transfer": (SUPERVISOR, lambda: {"specialist_pk": _first("accounts.User", email="peer@example.org")}),
    "notes:note_new": (PEER, lambda: {"pk": _peer_participant()}),
    "notes:my_notes": (PEER, dict),
    "notes:note_queue": (SUPERVISOR, dict),
    "notes:note_detail": (SUPERVISOR, lambda: {"note_pk": _note(status="submitted")}),
    "notes:note_detail#signed": (PEER, lambda: {"note_pk": _note(status="cosigned")}),
    "notes:note_edit": (PEER, lambda: {"note_pk": _note(status="draft")}),
    "billing:work": (BILLING, dict),
    "billing:batch_list": (BILLING, dict),
    "billing:batch_detail": (BILLING, lambda: {"pk": _first("billing.ClaimBatch")}),
    "billing:claim_detail": (BILLING, lambda: {"pk": _first("billing.Claim")}),
    "billing:authorization_list": (BILLING, dict),
    "billing:authorization_create": (BILLING, dict),
    "billing:authorization_edit": (BILLING, lambda: {"pk": _first("billing.Authorization")}),
    "billing:denial_list": (BILLING, dict),
    "billing:receivable_list": (BILLING, dict),
    "billing:remittance_list": (BILLING, dict),
    "billing:remittance_import": (BILLING, dict),
    "billing:remittance_detail": (BILLING, lambda: {"pk": _first("billing.Remittance")}),
    "billing:unmatched_list": (BILLING, dict),
    "billing:eligibility": (BILLING, dict),
    "billing:eligibility_inquiry_new": (BILLING, dict),
    "billing:eligibility_response_import": (BILLING, dict),
    "billing:eligibility_inactive": (BILLING, dict),
    "billing:acknowledgment_list": (BILLING, dict),
    "billing:acknowledgment_import": (BILLING, dict),
    "billing:primary_list": (BILLING, dict),
    "outcomes:assessment_new": (PEER, lambda: {"pk": _peer_participant()}),
    "outcomes:check_in_new": (PEER, lambda: {"pk": _peer_participant()}),
    "outcomes:dashboard": (ADMIN, dict),
    "outcomes:program_settings": (ADMIN, lambda: {"pk": _first("programs.Program")}),
    "reports:report_list": (ADMIN, dict),
}

# Reached only as the action of a form on one of the pages above (POST only), or with no
# input of their own: the reason is given.
REACHED_BY_FORMS = {
    "accounts:invitation_resend", "accounts:invitation_revoke", "programs:program_set_active",
    "programs:profile_set_active", "participants:goal_status",
    "notes:note_review", "notes:note_addendum", "notes:note_discard", "billing:batch_create",
    "billing:eligibility_inquiry_create", "reports:report_generate", "reports:report_run",
    "outcomes:dashboard_refresh",  # the dashboard's Refresh: the dashboard's filters, fuzzed there
}  # fmt: skip
# Posted by a page's script rather than a form action: the page's main form's fields go there.
POSTED_BY_SCRIPT = {"notes:note_new": "notes:note_autosave"}
NO_INPUT = {
    "home": "redirects to the role's home page",
    "health": "a probe, no parameters",
    "audit_log_csv": "audit_log's filters as a download; bad ones tried in peersupport/tests/test_audit_page.py",
    "programs:my_profile": "redirects to the profile page",
    "manifest": "static JSON",
    "service_worker": "static script",
    "offline_page": "static page",
    "offline_outbox": "static page; the outbox lives in the browser",
    "offline_whoami": "no parameters",
    "account_logout": "allauth's sign-out",
    "accounts:invitation_accept": "a token in the path; tried by the sign-in tests",
    "programs:certification_scan": "a download",
    "programs:profile_two_factor_reset": "a button, no fields, shown only for a colleague with two-factor on",
    "billing:batch_export": "a button, no fields",
    "billing:batch_download": "a download",
    "billing:batch_discard": "a button, no fields",
    "billing:batch_withdraw": "a button, no fields, on a batch whose 837P pyx12 rejected only",
    "billing:line_remove": "a button, no fields",
    "billing:claim_correct": "on an exported claim only; CorrectionForm choices",
    "billing:claim_payer_number": "on a paid claim only",
    "billing:duplicate_decide": "on a possible duplicate only",
    "billing:denial_correct": "on a denied line only",
    "billing:denial_appeal": "on a denied line only",
    "billing:denial_write_off": "on a denied line only",
    "billing:receivable_download": "a download",
    "billing:remittance_post": "a button, no fields",
    "billing:remittance_dismiss": "a button, no fields",
    "billing:unmatched_resolve": "on an unmatched line only",
    "billing:unmatched_dismiss": "a button, no fields",
    "billing:eligibility_inquiry_detail": "no form",
    "billing:eligibility_inquiry_download": "a download",
    "billing:eligibility_response_detail": "no form",
    "billing:claim_resend": "a button, no fields",
    "billing:primary_record": "on a note billed to a primary payer only",
    "billing:primary_from_835": "a file upload on a secondary note only",
    "outcomes:assessment_detail": "no form",
    "outcomes:assessment_amend": "the assessment form again",
    "outcomes:check_in_detail": "no form",
    "outcomes:check_in_amend": "the check-in form again",
    "outcomes:flag_follow_up": "on a safety flag only",
    "outcomes:dashboard_csv": "the dashboard's filters, as a download",
    "outcomes:dashboard_xlsx": "the dashboard's filters, as a download",
    "reports:report_detail": "no form",
    "reports:report_status": "a status fragment",
    "reports:report_regenerate": "a button, no fields",
    "reports:report_download": "a download",
}
# Last, as they may move the peer's participants elsewhere.
for _name in ("participants:enrollment_discharge", "participants:assign", "participants:transfer"):
    PAGES[_name] = PAGES.pop(_name)
LIST_PARAMETERS = [
    "page",
    "q",
    "id",
    "row",
    "sort",
    "status",
    "show",
    "program",
    "window",
    "instrument",
    "timepoint",
    "next",
]


def _url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in ("admin", None) and "admin" in str(entry.pattern):
                continue
            if str(entry.pattern) == "accounts/":  # allauth's own pages
                continue
            names |= _url_names(entry, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_url_has_a_row():
    """A new page fails here until its input is tried (PAGES) or the reason it has none is given."""
    rows = {key.partition("#")[0] for key in PAGES} | REACHED_BY_FORMS | set(NO_INPUT) | set(POSTED_BY_SCRIPT.values())
    assert sorted(_url_names() - rows) == []
    assert sorted(rows - _url_names()) == []


# --- reading the forms of a page ----------------------------------------------------------


class _Forms(HTMLParser):
    """Each <form>: its method, action and fields with the values the page gave them."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name") or a["name"] == "csrfmiddlewaretoken":
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "file", "image", "reset"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].setdefault(a["name"], [])
            else:
                self._form["fields"].setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], [])
        elif tag == "option" and self._select and "selected" in a:
            self._form["fields"][self._select].append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = [""]
        elif tag == "button" and a.get("value") is not None:
            self._form["fields"].setdefault(a["name"], [a["value"]])

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


# --- the test -----------------------------------------------------------------------------


@pytest.fixture
def demo(db, demo_agency):
    """The demo, shared with the other tests that read it (conftest.demo_agency); what the
    fuzz writes is rolled back after it."""


def _bounded_fields():
    """(model, field) for each column a person types into: TextFields with a max_length and
    DateFields checked by plausible_date."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            text = isinstance(field, TextField) and field.max_length
            if text or (isinstance(field, DateField) and plausible_date in field.validators):
                yield model, field


def _out_of_bounds() -> list[str]:
    found = []
    for model, field in _bounded_fields():
        if isinstance(field, TextField):
            bad = model._default_manager.annotate(_n=Length(field.name)).filter(_n__gt=field.max_length)
        else:
            earliest, latest = EARLIEST_DATE, latest_date(datetime.date.today())  # noqa: DTZ011
            bad = model._default_manager.filter(
                Q(**{f"{field.name}__lt": earliest}) | Q(**{f"{field.name}__gt": latest})
            )
        if bad.exists():
            found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.django_db
def test_no_input_answers_500_and_nothing_out_of_bounds_is_stored(demo):
    clients = {}
    for role, email in EMAILS.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(apps.get_model("accounts.User").objects.get(email=email))
    assert _out_of_bounds() == [], "the demo itself must be in bounds"
    reached, failures = set(), []

    for name, (role, kwargs) in PAGES.items():
        client = clients[role]

        path_kwargs = kwargs()
        query = {k[1:]: v for k, v in path_kwargs.items() if k.startswith("?")}
        url = reverse(name.partition("#")[0], kwargs={k: v for k, v in path_kwargs.items() if not k.startswith("?")})
        page = client.get(url, query)
        if page.status_code != 200:
            failures.append(f"GET {name} as {role}: {page.status_code}")
            continue
        reached.add(name.partition("#")[0])
        forms = _forms(page.content.decode()) if "html" in page.get("Content-Type", "") else []
        _fuzz_query(client, name, url, forms, failures)
        posts = [form for form in forms if form["method"] == "post"]
        if name in POSTED_BY_SCRIPT:
            script_url = reverse(POSTED_BY_SCRIPT[name], kwargs=path_kwargs)
            posts.append({**max(posts, key=lambda form: len(form["fields"])), "action": script_url})
        for form in posts:
            action = form["action"] or url
            target = _url_name(action)
            if target is None or target in ("account_logout", "offline_whoami"):
                continue
            reached.add(target)
            _fuzz_post(client, f"{name} -> {target}", action, form["fields"], failures)
    assert failures == [], "\n".join(failures[:20])
    assert sorted(REACHED_BY_FORMS - reached) == [], "no page showed a form for these"
    assert _out_of_bounds() == []


SETTINGS = settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def _fuzz_query(client, name, url, forms, failures):
    names = {field for form in forms if form["method"] == "get" for field in form["fields"]} | set(LIST_PARAMETERS)

    @SETTINGS
    @given(st.dictionaries(st.sampled_from(sorted(names)), VALUE, min_size=1, max_size=4))
    def run(query):
        response = client.get(url, {k: v[:2000] for k, v in query.items()})
        if response.status_code >= 500:
            failures.append(f"GET {name} {query!r:.200}: {response.status_code}")

    run()


def _fuzz_post(client, label, action, fields, failures):
    if not fields:
        fields = {"x": [""]}
    keys = sorted(fields)

    @SETTINGS
    @given(st.dictionaries(st.sampled_from(keys), VALUE, min_size=1, max_size=min(4, len(keys))))
    def run(changes):
        data = {k: v for k, v in fields.items() if v} | {k: [v] for k, v in changes.items()}
        response = client.post(action, data)
        if response.status_code >= 500:
            failures.append(f"POST {label} {changes!r:.200}: {response.status_code}")

    run()
