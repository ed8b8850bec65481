from django.apps import AppConfig


class NotesConfig(AppConfig):
    """Session notes (individual and group), signing, co-signature, addenda and snapshots."""

    name = "notes"

    def ready(self):
        from participants import extensions

        from . import selectors

        # The participant's page shows notes without participants importing this app.
        extensions.add_timeline_events(selectors.timeline_events, count=selectors.timeline_event_count)
        extensions.add_page_actions(selectors.page_actions)
        extensions.provide_last_contacts(selectors.last_contacts)
