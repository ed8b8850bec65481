"""The web container's health check (docker-compose.yml): GET /health/ from inside it.

Django answers 400 to a Host it is not configured for, and production names only the public
host in ALLOWED_HOSTS, so asking for 127.0.0.1 made a healthy container look down. This asks
the local server with the Host header of the first allowed host instead. Exit 0 = healthy."""

import os
import sys
import urllib.error
import urllib.request

URL = "http://127.0.0.1:8000/health/"


def public_host(allowed_hosts: str) -> str:
    """A name the app accepts: the first ALLOWED_HOSTS entry (".example.org" allows the
    domain itself; "*" allows anything)."""
    first = next((host.strip() for host in allowed_hosts.split(",") if host.strip()), "localhost")
    return "localhost" if first == "*" else first.lstrip(".")


def main(environ=os.environ) -> int:
    url = environ.get("HEALTHCHECK_URL", URL)  # the tests point it at their live server
    if not url.startswith("http://"):
        print("unhealthy: HEALTHCHECK_URL must be an http:// address", file=sys.stderr)
        return 1
    request = urllib.request.Request(url, headers={"Host": public_host(environ.get("ALLOWED_HOSTS", ""))})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (http only, checked above)
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
