from dataclasses import dataclass

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as allauth is told to,
    so the audit log and the sign-in rate limit agree on who is asking."""
    from allauth.core.internal.httpkit import get_client_ip

    return get_client_ip(request)


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, and from where, for the audit rows a service writes.

    Built once at the edge (a view from its request, a management command from its --user),
    so services, tasks and commands share one signature and never see an HttpRequest.
    """

    actor: object | None  # accounts.User; this app sits left of accounts
    address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, actor=None) -> "AuditContext":
        user = actor if actor is not None else getattr(request, "user", None)
        return cls(
            actor=user if user is not None and user.is_authenticated else None,
            address=client_ip(request),
            user_agent=request.headers.get("user-agent", "")[:300],
        )

    @classmethod
    def for_command(cls, actor, command: str) -> "AuditContext":
        """A management command or task run on someone's behalf: no address, the command's name."""
        return cls(actor=actor, user_agent=f"manage.py {command}"[:300])
