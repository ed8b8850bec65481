"""The load part of `make bench` (issue 16), run by locust in its own process: signed-in
peers, supervisors and billing clerks on a gunicorn at 127.0.0.1, peers most, as in a day.

`peersupport.bench.load` starts it and hands over, in the JSON file named by BENCH_LOAD_PLAN,
who signs in (each peer with a draft of their own to type into), the pages of each role and
a bound on the number of requests; it reads back the JSON this file writes to
BENCH_LOAD_SUMMARY when locust quits. This file imports no project code: locust's gevent
patches the process it runs in, and the figures come from HTTP alone.

Everyone signs in first, one at a time: a password hash is slow by design, and 25 of them at
once would be measured instead of the pages (and allauth's per-address limit waits at most a
second for its cache lock, then answers 429). The figures cover the SECONDS after the last
sign-in. Each user then asks for PER_USER_RPS requests a second (25 users: 125 offered) and
waits for each answer, so a server that cannot keep up serves fewer, with a longer p95. Any
answer but the one a browser expects is an error, a redirect included: a redirect to the
sign-in page would otherwise count a lost session as a page served.
"""

import itertools
import json
import os
import random
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from gevent.lock import Semaphore
from locust import FastHttpUser, constant_throughput, events, task
from locust.exception import StopUser
from locust.stats import RequestStats, StatsEntry

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text())
PER_USER_RPS = 5
SIGN_IN = "sign in"  # not in the figures; a failed one is an error
AUTOSAVE = "autosave"
# What the bench types into a draft follows this mark; a later run starts from the text
# before it, and each user puts the text back when it stops.
MARK = " [load bench]"
WORDS = ["met", "at", "the", "library", "and", "planned", "the", "week", "around", "the", "housing", "appointment"]
HTMX = {
    "HX-Request": "true",
    "HX-Target": "autosave-status",
    "HX-Trigger": "note-form",
    "Content-Type": "application/x-www-form-urlencoded",
}


class NotAsExpected(Exception):
    """A page a browser could not go on from: the user stops, counted as an error."""


class FormFields(HTMLParser):
    """What a browser sends from the form with id `form_id`: its named inputs (checked boxes
    only), textareas and selected options, in page order; and the form's own attributes."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.attrs, self.fields = form_id, False, {}, []
        self._textarea: list | None = None
        self._select: tuple[str, bool] | None = None
        self._options: list[list] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            self.attrs = a if self.inside else self.attrs
        elif not self.inside or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind not in ("submit", "button", "reset", "file", "image", "checkbox", "radio") or "checked" in a:
                self.fields.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select, self._options = (a["name"], "multiple" in a), []
        elif tag == "option" and self._select:
            self._options.append([a.get("value"), "selected" in a, ""])

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data
        elif self._select and self._options:
            self._options[-1][2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            name, text = self._textarea
            self.fields.append((name, text.removeprefix("\n")))  # the newline after <textarea> is not text
            self._textarea = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = [o for o in self._options if o[1]] or ([] if multiple else self._options[:1])
            self.fields += [(name, o[0] if o[0] is not None else o[2].strip()) for o in chosen]
            self._select = None


def read_form(html: str, form_id: str) -> FormFields:
    form = FormFields(form_id)
    form.feed(html)
    return form


class Staff(FastHttpUser):
    abstract = True
    wait_time = constant_throughput(PER_USER_RPS)
    role = ""

    def on_start(self):
        self.sign_in(self.account())
        self.pages = PLAN["pages"][self.role]

    def account(self):
        return next(ACCOUNTS[self.role])

    def sign_in(self, email: str) -> None:
        """Sign in, one user at a time, then wait until every user has (or has failed to)."""
        with ONE_AT_A_TIME:
            try:
                self._sign_in(email)
            finally:
                _signed_in(self.environment)
        EVERYONE_SIGNED_IN.wait(timeout=PLAN["seconds"] + 60)

    def _sign_in(self, email: str) -> None:
        """As a person does: the sign-in page, then the form posted with its CSRF token."""
        page = self.client.get(PLAN["sign_in"], name=SIGN_IN)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
        form = {"csrfmiddlewaretoken": token.group(1) if token else "", "login": email, "password": PLAN["password"]}
        with self.client.post(
            PLAN["sign_in"], data=form, name=SIGN_IN, allow_redirects=False, catch_response=True
        ) as answer:
            where = answer.headers.get("Location", "")
            if answer.status_code != 302 or where.startswith(PLAN["sign_in"]) or "/2fa/" in where:
                answer.failure(f"{email} not signed in: {answer.status_code} {where}".strip())
                raise StopUser()

    def get(self, path: str, name: str | None = None):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}".strip())
            return answer

    @task(4)
    def page(self):
        self.get(random.choice(self.pages))  # noqa: S311 (a load mix, not a secret)


class Peer(Staff):
    """Caseload, a participant's page, notes, and a draft being typed: autosave every few
    keystrokes, as the note editor's htmx does (notes/note_form.html)."""

    weight = 7
    role = "peer"

    def on_start(self):
        email, self.note = self.account()
        self.sign_in(email)
        self.pages, self.typed = PLAN["pages"]["peer"], 0
        self.participants = self.caseload()
        self.open_editor()
        self.original = dict(self.fields).get("intervention", "").split(MARK)[0]

    def on_stop(self):
        if getattr(self, "original", None) is not None:
            self.autosave(text=self.original)  # the draft's text as it was

    def caseload(self) -> list[str]:
        answer = self.get(PLAN["caseload"])
        return sorted(set(re.findall(r'href="(/participants/\d+/)"', answer.text or "")))

    def open_editor(self):
        answer = self.get(f"/notes/{self.note}/edit/", name="/notes/[id]/edit/")
        form = read_form(answer.text or "", "note-form")
        if not form.attrs.get("hx-post"):
            raise NotAsExpected(f"no note editor on /notes/{self.note}/edit/ ({answer.status_code})")
        self.autosave_url, self.fields = form.attrs["hx-post"], form.fields
        self.csrf = dict(self.fields).get("csrfmiddlewaretoken", "")

    @task(3)
    def participant(self):
        if self.participants:
            self.get(random.choice(self.participants), name="/participants/[id]/")  # noqa: S311

    @task(1)
    def editor(self):
        self.open_editor()

    @task(6)
    def typing(self):
        self.typed += 1
        self.autosave(text=f"{self.original}{MARK} {' '.join(WORDS[: self.typed % len(WORDS) + 1])}")

    def autosave(self, *, text: str):
        if dict(self.fields).get("note_id") != str(self.note):
            raise NotAsExpected("the editor names no draft: an autosave would start a new note")
        data = urlencode([(k, text if k == "intervention" else v) for k, v in self.fields])
        headers = {**HTMX, "X-CSRFToken": self.csrf, "HX-Current-URL": f"{self.host}/notes/{self.note}/edit/"}
        with self.client.post(
            self.autosave_url, data=data, headers=headers, name=AUTOSAVE, allow_redirects=False, catch_response=True
        ) as answer:
            version = re.search(r'id="note-version" value="(\d+)"', answer.text or "")
            saved = answer.headers.get("HX-Replace-Url", "").endswith(f"/notes/{self.note}/edit/")
            if answer.status_code != 200 or version is None or not saved:
                answer.failure(f"{answer.status_code} not saved: {(answer.text or '')[:120]}")
                return
            self.fields = [(k, version.group(1) if k == "version" else v) for k, v in self.fields]


class Supervisor(Staff):
    weight = 2
    role = "supervisor"


class Billing(Staff):
    weight = 1
    role = "billing"


# Each user takes the next account of its role; peers each a draft no other user types into.
ACCOUNTS = {
    "peer": itertools.cycle([(p["email"], p["note"]) for p in PLAN["peers"]]),
    "supervisor": itertools.cycle(PLAN["supervisors"]),
    "billing": itertools.cycle(PLAN["billing"]),
}

# --- The measured window, its bound on requests, and the summary load.py reads ------------

ONE_AT_A_TIME = Semaphore(1)
EVERYONE_SIGNED_IN = Event()
WORK = RequestStats(use_response_times_cache=False)  # the window's requests, sign-ins aside
_run = {"signed in": 0, "start": None, "end": None, "stopped by": None, "users": 0, "crashes": []}


def _signed_in(environment) -> None:
    _run["signed in"] += 1
    if _run["signed in"] >= environment.parsed_options.num_users and not EVERYONE_SIGNED_IN.is_set():
        _run["start"], _run["users"] = time.time(), _run["signed in"]
        EVERYONE_SIGNED_IN.set()
        gevent.spawn_later(PLAN["seconds"], _stop, environment, "time limit")


def _stop(environment, why: str) -> None:
    if _run["end"] is None:
        _run["end"], _run["stopped by"] = time.time(), why
        environment.runner.quit()


@events.request.add_listener
def _count(request_type, name, response_time, response_length, exception=None, **_):
    if name == SIGN_IN or _run["start"] is None or _run["end"] is not None:
        return
    WORK.log_request(request_type, name, response_time, response_length or 0)
    if exception:
        WORK.log_error(request_type, name, exception)
    if WORK.total.num_requests >= PLAN["max_requests"]:
        gevent.spawn(_stop, _ENV[0], "request limit")


_ENV = []


@events.init.add_listener
def _keep(environment, **_):
    _ENV.append(environment)


@events.user_error.add_listener
def _crashed(user_instance, exception, tb, **_):
    # A task that raised stops its user without a failed request: an error all the same.
    _run["crashes"].append(f"{type(user_instance).__name__}: {type(exception).__name__}: {exception}")


def _figures(entry: StatsEntry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "median_ms": entry.get_response_time_percentile(0.5) or 0,
        "p95_ms": entry.get_response_time_percentile(0.95) or 0,
    }


@events.quitting.add_listener
def _write_summary(environment, **_):
    stats = environment.stats  # every request, sign-ins and the drafts put back included
    window = (_run["end"] or time.time()) - (_run["start"] or time.time())
    summary = {
        **_figures(WORK.total),
        "seconds": round(window, 1),
        "rps": WORK.total.num_requests / window if window > 0 else 0.0,
        "errors": stats.total.num_failures + len(_run["crashes"]),
        "error_kinds": [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in stats.errors.values()]
        + _run["crashes"],
        "endpoints": {f"{e.method} {e.name}": _figures(e) for e in WORK.entries.values()},
        "sign_ins": _figures(stats.entries[(SIGN_IN, "POST")]) if (SIGN_IN, "POST") in stats.entries else {},
        "stopped_by": _run["stopped by"] or "locust's own time limit",
        "users": _run["users"],
    }
    Path(os.environ["BENCH_LOAD_SUMMARY"]).write_text(json.dumps(summary, indent=2))
