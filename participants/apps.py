from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    """Participants, enrollments, coverage, consents, caseload assignments and recovery plans."""

    name = "participants"

    def ready(self):
        # CaseloadVersion, kept by the database's triggers, lives beside them in its own module.
        from . import versions  # noqa: F401
