"""Playwright against pytest-django's live server, in Debian's Chromium, phone-sized."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still plain synchronous calls, so Django's async guard must stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# `make test` runs two test processes on a 2-core machine, each with its own Chromium and live
# server, beside the rest of the suite: a page there can take longer than Playwright's 5 s
# default to answer (CI failed on a sign-out that had not landed after 5 s). What is expected
# must still appear; it is only given longer to.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install -y chromium` (.ci/run does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, live_server, request, **context_options):
    """A page in a fresh context; console errors (a CSP violation, a missing file) fail the test."""
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors  # a test that cuts the network on purpose clears what it expects
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


@pytest.fixture
def phone(browser, live_server, request):
    """A 390x844 phone."""
    viewport = {"width": 390, "height": 844}
    yield from _page(
        browser, live_server, request, viewport=viewport, device_scale_factor=2, is_mobile=True, has_touch=True
    )


@pytest.fixture
def desktop(browser, live_server, request):
    """A 1280x900 desktop."""
    yield from _page(browser, live_server, request, viewport={"width": 1280, "height": 900})
