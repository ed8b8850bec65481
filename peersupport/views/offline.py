"""The installable app: its manifest, the service worker (served from the site root so it may
look after every page), the offline page, the "On this phone" page and the small answer
offline.js asks before it sends what the phone kept."""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..offline import kept_page_patterns, queued_form_patterns, shell_urls


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [{"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"}]
    data = {
        "name": "Peer Support",
        "short_name": "Peer Support",
        "description": "Log peer support sessions, with or without a signal.",
        "id": "/",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    config = {
        "static": static(""),
        "precache": shell_urls(),
        "offline": reverse("offline_page"),
        "outbox": reverse("offline_outbox"),
        "pages": kept_page_patterns(),
        "queue": queued_form_patterns(),
    }
    # A new static file (a new hashed name in production) makes a new worker, which replaces
    # the old shell; browsers compare the worker's bytes to decide.
    config["version"] = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]
    scripts = ", ".join(json.dumps(static(f"js/{name}")) for name in ("offline-store.js", "sw-main.js"))
    body = f"self.PS_CONFIG = {json.dumps(config)};\nimportScripts({scripts});\n"
    response = HttpResponse(body, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page the phone has not kept. It holds nothing personal."""
    return render(request, "peersupport/offline.html")


@require_GET
@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """Forms kept on this phone and what became of them; the list is drawn from IndexedDB."""
    return render(request, "peersupport/outbox.html", {"kept": bool(request.GET.get("kept"))})


@require_GET
@never_cache
def whoami(request: HttpRequest) -> JsonResponse:
    """Whose session this is, and its CSRF token: the outbox is sent only under the session of
    the user who kept it, and a form kept for hours needs the session's current token."""
    if not request.user.is_authenticated:
        return JsonResponse({"user": None})
    return JsonResponse({"user": request.user.pk, "csrf": get_token(request)})
