"""`make bench`: the local settings as production runs them. DEBUG off (no query log, cached
templates), Redis as the cache and broker, so pages are timed as an agency's server serves them.
Only the database URL differs from `make run`'s: the Makefile points it at the bench database."""

from .local import *  # noqa: F403
from .local import CACHE_URL, cache_from_url

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CACHES = cache_from_url(CACHE_URL or "redis://127.0.0.1:6379/3")
