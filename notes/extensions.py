"""Which services the note forms offer, decided by an app to the right of notes.

A specialist may record a service only where the participant's coverage pays for it: peer
support always, a Texas rehabilitative service (medication training, skills training...)
only when a billing program covering the participant has an active service code for it.
Those codes are billing's reference data, and the layers contract forbids notes to import
billing; so billing registers a hook in `BillingConfig.ready()` (as notes itself adds to the
participant's page through participants/extensions.py), and the forms ask it here.

A hook takes (participant_ids, day=..., group=...) and returns the services with an active
code, individual or group, under a billing program covering one of those participants on
`day`, from a fixed number of queries. With no hook registered, only peer support is offered.
"""

import datetime
from collections.abc import Callable, Iterable

from .models import Service

ServicesHook = Callable[..., Iterable[str]]
_service_hooks: list[ServicesHook] = []


def add_services_offered(hook: ServicesHook) -> ServicesHook:
    if hook not in _service_hooks:
        _service_hooks.append(hook)
    return hook


def services_offered(participant_ids: Iterable[int], *, day: datetime.date, group: bool = False) -> list[Service]:
    """The services a note for these participants may record, in the order of `Service`.
    Peer support is always offered: it is what every program here is for."""
    ids = list(participant_ids)
    offered = {Service.PEER_SUPPORT.value}
    for hook in _service_hooks:
        offered.update(hook(ids, day=day, group=group))
    return [service for service in Service if service.value in offered]
