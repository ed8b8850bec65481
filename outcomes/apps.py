from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Assessments, status snapshots, outcome dashboards and monthly reports."""

    name = "outcomes"

    def ready(self):
        from participants import extensions

        from . import participant_page

        # The participant's page shows outcomes without participants importing this app.
        extensions.add_page_actions(participant_page.page_actions)
        extensions.add_page_sections(participant_page.sections)
