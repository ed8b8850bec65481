"""Server time of every page of every role, on the large demo.

Each role's walk starts at its home page and follows the links it is shown, breadth first, as
the e2e every-page walk does in a browser: so a new page is measured without being listed here.
Each view is one row. Its requests go round the records the walk saw for it (up to
REQUESTS different participants, notes, batches...), so the p95 covers a large record as well
as a small one. A request runs the whole stack in process (middleware, session, view, template)
through Django's test client; the floor is a signed-in view rendering the bare base template,
timed the same way in the same run, before each role's pages and after the last (`run`).

Not pages, so not here: downloads (measured as throughput), the Django admin (reference data,
not ours), sign-in and account pages (the same for everyone and not growing with history).
"""

import statistics
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

from billing.models import ClaimBatch

from . import Row

REQUESTS = 30  # timed per page, after WARM_UP
WARM_UP = 2
MAX_VIEWS_PER_ROLE = 80
FLOOR_RATIO, P95_MS, MAX_QUERIES = 10, 300, 25
ROLES = {
    "peer": "peer@example.org",
    "supervisor": "supervisor@example.org",
    "billing": "billing@example.org",
    "admin": "admin@example.org",
}
SKIPPED = ("/django-admin/", "/accounts/", "/__bench__/", "/static/", "/media/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and (href := dict(attrs).get("href")):
            self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _is_page(response) -> bool:
    return (
        response.status_code == 200
        and response.get("Content-Type", "").startswith("text/html")
        and "attachment" not in response.get("Content-Disposition", "")
    )


def walk(client: Client, start: str, requests: int = REQUESTS) -> dict[str, list[str]]:
    """Each view the role reaches from `start` -> the URLs seen for it (the first one opened).
    A link that redirects counts as the page it lands on."""
    seen: dict[str, list[str]] = {}
    queue, opened = deque([start]), set()
    while queue and len(opened) < MAX_VIEWS_PER_ROLE:
        url = queue.popleft()
        try:
            view = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        if view in opened:
            if url not in seen[view] and len(seen[view]) < requests:
                seen[view].append(url)
            continue
        response = client.get(url, follow=True)
        if not _is_page(response):
            continue
        if response.redirect_chain:
            url = response.redirect_chain[-1][0]
            view = resolve(urlsplit(url).path).view_name
            if view in opened:
                continue
        opened.add(view)
        seen[view] = [url]
        queue.extend(_links(response.content.decode()))
    return seen


def timed(client: Client, urls: list[str], requests: int = REQUESTS) -> dict:
    """Median and p95 in ms over `requests` requests going round `urls`, and the query count."""
    for url in urls[: min(WARM_UP, requests // 2)]:
        client.get(url)
    times = []
    for i in range(requests):
        began = time.perf_counter()
        response = client.get(urls[i % len(urls)])
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{urls[i % len(urls)]} answered {response.status_code}: the bench times pages only.")
    with CaptureQueriesContext(connection) as queries:
        client.get(urls[0])
    return {
        "median": statistics.median(times),
        "p95": statistics.quantiles(times, n=20)[-1],
        "queries": len(queries),
    }


def _extra(role: str) -> dict[str, list[str]]:
    """Pages the issue names that a walk might reach only with a smaller record."""
    if role != "billing":
        return {}
    largest = ClaimBatch.objects.filter(claim_count__isnull=False).order_by("-claim_count").first()
    extra = {"billing:work": [reverse("billing:work")]}
    if largest:
        extra["billing:batch_detail (largest batch)"] = [reverse("billing:batch_detail", args=[largest.pk])]
    return extra


@override_settings(ROOT_URLCONF="peersupport.bench.urls")
def run(stdout, *, requests: int = REQUESTS, roles: tuple[str, ...] = tuple(ROLES)) -> list[Row]:
    """Each page against the floor. The floor is timed before each role's pages and after the
    last, and the pages are judged against the median of those: one floor timed at the start
    moved every ratio with whatever the machine was doing then (4.3 ms in one run, 2.3 ms in
    the next, on the same code)."""
    users = get_user_model().objects.in_bulk(list(ROLES.values()), field_name="email")
    floor_client = Client()
    floor_client.force_login(users[ROLES["peer"]])

    def time_floor() -> dict:
        figures = timed(floor_client, [reverse("bench_floor")], requests)
        stdout.write(f"  floor: {figures['median']:.1f} ms, p95 {figures['p95']:.1f}, {figures['queries']} queries")
        return figures

    floors, measured = [], []
    for role in roles:
        floors.append(time_floor())
        client = Client()
        client.force_login(users[ROLES[role]])
        pages = walk(client, "/", requests) | _extra(role)
        stdout.write(f"  {role}: {len(pages)} pages")
        for view, urls in pages.items():
            figures = timed(client, urls, requests)
            measured.append((role, view, urls, figures))
            stdout.write(
                f"    {view}: {figures['median']:.0f} ms, p95 {figures['p95']:.0f}, {figures['queries']} queries"
            )
    floors.append(time_floor())
    floor = {
        "median": statistics.median(f["median"] for f in floors),
        "p95": statistics.median(f["p95"] for f in floors),
        "queries": floors[0]["queries"],
        "timed": [round(f["median"], 2) for f in floors],
    }
    rows = [Row("server time", "floor (bare signed-in page)", floor["median"], "ms", "", True, floor)]
    budget = f"median ≤ {FLOOR_RATIO}× floor, p95 < {P95_MS} ms, ≤ {MAX_QUERIES} queries"
    for role, view, urls, figures in measured:
        ratio = figures["median"] / floor["median"]
        passed = ratio <= FLOOR_RATIO and figures["p95"] < P95_MS and figures["queries"] <= MAX_QUERIES
        detail = figures | {"ratio": ratio, "urls": len(urls), "url": urls[0]}
        rows.append(Row("server time", f"{role}: {view}", figures["median"], "ms", budget, passed, detail))
    return rows
