"""How apps to the right of accounts act when an invitation is accepted.

The layers contract forbids accounts to import programs, yet accepting an invitation must
activate the staff profile the admin set up with it. Such an app registers a hook in its
`AppConfig.ready()`; `invitation_accept` calls every hook inside its transaction, so the
account and whatever the hooks change are committed together or not at all.
"""

from collections.abc import Callable

from audit.context import AuditContext

AcceptHook = Callable[..., None]  # hook(*, user, invitation, ctx)

_accept_hooks: list[AcceptHook] = []


def register_accept_hook(hook: AcceptHook) -> None:
    if hook not in _accept_hooks:
        _accept_hooks.append(hook)


def run_accept_hooks(*, user, invitation, ctx: AuditContext) -> None:
    for hook in _accept_hooks:
        hook(user=user, invitation=invitation, ctx=ctx)
