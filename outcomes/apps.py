from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Assessments, status snapshots, outcome dashboards and monthly reports."""

    name = "outcomes"
