"""How apps to the right of participants add to a participant's page.

The layers contract forbids participants to import notes, billing or outcomes, yet the page
shows their records too (a session note in the timeline, a "Log a session" button, the
outcomes section with its charts). Each such
app registers a hook in its `AppConfig.ready()`; the page asks every registered hook and shows
what they return. A hook decides from the `ParticipantAccess` it is given what this viewer may
see, and must answer from a fixed number of queries.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TimelineEvent:
    on: datetime.date
    title: str
    detail: str = ""
    clinical: bool = False
    url: str = ""


@dataclass(frozen=True)
class PageAction:
    """A button at the top of the participant's page."""

    label: str
    url: str


@dataclass(frozen=True)
class PageSection:
    """A section of the participant's page: `template` is included with `section` (this)
    in its context, so it reads what the hook computed from `section.context`."""

    title: str
    template: str
    context: dict = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return "section-" + "-".join(self.title.lower().split())


# Each takes (participant, access, viewer). An event hook also takes `limit`: at most that
# many of its newest events, so a page of the timeline never reads a whole history.
EventHook = Callable[..., Iterable[TimelineEvent]]
CountHook = Callable[..., int]
ActionHook = Callable[..., Iterable[PageAction]]
SectionHook = Callable[..., Iterable[PageSection]]
_event_hooks: list[EventHook] = []
_event_counts: dict[EventHook, CountHook] = {}
_action_hooks: list[ActionHook] = []
_section_hooks: list[SectionHook] = []


def add_timeline_events(hook: EventHook, *, count: CountHook) -> EventHook:
    """`hook(participant, access, viewer, limit=n)`: the n newest events, newest first;
    `count(participant, access, viewer)`: how many it has in all (for the pager)."""
    if hook not in _event_hooks:
        _event_hooks.append(hook)
        _event_counts[hook] = count
    return hook


def add_page_actions(hook: ActionHook) -> ActionHook:
    if hook not in _action_hooks:
        _action_hooks.append(hook)
    return hook


def add_page_sections(hook: SectionHook) -> SectionHook:
    if hook not in _section_hooks:
        _section_hooks.append(hook)
    return hook


def contributed_events(participant, access, viewer, *, limit: int) -> list[TimelineEvent]:
    return [event for hook in _event_hooks for event in hook(participant, access, viewer, limit=limit)]


def contributed_event_count(participant, access, viewer) -> int:
    return sum(_event_counts[hook](participant, access, viewer) for hook in _event_hooks)


def contributed_actions(participant, access, viewer) -> list[PageAction]:
    return [action for hook in _action_hooks for action in hook(participant, access, viewer)]


def contributed_sections(participant, access, viewer) -> list[PageSection]:
    return [section for hook in _section_hooks for section in hook(participant, access, viewer)]


# The day of each participant's last contact: contacts are session notes (the notes app
# provides it), which the participant list shows beside each name.
LastContacts = Callable[[list[int]], dict[int, datetime.date]]
_last_contacts: list[LastContacts] = []


def provide_last_contacts(provider: LastContacts) -> LastContacts:
    if provider not in _last_contacts:
        _last_contacts.append(provider)
    return provider


def last_contacts(participant_ids: list[int]) -> dict[int, datetime.date]:
    """participant id -> day of their last contact, from the provider registered (one query);
    empty when no app provides it."""
    return _last_contacts[0](participant_ids) if _last_contacts and participant_ids else {}
