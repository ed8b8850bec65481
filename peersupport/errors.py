"""The page for an uncaught error (urls.handler500).

When the database went away under the request (restarted, failed over, the connection cut),
the answer is 503 Service Unavailable with a Retry-After, not 500: the fault is passing and the
person should try again. Nothing was half saved: every write runs in one transaction, which
PostgreSQL rolls back when the connection dies. The page is rendered without the request and
without touching the database, like Django's own 500 page.
"""

import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_DOWN):
        return HttpResponseServerError(loader.get_template("500.html").render())
    # A dead connection is not reused by the next request on this process.
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
