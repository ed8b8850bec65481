"""What the phone keeps for work with no signal: which pages the service worker keeps, which
forms it may hold in the outbox, and the settings every page hands to static/js/offline.js.

The patterns are built from the URL names, so a moved URL cannot leave the worker keeping
the wrong pages. Only a peer specialist's daily pages are kept: the caseload and the note
forms, the pages a session is logged from."""

import re

from django.templatetags.static import static
from django.urls import reverse

from .urls_once import reverse_once

_ANY_ID = 987654321

# Pages kept (network first, the last copy served with no signal).
KEPT_PAGES = [
    ("home", ()),
    ("home_peer", ()),
    ("my_caseload", ()),
    ("offline_outbox", ()),
    ("group_new", ()),
    ("notes:note_new", (_ANY_ID,)),
    ("notes:note_edit", (_ANY_ID,)),
]
# Forms that, sent with no signal, wait in the outbox instead of failing.
QUEUED_FORMS = [("group_new", ()), ("notes:note_new", (_ANY_ID,)), ("notes:note_edit", (_ANY_ID,))]

# The app shell, kept when the worker is installed.
SHELL = [
    "vendor/bootstrap-5.3.9/css/bootstrap.min.css",
    "vendor/bootstrap-5.3.9/js/bootstrap.bundle.min.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "css/app.css",
    "js/offline-store.js",
    "js/offline.js",
    "js/note-form.js",
    "js/group-form.js",
    "favicon.svg",
    "icons/icon-192.png",
]


def _pattern(name: str, args: tuple) -> str:
    # JavaScript's RegExp reads this too: re.escape leaves "/" alone and "\-" means "-" in both.
    return "^" + re.escape(reverse_once(name, args)).replace(str(_ANY_ID), r"\d+") + "$"


def kept_page_patterns() -> list[str]:
    return [_pattern(name, args) for name, args in KEPT_PAGES]


def queued_form_patterns() -> list[str]:
    return [_pattern(name, args) for name, args in QUEUED_FORMS]


def shell_urls() -> list[str]:
    return [static(path) for path in SHELL] + [reverse("offline_page")]


def offline_config(request) -> dict:
    """Context processor: the settings offline.js reads from the page."""
    user = getattr(request, "user", None)
    return {
        "offline_config": {
            "owner": user.pk if user is not None and user.is_authenticated else None,
            "worker": reverse_once("service_worker"),
            "whoami": reverse_once("offline_whoami"),
            "outbox": reverse_once("offline_outbox"),
            "login": reverse_once("account_login"),
            "keep": kept_page_patterns(),
        }
    }
