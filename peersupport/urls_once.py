"""URLs reversed once per process, for what every page renders (issue 16): the navigation bar
and the offline settings name some thirty URLs, which cannot change while the process runs,
and reversing them on each request was a sixth of a bare page's time.

The key holds what a reversed URL depends on besides its name and arguments: the script
prefix (set per request from SCRIPT_NAME) and the URLconf (a request's own, or the settings',
which tests override)."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=256)
def _reversed(name: str, args: tuple, prefix: str, urlconf: str) -> str:
    return reverse(name, args=args, urlconf=urlconf)


def reverse_once(name: str, args: tuple = ()) -> str:
    return _reversed(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
