"""Every page each role reaches, on a phone, with the demo agency's data: it answers 200, fits
the screen, logs no console error and has no serious or critical axe-core violation, and
every link on it opens for the person shown it (no 403 or 404: a link is shown only to those
who may follow it).

The walk starts at the role's home page and follows links breadth first. It opens one page
per view in the browser (a second participant's page tests nothing the first did not), and
requests a few of each kind of link with the page's cookies, so it stays quick however much
data the demo holds."""

import importlib
import io
from collections import Counter, deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from accounts.roles import Role
from billing.tests.factories import ensure_reference_codes
from outcomes.tests.factories import load_shipped_instruments
from programs.demo import DEMO_PASSWORD

from .helpers import axe_violations, describe_violations, open_menu, sign_in

# Pages opened per role, at most: the walk stops there (a new page kind is rarer each level).
MAX_PAGES = 80
# Links of one kind (view and query keys) requested per role: enough to catch a link that one
# record's state hides from its reader, few enough to stay quick on long lists.
LINKS_PER_KIND = 4
# Not ours to audit: Django's admin (reference data), linked for program admins.
NOT_AUDITED = ("/django-admin/",)

ROLES = {
    "peer": "peer@example.org",
    "supervisor": "supervisor@example.org",
    "billing": "billing@example.org",
    "admin": "admin@example.org",
}
# What each walk must have opened: the navigation's pages and the main detail pages. A walk
# that misses one (a link removed, a page renamed) fails rather than passing on less.
MUST_VISIT = {
    "peer": {
        "home_peer", "my_caseload", "notes:my_notes", "participants:search", "participants:detail",
        "participants:intake", "notes:note_detail", "notes:note_new", "notes:note_edit", "group_new",
        "outcomes:assessment_new", "outcomes:check_in_new", "programs:profile_detail", "mfa_index",
    },
    "supervisor": {
        "home_supervisor", "notes:note_queue", "notes:note_detail", "team_caseloads", "team_participants",
        "specialist_caseload",
        "participants:detail", "participants:assign", "participants:plan_sign", "workforce",
        "programs:supervision_create", "outcomes:dashboard", "reports:report_list", "reports:report_detail",
    },
    "billing": {
        "home_billing", "billing:work", "billing:batch_list", "billing:batch_detail", "billing:claim_detail",
        "billing:authorization_list", "billing:remittance_list", "billing:remittance_detail",
        "billing:denial_list", "billing:receivable_list", "billing:eligibility", "participants:detail",
    },
    "admin": {
        "home_admin", "programs:program_list", "programs:program_edit", "programs:staff_invite",
        "programs:profile_create", "failed_sign_ins",
        "programs:profile_detail", "accounts:invitation_list", "workforce", "billing:work",
        "billing:receivable_list", "outcomes:dashboard", "outcomes:program_settings", "reports:report_list",
        "reports:report_detail", "participants:detail",
    },
}  # fmt: skip
# Account pages (allauth's password and two-factor pages) are the same for everyone: opened
# in the first walk only.
SAME_FOR_EVERYONE = ("account_", "mfa_")

# Every <a href> on the page, as the browser resolves it.
LINKS = """() => Array.from(document.querySelectorAll("a[href]"), a => a.href)"""
# htmx has nothing in flight (a part loaded on page load is in place before the audit).
SETTLED = """() => document.readyState === "complete" && !document.querySelector(".htmx-request")"""


def _kind(path: str, query: str) -> tuple[str, frozenset] | None:
    try:
        view = resolve(path).view_name
    except Resolver404:
        return None
    return view, frozenset(key for key, _value in parse_qsl(query))


class Walk:
    def __init__(self, page, origin: str, seen: set[str]):
        self.page, self.origin = page, origin
        self.seen = seen  # views opened by an earlier walk
        self.problems: list[str] = []
        self.visited: dict[str, str] = {}  # view name -> the address opened
        self.queued: set[str] = set()
        self.checked: dict[str, int] = {}
        self.per_kind: Counter = Counter()
        self.queue: deque[str] = deque()

    def run(self) -> None:
        """From the page open now (the home page, already loaded and settled), breadth first."""
        page = self.page
        self.queued.add(resolve(urlsplit(page.url).path).view_name)
        self.read(page.url)
        while self.queue and len(self.visited) < MAX_PAGES:
            self.visit(self.queue.popleft())

    def visit(self, url: str) -> None:
        page = self.page
        response = page.goto(url)
        if response.status != 200:
            self.visited[resolve(urlsplit(page.url).path).view_name] = url
            self.problems.append(f"{url}: answered {response.status}")
            page.console_errors.clear()
            return
        page.wait_for_function(SETTLED)
        self.read(url)

    def read(self, url: str) -> None:
        """Audit the page open now and follow its links."""
        page = self.page
        self.visited[resolve(urlsplit(page.url).path).view_name] = url
        self.audit(url)
        for href in page.evaluate(LINKS):
            self.follow(url, href)

    def audit(self, url: str) -> None:
        page = self.page
        if violations := axe_violations(page):
            self.problems.append(f"{url}: axe-core finds\n{describe_violations(violations)}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            self.problems.append(f"{url}: {overflow}px wider than the phone")
        if page.console_errors:
            self.problems.append(f"{url}: console errors {page.console_errors}")
            page.console_errors.clear()

    def follow(self, source: str, href: str) -> None:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return  # external, mailto: or tel:
        url = parts._replace(fragment="").geturl()
        kind = _kind(parts.path, parts.query)
        if kind is None:
            self.problems.append(f"{source}: links to {url}, which no view answers")
            return
        if url in self.checked or self.per_kind[kind] >= LINKS_PER_KIND:
            return
        self.per_kind[kind] += 1
        response = self.page.request.get(url)
        self.checked[url] = response.status
        if not response.ok:  # 403 or 404: a link shown to someone it refuses; 500: a broken page
            self.problems.append(f"{source}: links to {url}, which answers {response.status}")
            return
        is_page = response.headers.get("content-type", "").startswith("text/html")
        view = kind[0]
        seen = view.startswith(SAME_FOR_EVERYONE) and view in self.seen
        if is_page and view not in self.queued and not seen and not parts.path.startswith(NOT_AUDITED):
            self.queued.add(view)
            self.queue.append(url)


@pytest.fixture
def demo(transactional_db):
    """The demo agency. A browser test's database is emptied after it, migrations' rows too:
    put back what the demo builds on (role groups, payers, codes, instruments) first."""
    for role in Role:
        Group.objects.get_or_create(name=role)
    importlib.import_module("programs.migrations.0004_seed_payers").seed_payers(apps, None)
    ensure_reference_codes()
    importlib.import_module("billing.migrations.0002_reference_data").grant_program_admins(apps, None)
    load_shipped_instruments()
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())


def walk_as(page, origin: str, role: str, seen: set[str]) -> Walk:
    sign_in(page, ROLES[role], DEMO_PASSWORD)
    expect(page).to_have_url(f"{origin}/home/{role}/")
    # The navigation, folded away on a phone, is audited open. The home page is audited so
    # and its links followed from there: loading it a second time, menu folded, found nothing
    # the open menu did not (the other pages audit the folded layout) and cost a page per role.
    open_menu(page)
    page.wait_for_function(SETTLED)
    walk = Walk(page, origin, seen)
    walk.run()
    return walk


@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_role_is_accessible_and_every_link_opens(phone, live_server, demo):
    # One test for the four roles: the demo agency takes longer to build than a walk.
    problems, missed, seen = [], {}, set()
    for role in ROLES:
        walk = walk_as(phone, live_server.url, role, seen)
        seen |= set(walk.visited)
        problems += [f"{role}: {problem}" for problem in walk.problems]
        if MUST_VISIT[role] - set(walk.visited):
            missed[role] = MUST_VISIT[role] - set(walk.visited)
        print(f"{role}: opened {len(walk.visited)} pages {sorted(walk.visited)}; requested {len(walk.checked)} links")
        phone.context.clear_cookies()  # signed out

    assert not problems, "\n".join(problems)
    assert not missed, f"the walks never reached {missed}"
